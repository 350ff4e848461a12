import fc from 'fast-check';
import { compilePriceGrid, parsePrice, ratio, type PriceGrid, type Ratio } from '@parkex/market';
import { loadHighsSolver } from '@parkex/solver';
import { hashAuctionResult } from './canonical';
import { clearAuction } from './clear-auction';
import type { LpSolver } from './lp';
import type {
  Auction,
  AuctionOrder,
  BlockOrder,
  CarrierTerms,
  ConversionOrder,
  StepOrder,
  StorageOrder,
} from './model';
import { add, compare, whole } from './rational';
import { maxInputAt, validateAuction } from './validate';
import { verifyAuction } from './verify';

/**
 * Random small auctions with every order kind, grid limits on electricity, ticks that make
 * prices non-integer, linked and exclusive blocks, storages with losses: whatever the book, the
 * engine clears it, the solver-free verification passes, and the schedule keeps every physical
 * limit, checked here again on the raw numbers.
 */
let solver: LpSolver;
beforeAll(async () => {
  solver = await loadHighsSolver();
});

const KWH = 1000n;
const GRIDS: PriceGrid[] = [
  { priceTick: '1', minPrice: '-50', maxPrice: '500' },
  { priceTick: '0.1', minPrice: '0', maxPrice: '400' },
  { priceTick: '0.01', minPrice: '-10', maxPrice: '300' },
];

const smallRatio = (min: bigint, max: bigint): fc.Arbitrary<Ratio> =>
  fc
    .tuple(fc.bigInt({ min: 1n, max: 12n }), fc.bigInt({ min: 1n, max: 12n }))
    .map(([num, den]) => ratio(num, den))
    .filter((r) => r.num >= min * r.den && r.num <= max * r.den);

const auctionArbitrary: fc.Arbitrary<Auction> = fc
  .record({
    intervals: fc.integer({ min: 1, max: 6 }),
    grid: fc.constantFrom(...GRIDS),
    k: fc.constantFrom(ratio(0n, 1n), ratio(1n, 2n), ratio(1n, 3n), ratio(1n, 1n)),
    connected: fc.boolean(),
    connection: fc.record({
      importLimitKwh: fc.bigInt({ min: 0n, max: 60n }),
      importPrice: fc.integer({ min: 50, max: 300 }),
      exportLimitKwh: fc.bigInt({ min: 0n, max: 60n }),
      exportCut: fc.integer({ min: 0, max: 50 }),
    }),
    steps: fc.array(
      fc.record({
        heat: fc.boolean(),
        interval: fc.nat(5),
        side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
        price: fc.integer({ min: 0, max: 400 }),
        kwh: fc.bigInt({ min: 1n, max: 80n }),
      }),
      { maxLength: 20 },
    ),
    blocks: fc.array(
      fc.record({
        heat: fc.boolean(),
        side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
        price: fc.integer({ min: 0, max: 400 }),
        first: fc.nat(5),
        profileKwh: fc.array(fc.bigInt({ min: 0n, max: 40n }), { minLength: 1, maxLength: 3 }),
        allOrNothing: fc.boolean(),
        linkToPrevious: fc.boolean(),
        exclusiveWithPrevious: fc.boolean(),
      }),
      { maxLength: 4 },
    ),
    conversions: fc.array(
      fc.record({
        fuel: fc.boolean(),
        heatRatio: smallRatio(0n, 4n),
        electricityRatio: smallRatio(0n, 1n),
        maxInputKwh: fc.bigInt({ min: 1n, max: 50n }),
        perInterval: fc.option(
          fc.array(fc.bigInt({ min: 0n, max: 50n }), { minLength: 6, maxLength: 6 }),
        ),
        cost: fc.integer({ min: 0, max: 120 }),
      }),
      { maxLength: 2 },
    ),
    storages: fc.array(
      fc.record({
        heat: fc.boolean(),
        capacityKwh: fc.bigInt({ min: 1n, max: 100n }),
        initialShare: fc.integer({ min: 0, max: 4 }),
        finalShare: fc.integer({ min: 0, max: 4 }),
        chargeKwh: fc.bigInt({ min: 1n, max: 40n }),
        dischargeKwh: fc.bigInt({ min: 1n, max: 40n }),
        chargeEfficiency: smallRatio(0n, 1n),
        dischargeEfficiency: smallRatio(0n, 1n),
        wear: fc.integer({ min: 0, max: 30 }),
      }),
      { maxLength: 3 },
    ),
  })
  .map((draw) => {
    const { intervals } = draw;
    // prices in ticks of the grid: the drawn value in currency units, kept inside the caps
    const [min, max] = [Number(draw.grid.minPrice), Number(draw.grid.maxPrice)];
    const ticks = (units: number) => {
      const parsed = parsePrice(String(Math.min(max, Math.max(min, units))), draw.grid);
      if (!parsed.ok) throw new Error(parsed.rejection.message);
      return parsed.value;
    };
    let seq = 0n;
    const base = (id: string, participant = id) => ({ id, participant, seq: ++seq });
    const carrier = (heat: boolean) => (heat ? 'HEAT' : 'ELECTRICITY');
    const orders: AuctionOrder[] = [];

    draw.steps.forEach((s, i) => {
      const step: StepOrder = {
        kind: 'STEP',
        ...base(`step-${i}`),
        carrier: carrier(s.heat),
        interval: s.interval % intervals,
        side: s.side,
        priceTicks: ticks(s.price),
        quantityWh: s.kwh * KWH + BigInt(i), // odd Wh amounts make rounding work
      };
      orders.push(step);
    });

    const blocks: BlockOrder[] = [];
    draw.blocks.forEach((b, i) => {
      const first = b.first % intervals;
      const profileWh = b.profileKwh.slice(0, intervals - first).map((kwh) => kwh * KWH);
      if (!profileWh.some((wh) => wh > 0n)) profileWh[0] = 5n * KWH;
      const previous = blocks.at(-1);
      const link = b.linkToPrevious && previous !== undefined && previous.parentId === null;
      const exclusive = !link && b.exclusiveWithPrevious && previous !== undefined;
      const owner = link || exclusive ? previous.participant : `block-owner-${i}`;
      const block: BlockOrder = {
        kind: 'BLOCK',
        ...base(`block-${i}`, owner),
        carrier: carrier(b.heat),
        side: b.side,
        priceTicks: ticks(b.price),
        firstInterval: first,
        profileWh,
        minAcceptance: b.allOrNothing ? ratio(1n, 1n) : ratio(1n, 3n),
        parentId: link ? previous.id : null,
        exclusiveGroup: exclusive ? `group-${previous.id}` : null,
      };
      if (exclusive)
        blocks[blocks.length - 1] = { ...previous, exclusiveGroup: block.exclusiveGroup };
      blocks.push(block);
    });
    orders.push(...blocks);

    draw.conversions.forEach((c, i) => {
      const conversion: ConversionOrder = {
        kind: 'CONVERSION',
        ...base(`conversion-${i}`),
        // a CHP burns fuel for electricity and heat; otherwise a heat pump or boiler
        input: c.fuel ? null : 'ELECTRICITY',
        outputs: c.fuel
          ? [
              { carrier: 'ELECTRICITY', ratio: c.electricityRatio },
              { carrier: 'HEAT', ratio: c.heatRatio },
            ]
          : [{ carrier: 'HEAT', ratio: c.heatRatio }],
        maxInputWh:
          c.perInterval === null
            ? c.maxInputKwh * KWH
            : c.perInterval.slice(0, intervals).map((kwh) => kwh * KWH),
        costTicks: ticks(c.cost) < 0n ? 0n : ticks(c.cost),
      };
      orders.push(conversion);
    });

    draw.storages.forEach((s, i) => {
      const capacityWh = s.capacityKwh * KWH;
      const initialWh = (capacityWh * BigInt(s.initialShare)) / 4n;
      const storage: StorageOrder = {
        kind: 'STORAGE',
        ...base(`storage-${i}`),
        carrier: carrier(s.heat),
        capacityWh,
        initialWh,
        // above the initial state too (a store that must end fuller than it starts may fall
        // short), as far as its own charging could take it
        minFinalWh: [
          (capacityWh * BigInt(s.finalShare)) / 4n,
          initialWh +
            (BigInt(intervals) * s.chargeKwh * KWH * s.chargeEfficiency.num) /
              s.chargeEfficiency.den,
        ].reduce((a, b) => (a < b ? a : b)),
        maxChargeWh: s.chargeKwh * KWH,
        maxDischargeWh: s.dischargeKwh * KWH,
        chargeEfficiency: s.chargeEfficiency,
        dischargeEfficiency: s.dischargeEfficiency,
        dischargeCostTicks: ticks(s.wear) < 0n ? 0n : ticks(s.wear),
      };
      orders.push(storage);
    });

    const importPriceTicks = ticks(draw.connection.importPrice);
    const electricity: CarrierTerms = {
      code: 'ELECTRICITY',
      connection: draw.connected
        ? {
            importLimitWh: draw.connection.importLimitKwh * KWH,
            importPriceTicks,
            exportLimitWh: draw.connection.exportLimitKwh * KWH,
            exportPriceTicks: importPriceTicks - ticks(draw.connection.exportCut),
          }
        : null,
    };
    return {
      terms: {
        intervals,
        carriers: [electricity, { code: 'HEAT', connection: null }],
        grid: draw.grid,
        k: draw.k,
      },
      orders,
    };
  });

describe('random integrated auctions', () => {
  it('clear, verify, and keep every physical limit', () => {
    fc.assert(
      fc.property(auctionArbitrary, (auction) => {
        expect(validateAuction(auction)).toEqual({ ok: true });
        const result = clearAuction(auction, solver, () => 0);
        if (result.status !== 'CLEARED') throw new Error(JSON.stringify(result.rejections));
        const failed = verifyAuction(auction, result).checks.filter((check) => !check.ok);
        expect(failed).toEqual([]);

        const T = auction.terms.intervals;
        const { quantities, prices } = result;
        const caps = compilePriceGrid(auction.terms.grid);
        for (const row of prices.priceTicks) {
          for (const price of row) {
            if (price === null) continue;
            expect(price >= caps.minTicks && price <= caps.maxTicks).toBe(true);
          }
        }
        for (const order of auction.orders) {
          if (order.kind === 'STEP') {
            const filled = quantities.steps.get(order.id)!;
            expect(filled >= 0n && filled <= order.quantityWh).toBe(true);
          } else if (order.kind === 'CONVERSION') {
            quantities.conversions.get(order.id)!.forEach((input, t) => {
              expect(input >= 0n && input <= maxInputAt(order, t)).toBe(true);
            });
          } else if (order.kind === 'STORAGE') {
            const schedule = quantities.storages.get(order.id)!;
            for (let t = 0; t < T; t++) {
              expect(schedule.chargeWh[t] >= 0n && schedule.chargeWh[t] <= order.maxChargeWh).toBe(
                true,
              );
              expect(
                schedule.dischargeWh[t] >= 0n && schedule.dischargeWh[t] <= order.maxDischargeWh,
              ).toBe(true);
              const state = schedule.stateWh[t];
              expect(
                compare(state, whole(0n)) >= 0 && compare(state, whole(order.capacityWh)) <= 0,
              ).toBe(true);
            }
            const reached = add(schedule.stateWh[T - 1], whole(schedule.shortfallWh));
            expect(compare(reached, whole(order.minFinalWh)) >= 0).toBe(true);
          }
        }
        const connection = auction.terms.carriers[0].connection;
        const grid = quantities.grid.get('ELECTRICITY');
        if (connection !== null && grid !== undefined) {
          for (let t = 0; t < T; t++) {
            expect(grid.importWh[t] <= connection.importLimitWh).toBe(true);
            expect(grid.exportWh[t] <= connection.exportLimitWh).toBe(true);
          }
        }
        // What rounding to whole Wh leaves over goes to the grid or balancing line: a Wh per
        // order line, and for a storage what fitting a charge to its capacity may take.
        const residual = new Map<string, bigint>();
        const allowed = new Map<string, bigint>();
        const bump = (map: Map<string, bigint>, key: string, by: bigint) =>
          map.set(key, (map.get(key) ?? 0n) + by);
        for (const line of result.awards.lines) {
          const key = `${line.carrier} ${line.interval}`;
          const signed = line.side === 'BUY' ? line.quantityWh : -line.quantityWh;
          if (line.party.kind === 'ORDER') bump(allowed, key, 1n);
          else bump(residual, key, signed);
        }
        for (const [carrier, flows] of quantities.grid) {
          // the scheduled flows are not residuals: take their lines back out
          flows.importWh.forEach((wh, t) => bump(residual, `${carrier} ${t}`, wh));
          flows.exportWh.forEach((wh, t) => bump(residual, `${carrier} ${t}`, -wh));
        }
        for (const order of auction.orders) {
          if (order.kind !== 'STORAGE') continue;
          const { chargeEfficiency: c, dischargeEfficiency: d } = order;
          const fit = 2n + (c.den * d.den + c.num * d.num - 1n) / (c.num * d.num);
          for (let t = 0; t < T; t++) bump(allowed, `${order.carrier} ${t}`, fit);
        }
        for (const [key, wh] of residual) {
          const bound = allowed.get(key) ?? 0n;
          expect([key, wh >= -bound && wh <= bound]).toEqual([key, true]);
        }

        // the same input, cleared again, gives the same bytes
        const again = clearAuction(auction, solver, () => 0);
        if (again.status !== 'CLEARED') throw new Error('cleared once, refused the second time');
        expect(hashAuctionResult(again)).toBe(hashAuctionResult(result));
      }),
      { numRuns: Number(process.env.RUNS ?? 200), seed: Number(process.env.SEED ?? 20261201) },
    );
  });
});
