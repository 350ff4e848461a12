import fc from 'fast-check';
import { clearUniformPrice, formatPrice, ratio, type Order, type Ratio } from '@parkex/market';
import { loadHighsSolver } from '@parkex/solver';
import { WORKED_VECTORS } from '@parkex/test-support/worked-vectors';
import { clearAuction, type AuctionClearing } from './clear-auction';
import { verifyAuction } from './verify';
import type { LpSolver } from './lp';
import type { Auction, AuctionOrder, AuctionTerms, BlockOrder, StepOrder } from './model';

const KWH = 1000n;
const clock = () => 0;
let solver: LpSolver;
beforeAll(async () => {
  solver = await loadHighsSolver();
});

const grid = { priceTick: '1', minPrice: '-500', maxPrice: '3000' };
const terms = (intervals: number, carriers: string[], k: Ratio = ratio(1n, 2n)): AuctionTerms => ({
  intervals,
  carriers: carriers.map((code) => ({ code, connection: null })),
  grid,
  k,
});

let seq = 0n;
const step = (id: string, fields: Partial<StepOrder>): StepOrder => ({
  kind: 'STEP',
  id,
  participant: id,
  seq: ++seq,
  carrier: 'ELECTRICITY',
  interval: 0,
  side: 'BUY',
  priceTicks: 0n,
  quantityWh: 0n,
  ...fields,
});

type Cleared = Extract<AuctionClearing, { status: 'CLEARED' }>;

/**
 * The result, after checking that energy balances per carrier-interval, money sums to zero and
 * the solver-free verification passes.
 */
function cleared(result: AuctionClearing, auction: Auction): Cleared {
  if (result.status !== 'CLEARED') throw new Error(JSON.stringify(result.rejections));
  const verification = verifyAuction(auction, result);
  expect(verification.checks.filter((check) => !check.ok)).toEqual([]);
  const energy = new Map<string, bigint>();
  let money = 0n;
  for (const line of result.awards.lines) {
    const key = `${line.carrier} ${line.interval}`;
    const sign = line.side === 'BUY' ? 1n : -1n;
    energy.set(key, (energy.get(key) ?? 0n) + sign * line.quantityWh);
    money += sign * line.amountMinor;
  }
  expect([...energy.values()].filter((net) => net !== 0n)).toEqual([]);
  expect(money).toBe(result.awards.roundingMinor);
  return result;
}

const clearAndVerify = (auction: Auction) => cleared(clearAuction(auction, solver, clock), auction);

const linesOf = (result: Cleared, id: string) =>
  result.awards.lines
    .filter((line) => line.party.kind === 'ORDER' && line.party.orderId === id)
    .map(({ carrier, interval, side, quantityWh, priceTicks, amountMinor }) => ({
      carrier,
      interval,
      side,
      quantityWh,
      priceTicks,
      amountMinor,
    }));

describe('clearAuction', () => {
  it('co-clears electricity and heat through a heat pump (the worked example)', () => {
    const orders: AuctionOrder[] = [
      step('el-offer-20', { side: 'SELL', priceTicks: 20n, quantityWh: 100n * KWH }),
      step('el-offer-50', { side: 'SELL', priceTicks: 50n, quantityWh: 100n * KWH }),
      step('el-bid-80', { priceTicks: 80n, quantityWh: 120n * KWH }),
      step('heat-bid-40', { carrier: 'HEAT', priceTicks: 40n, quantityWh: 150n * KWH }),
      step('heat-bid-10', { carrier: 'HEAT', priceTicks: 10n, quantityWh: 100n * KWH }),
      step('boiler', { carrier: 'HEAT', side: 'SELL', priceTicks: 30n, quantityWh: 200n * KWH }),
      {
        kind: 'CONVERSION',
        id: 'heat-pump',
        participant: 'heat-pump',
        seq: ++seq,
        input: 'ELECTRICITY',
        outputs: [{ carrier: 'HEAT', ratio: ratio(3n, 1n) }],
        maxInputWh: 40n * KWH,
        costTicks: 0n,
      },
    ];
    const result = clearAndVerify({ terms: terms(1, ['ELECTRICITY', 'HEAT']), orders });

    expect(result.prices.priceTicks).toEqual([[50n], [30n]]);
    expect(result.welfare).toBeCloseTo(9700, 6);
    expect(result.quantities.conversions.get('heat-pump')).toEqual([40n * KWH]);
    expect(Object.fromEntries(result.quantities.steps)).toEqual({
      'el-offer-20': 100n * KWH,
      'el-offer-50': 60n * KWH,
      'el-bid-80': 120n * KWH,
      'heat-bid-40': 150n * KWH,
      'heat-bid-10': 0n,
      boiler: 30n * KWH,
    });
    expect(result.quantities.volumeWh).toEqual([[160n * KWH], [150n * KWH]]);
    // 120 kWh at 50 (currency per kWh on a 1-unit tick): 6,000.00
    expect(linesOf(result, 'el-bid-80')).toEqual([
      {
        carrier: 'ELECTRICITY',
        interval: 0,
        side: 'BUY',
        quantityWh: 120n * KWH,
        priceTicks: 50n,
        amountMinor: 600_000n,
      },
    ]);
    // the heat pump pays for 40 kWh of electricity at 50 and is paid for 120 kWh of heat at 30
    expect(linesOf(result, 'heat-pump').map((l) => [l.carrier, l.side, l.amountMinor])).toEqual([
      ['ELECTRICITY', 'BUY', 200_000n],
      ['HEAT', 'SELL', 360_000n],
    ]);
    expect(result.awards.roundingMinor).toBe(0n);
  });

  it('moves the noon PV surplus to the evening through a battery, pricing noon at the stored value', () => {
    const connected: AuctionTerms = {
      ...terms(2, ['ELECTRICITY']),
      carriers: [
        {
          code: 'ELECTRICITY',
          connection: {
            importLimitWh: 1000n * KWH,
            importPriceTicks: 90n,
            exportLimitWh: 1000n * KWH,
            exportPriceTicks: 10n,
          },
        },
      ],
    };
    const orders: AuctionOrder[] = [
      step('pv', { side: 'SELL', priceTicks: 0n, quantityWh: 100n * KWH }),
      step('noon-load', { priceTicks: 200n, quantityWh: 20n * KWH }),
      step('evening-load', { interval: 1, priceTicks: 200n, quantityWh: 100n * KWH }),
      {
        kind: 'STORAGE',
        id: 'battery',
        participant: 'battery-plant',
        seq: ++seq,
        carrier: 'ELECTRICITY',
        capacityWh: 100n * KWH,
        initialWh: 0n,
        minFinalWh: 0n,
        maxChargeWh: 100n * KWH,
        maxDischargeWh: 100n * KWH,
        chargeEfficiency: ratio(9n, 10n),
        dischargeEfficiency: ratio(9n, 10n),
        dischargeCostTicks: 0n,
      },
    ];
    const result = clearAndVerify({ terms: connected, orders });

    // the battery charges the 80 kWh left at noon (worth 90 × 0.9 × 0.9 = 72.9 there) and
    // delivers 80 × 0.81 = 64.8 kWh in the evening; the grid brings the other 35.2 kWh at 90
    expect(result.prices.low).toEqual([[ratio(729n, 10n), ratio(90n, 1n)]]);
    expect(result.prices.priceTicks).toEqual([[73n, 90n]]);
    expect(result.quantities.storages.get('battery')).toEqual({
      chargeWh: [80n * KWH, 0n],
      dischargeWh: [0n, 64_800n],
      stateWh: [ratio(72_000n, 1n), ratio(0n, 1n)],
      shortfallWh: 0n,
    });
    expect(result.quantities.grid.get('ELECTRICITY')).toEqual({
      importWh: [0n, 35_200n],
      exportWh: [0n, 0n],
    });
  });

  it('lets a heat tank that must end fuller than the park can fill it fall short, instead of failing the auction', () => {
    const tank = (minFinalKwh: bigint): AuctionOrder => ({
      kind: 'STORAGE',
      id: 'tank',
      participant: 'tank',
      seq: ++seq,
      carrier: 'HEAT',
      capacityWh: 200n * KWH,
      initialWh: 20n * KWH,
      minFinalWh: minFinalKwh * KWH,
      maxChargeWh: 100n * KWH,
      maxDischargeWh: 100n * KWH,
      chargeEfficiency: ratio(1n, 1n),
      dischargeEfficiency: ratio(1n, 1n),
      dischargeCostTicks: 0n,
    });
    const orders = (minFinalKwh: bigint): AuctionOrder[] => [
      step('boiler', { carrier: 'HEAT', side: 'SELL', priceTicks: 30n, quantityWh: 50n * KWH }),
      step('heat-bid', { carrier: 'HEAT', priceTicks: 3000n, quantityWh: 10n * KWH }),
      tank(minFinalKwh),
    ];

    // 50 kWh of heat for sale, 80 wanted by the tank and 10 by the bid at the cap: both are
    // worth the cap, they share the 50 (a tie), and the tank reports what it lacks
    const short = clearAndVerify({ terms: terms(1, ['HEAT']), orders: orders(100n) });
    const schedule = short.quantities.storages.get('tank')!;
    expect(schedule.chargeWh[0] + short.quantities.steps.get('heat-bid')!).toBe(50n * KWH);
    expect(schedule.shortfallWh).toBe(100n * KWH - 20n * KWH - schedule.chargeWh[0]);
    expect(short.prices.priceTicks).toEqual([[3000n]]);

    // within reach, the same tank is simply filled, and heat costs what the boiler asks
    const met = clearAndVerify({ terms: terms(1, ['HEAT']), orders: orders(50n) });
    expect(met.quantities.storages.get('tank')).toMatchObject({
      chargeWh: [30n * KWH],
      shortfallWh: 0n,
    });
    expect(met.quantities.steps.get('heat-bid')).toBe(10n * KWH);
    expect(met.prices.priceTicks).toEqual([[30n]]);
  });

  it('accepts both demand blocks of the non-convex example of Bichler et al.', () => {
    const suppliers = [0, 1, 2].flatMap((t) => [
      step(`cheap-${t}`, { interval: t, side: 'SELL', priceTicks: 3n, quantityWh: 20n * KWH }),
      step(`dear-${t}`, { interval: t, side: 'SELL', priceTicks: 5n, quantityWh: 15n * KWH }),
    ]);
    const block = (id: string, profile: bigint[]): BlockOrder => ({
      kind: 'BLOCK',
      id,
      participant: id,
      seq: ++seq,
      carrier: 'ELECTRICITY',
      side: 'BUY',
      priceTicks: 100n,
      firstInterval: 0,
      profileWh: profile.map((kwh) => kwh * KWH),
      minAcceptance: ratio(1n, 1n),
      parentId: null,
      exclusiveGroup: null,
    });
    const orders = [...suppliers, block('a', [4n, 6n, 10n]), block('b', [3n, 6n, 12n])];
    const result = clearAndVerify({ terms: terms(3, ['ELECTRICITY']), orders });

    expect(result.acceptedBlocks).toEqual(['a', 'b']);
    expect(result.prices.priceTicks).toEqual([[3n, 3n, 5n]]);
    expect(result.quantities.volumeWh).toEqual([[7n * KWH, 12n * KWH, 22n * KWH]]);
    expect(result.removedBlocks).toEqual([]);
  });

  it('removes a paradoxically accepted block and reports it as paradoxically rejected', () => {
    const orders: AuctionOrder[] = [
      step('bid-100', { priceTicks: 100n, quantityWh: 6n * KWH }),
      step('bid-40', { priceTicks: 40n, quantityWh: 4n * KWH }),
      step('offer-60', { side: 'SELL', priceTicks: 60n, quantityWh: 6n * KWH }),
      {
        kind: 'BLOCK',
        id: 'all-or-nothing',
        participant: 'chp',
        seq: ++seq,
        carrier: 'ELECTRICITY',
        side: 'SELL',
        priceTicks: 50n,
        firstInterval: 0,
        profileWh: [10n * KWH],
        minAcceptance: ratio(1n, 1n),
        parentId: null,
        exclusiveGroup: null,
      },
    ];
    // with the block welfare is 260 but the 4 kWh bid at 40 would have to take energy at ≥ 50
    const result = clearAndVerify({ terms: terms(1, ['ELECTRICITY']), orders });

    expect(result.removedBlocks).toEqual(['all-or-nothing']);
    expect(result.acceptedBlocks).toEqual([]);
    expect(result.paradoxicallyRejected).toEqual(['all-or-nothing']);
    // the offer at 60 is fully taken and the bid at 40 is out: [60, 100], k = 1/2
    expect(result.prices.priceTicks).toEqual([[80n]]);
    expect(result.quantities.steps.get('bid-100')).toBe(6n * KWH);
  });

  it('clears one carrier, one interval of step orders exactly as UNIFORM_PRICE does, for every k', () => {
    const side = fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL');
    const order = fc.record({
      side,
      priceTicks: fc.bigInt({ min: -5n, max: 30n }),
      quantityWh: fc.bigInt({ min: 1n, max: 5_000n }),
    });
    const k = fc.constantFrom(
      ratio(0n, 1n),
      ratio(1n, 4n),
      ratio(1n, 2n),
      ratio(1n, 3n),
      ratio(1n, 1n),
    );
    fc.assert(
      fc.property(fc.array(order, { maxLength: 14 }), k, (book, kValue) => {
        const orders: Order[] = book.map((o, i) => ({
          id: BigInt(i + 1),
          acceptedAt: BigInt(i + 1),
          ...o,
        }));
        const expected = clearUniformPrice(orders, { k: kValue }, grid);
        const auction: Auction = {
          terms: terms(1, ['ELECTRICITY'], kValue),
          orders: orders.map((o) =>
            step(`o${o.id}`, {
              side: o.side,
              priceTicks: o.priceTicks,
              quantityWh: o.quantityWh,
              seq: o.acceptedAt,
            }),
          ),
        };
        const result = clearAndVerify(auction);

        expect(result.prices.priceTicks[0][0]).toBe(expected.priceTicks);
        const bought = orders
          .filter((o) => o.side === 'BUY')
          .reduce((sum, o) => sum + result.quantities.steps.get(`o${o.id}`)!, 0n);
        expect(bought).toBe(expected.volumeWh);
        for (const o of orders) {
          expect([o.id, result.quantities.steps.get(`o${o.id}`)]).toEqual([
            o.id,
            expected.filled.get(o.id),
          ]);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("the per-interval rule's worked vectors through the integrated engine", () => {
  it.each(WORKED_VECTORS)('$name', ({ orders, grid, k, price, volumeWh, filledWh }) => {
    // time priority: acceptance time, then id, becomes the auction's acceptance sequence
    const byTime = [...orders].sort((a, b) =>
      a.acceptedAt === b.acceptedAt ? (a.id < b.id ? -1 : 1) : a.acceptedAt < b.acceptedAt ? -1 : 1,
    );
    const auction: Auction = {
      terms: { ...terms(1, ['ELECTRICITY'], k), grid },
      orders: orders.map((o) =>
        step(`o${o.id}`, {
          side: o.side,
          priceTicks: o.priceTicks,
          quantityWh: o.quantityWh,
          seq: BigInt(byTime.indexOf(o) + 1),
        }),
      ),
    };
    const result = clearAndVerify(auction);

    const published = result.prices.priceTicks[0][0];
    expect(published === null ? null : formatPrice(published, grid)).toBe(price);
    expect(result.quantities.volumeWh[0][0]).toBe(volumeWh);
    expect(orders.map((o) => result.quantities.steps.get(`o${o.id}`))).toEqual(filledWh);
  });
});
