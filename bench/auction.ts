/**
 * Integrated auction benchmark: `npm run bench:auction`.
 *
 * One day of 96 quarter hours, electricity (grid connection limited to 2,000 kWh per interval
 * each way) and heat (no connection): 40,000 step orders, 200 blocks (30 children of other
 * blocks, 20 in exclusive pairs), 10 heat pumps, 2 electric boilers, 3 CHPs, 5 batteries and
 * 2 heat tanks, prices on a 0.0001 tick. Prints one JSON line:
 *   {"bench":"auction","intervals","stepOrders","blocks","conversions","storages","columns",
 *    "selectMs","priceMs","totalMs","verifyMs","heapMB"}
 * selectMs: block selection, repair rounds and the welfare and volume LPs; priceMs: the two
 * price LPs, rounding and award lines; totalMs: the whole `clearAuction` (validation included);
 * verifyMs: `verifyAuction`; heapMB: heap growth from before the clearing to after the
 * verification. The solver is loaded before timing starts. Details go to stderr.
 */
import { performance } from 'node:perf_hooks';
import {
  clearAuction,
  formulate,
  verifyAuction,
  type Auction,
  type AuctionOrder,
  type BlockOrder,
  type LpSolver,
} from '@parkex/auction';
import { ratio } from '@parkex/market';
import { loadHighsSolver } from '@parkex/solver';
import { seededRandom } from './support/random';

const INTERVALS = 96;
const KWH = 1000n;

/** The benchmark's auction (seeded: the same every run); `bench/auction-matcher.ts` stores it. */
export function buildAuction(): Auction {
  const random = seededRandom(20261201);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const orders: AuctionOrder[] = [];
  let seq = 0n;
  const base = { seq: 0n };
  const next = () => ({ ...base, seq: ++seq });
  for (let i = 0; i < 40_000; i++) {
    const heat = i % 5 >= 3;
    const side = random() < 0.5 ? 'BUY' : 'SELL';
    const price = heat ? between(20, 150) * 10 : between(50, 400) * 10;
    orders.push({
      kind: 'STEP',
      id: `s${i}`,
      participant: `tenant-${i % 60}`,
      ...next(),
      carrier: heat ? 'HEAT' : 'ELECTRICITY',
      interval: between(0, INTERVALS - 1),
      side,
      priceTicks: BigInt(side === 'BUY' ? price + 400 : price),
      quantityWh: BigInt(between(1, 500)) * KWH,
    });
  }
  for (let i = 0; i < 200; i++) {
    const length = between(4, 16);
    const parent = i >= 170 ? `b${i - 170}` : null;
    const block: BlockOrder = {
      kind: 'BLOCK',
      id: `b${i}`,
      participant: parent === null ? `block-owner-${i}` : `block-owner-${i - 170}`,
      ...next(),
      carrier: i % 4 === 3 ? 'HEAT' : 'ELECTRICITY',
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      priceTicks: BigInt(i % 2 === 0 ? between(200, 450) * 10 : between(50, 250) * 10),
      firstInterval: between(0, INTERVALS - length),
      profileWh: Array.from({ length }, () => BigInt(between(10, 100)) * KWH),
      minAcceptance: i % 3 === 0 ? ratio(1n, 2n) : ratio(1n, 1n),
      parentId: parent,
      exclusiveGroup: i >= 130 && i < 150 ? `pair-${Math.floor((i - 130) / 2)}` : null,
    };
    // exclusive pairs belong to one owner
    orders.push(
      i >= 130 && i < 150
        ? { ...block, participant: `pair-owner-${Math.floor((i - 130) / 2)}` }
        : block,
    );
  }
  const conversion = (
    id: string,
    input: string | null,
    outputs: [string, bigint, bigint][],
    maxKwh: number,
    cost: number,
  ) =>
    orders.push({
      kind: 'CONVERSION',
      id,
      participant: id,
      ...next(),
      input,
      outputs: outputs.map(([carrier, num, den]) => ({ carrier, ratio: ratio(num, den) })),
      maxInputWh: BigInt(maxKwh) * KWH,
      costTicks: BigInt(cost),
    });
  for (let i = 0; i < 10; i++)
    conversion(
      `heat-pump-${i}`,
      'ELECTRICITY',
      [['HEAT', 16n + BigInt(i % 4), 5n]],
      between(50, 200),
      between(0, 50),
    );
  for (let i = 0; i < 2; i++)
    conversion(`e-boiler-${i}`, 'ELECTRICITY', [['HEAT', 99n, 100n]], 500, 0);
  for (let i = 0; i < 3; i++) {
    conversion(
      `chp-${i}`,
      null,
      [
        ['ELECTRICITY', 7n, 20n],
        ['HEAT', 1n, 2n],
      ],
      400,
      between(400, 600),
    );
  }
  const storage = (
    id: string,
    carrier: string,
    capacityKwh: number,
    rateKwh: number,
    num: bigint,
    den: bigint,
  ) =>
    orders.push({
      kind: 'STORAGE',
      id,
      participant: id,
      ...next(),
      carrier,
      capacityWh: BigInt(capacityKwh) * KWH,
      initialWh: (BigInt(capacityKwh) * KWH) / 2n,
      minFinalWh: (BigInt(capacityKwh) * KWH) / 2n,
      maxChargeWh: BigInt(rateKwh) * KWH,
      maxDischargeWh: BigInt(rateKwh) * KWH,
      chargeEfficiency: ratio(num, den),
      dischargeEfficiency: ratio(num, den),
      dischargeCostTicks: 50n,
    });
  for (let i = 0; i < 5; i++)
    storage(`battery-${i}`, 'ELECTRICITY', between(200, 1000), 100, 19n, 20n);
  for (let i = 0; i < 2; i++) storage(`heat-tank-${i}`, 'HEAT', 2000, 300, 49n, 50n);
  return {
    terms: {
      intervals: INTERVALS,
      carriers: [
        {
          code: 'ELECTRICITY',
          connection: {
            importLimitWh: 2000n * KWH,
            importPriceTicks: 3000n,
            exportLimitWh: 2000n * KWH,
            exportPriceTicks: 500n,
          },
        },
        { code: 'HEAT', connection: null },
      ],
      grid: { priceTick: '0.0001', minPrice: '-0.5', maxPrice: '4' },
      k: ratio(1n, 2n),
    },
    orders,
  };
}

/** The solver, writing the size and time of every solve to stderr. */
function timed(inner: LpSolver): LpSolver {
  return {
    version: inner.version,
    solve(model) {
      const started = performance.now();
      const solution = inner.solve(model);
      const kind = model.columns.some((column) => column.integer === true) ? 'MILP' : 'LP';
      process.stderr.write(
        `${kind} ${model.sense} ${model.columns.length} columns × ${model.rows.length} rows: ` +
          `${solution.status} in ${Math.round(performance.now() - started)} ms\n`,
      );
      return solution;
    },
  };
}

async function main(): Promise<void> {
  const solver = timed(await loadHighsSolver());
  const auction = buildAuction();
  const count = (kind: AuctionOrder['kind']) =>
    auction.orders.filter((o) => o.kind === kind).length;
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const result = clearAuction(auction, solver, () => performance.now());
  const totalMs = performance.now() - started;
  if (result.status !== 'CLEARED') throw new Error(JSON.stringify(result.rejections.slice(0, 3)));
  const verifyStarted = performance.now();
  const verification = verifyAuction(auction, result);
  const verifyMs = performance.now() - verifyStarted;
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const failed = verification.checks.filter((check) => !check.ok);
  process.stderr.write(
    `${solver.version}; accepted blocks ${result.acceptedBlocks.length}, removed ${result.removedBlocks.length}, ` +
      `paradoxically rejected ${result.paradoxicallyRejected.length}, fallback ${result.fallback}; ` +
      `verification ${failed.length === 0 ? 'passed' : `FAILED: ${JSON.stringify(failed)}`}\n`,
  );
  const round = (ms: number) => Math.round(ms * 10) / 10;
  console.log(
    JSON.stringify({
      bench: 'auction',
      intervals: INTERVALS,
      stepOrders: count('STEP'),
      blocks: count('BLOCK'),
      conversions: count('CONVERSION'),
      storages: count('STORAGE'),
      columns: formulate(auction, 'choose').model.columns.length,
      selectMs: round(result.timings.selectMs),
      priceMs: round(result.timings.priceMs),
      totalMs: round(totalMs),
      verifyMs: round(verifyMs),
      heapMB: Math.round(heapMB),
    }),
  );
  if (failed.length > 0) process.exitCode = 1;
}

if (require.main === module) void main();
