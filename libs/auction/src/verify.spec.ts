import { ratio } from '@parkex/market';
import { loadHighsSolver } from '@parkex/solver';
import { clearAuction } from './clear-auction';
import type { LpSolver } from './lp';
import type { Auction, AuctionOrder } from './model';
import { verifyAuction, type ClearedAuction } from './verify';

const KWH = 1000n;
let solver: LpSolver;
beforeAll(async () => {
  solver = await loadHighsSolver();
});

let seq = 0n;
const step = (
  id: string,
  carrier: string,
  interval: number,
  side: 'BUY' | 'SELL',
  priceTicks: bigint,
  kwh: bigint,
): AuctionOrder => ({
  kind: 'STEP',
  id,
  participant: id,
  seq: ++seq,
  carrier,
  interval,
  side,
  priceTicks,
  quantityWh: kwh * KWH,
});

/** Two intervals: heat pump, battery, a block; every kind of check has something to look at. */
const auction: Auction = {
  terms: {
    intervals: 2,
    carriers: [
      {
        code: 'ELECTRICITY',
        connection: {
          importLimitWh: 500n * KWH,
          importPriceTicks: 90n,
          exportLimitWh: 500n * KWH,
          exportPriceTicks: 10n,
        },
      },
      { code: 'HEAT', connection: null },
    ],
    grid: { priceTick: '1', minPrice: '-500', maxPrice: '3000' },
    k: ratio(1n, 2n),
  },
  orders: [
    step('pv', 'ELECTRICITY', 0, 'SELL', 0n, 100n),
    step('load-0', 'ELECTRICITY', 0, 'BUY', 200n, 20n),
    step('load-1', 'ELECTRICITY', 1, 'BUY', 200n, 100n),
    step('heat-0', 'HEAT', 0, 'BUY', 40n, 150n),
    step('boiler-0', 'HEAT', 0, 'SELL', 30n, 200n),
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
    {
      kind: 'STORAGE',
      id: 'battery',
      participant: 'battery',
      seq: ++seq,
      carrier: 'ELECTRICITY',
      capacityWh: 100n * KWH,
      initialWh: 0n,
      minFinalWh: 0n,
      maxChargeWh: 100n * KWH,
      maxDischargeWh: 100n * KWH,
      chargeEfficiency: ratio(9n, 10n),
      dischargeEfficiency: ratio(9n, 10n),
      dischargeCostTicks: 1n,
    },
    {
      kind: 'BLOCK',
      id: 'shift',
      participant: 'factory',
      seq: ++seq,
      carrier: 'ELECTRICITY',
      side: 'BUY',
      priceTicks: 150n,
      firstInterval: 0,
      profileWh: [10n * KWH, 10n * KWH],
      minAcceptance: ratio(1n, 1n),
      parentId: null,
      exclusiveGroup: null,
    },
  ],
};

let result: ClearedAuction;
beforeAll(() => {
  const cleared = clearAuction(auction, solver, () => 0);
  if (cleared.status !== 'CLEARED') throw new Error('not cleared');
  result = cleared;
});

const failed = (tampered: ClearedAuction) =>
  verifyAuction(auction, tampered)
    .checks.filter((check) => !check.ok)
    .map((check) => check.name);

describe('verifyAuction', () => {
  it('passes every check of an untouched result', () => {
    const verification = verifyAuction(auction, result);
    expect(verification.checks.map((check) => [check.name, check.ok, check.details])).toEqual(
      verification.checks.map((check) => [check.name, true, []]),
    );
    expect(verification.checks.map((check) => check.name)).toEqual([
      'input',
      'prices',
      'balance',
      'money',
      'awards',
      'steps',
      'blocks',
      'paradoxically-rejected',
      'conversions',
      'storages',
      'duality',
    ]);
    expect(result.acceptedBlocks).toEqual(['shift']);
  });

  it('catches a tampered published price', () => {
    const priceTicks = result.prices.priceTicks.map((row) => [...row]);
    priceTicks[1][0] = priceTicks[1][0]! + 1n;
    expect(failed({ ...result, prices: { ...result.prices, priceTicks } })).toEqual(['prices']);
  });

  it('catches a tampered exact price, which the schedule no longer answers to', () => {
    const exact = result.prices.exact.map((row) => [...row]);
    exact[1][0] = ratio(exact[1][0].num + 5n * exact[1][0].den, exact[1][0].den);
    // the heat price no longer matches the published one, the lines are priced at the old
    // one, the boiler (partly taken) is now in the money, and welfare ≠ the dual objective
    expect(failed({ ...result, prices: { ...result.prices, exact } })).toEqual([
      'prices',
      'money',
      'steps',
      'duality',
    ]);
  });

  it('catches a tampered award', () => {
    const lines = result.awards.lines.map((line) =>
      line.party.kind === 'ORDER' && line.party.orderId === 'load-1'
        ? { ...line, quantityWh: line.quantityWh - 1n }
        : line,
    );
    expect(failed({ ...result, awards: { ...result.awards, lines } })).toEqual(
      expect.arrayContaining(['balance', 'money', 'awards']),
    );
  });

  it('catches a tampered state of charge', () => {
    const storages = new Map(result.quantities.storages);
    const battery = storages.get('battery')!;
    storages.set('battery', {
      ...battery,
      stateWh: battery.stateWh.map((state, t) =>
        t === 0 ? ratio(state.num + state.den, state.den) : state,
      ),
    });
    expect(failed({ ...result, quantities: { ...result.quantities, storages } })).toEqual([
      'storages',
    ]);
  });

  it('catches a tampered block outcome', () => {
    const blocks = new Map(result.quantities.blocks);
    blocks.set('shift', ratio(0n, 1n));
    expect(failed({ ...result, quantities: { ...result.quantities, blocks } })).toEqual(
      expect.arrayContaining(['awards', 'paradoxically-rejected']),
    );
  });
});
