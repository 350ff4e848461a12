import { ratio } from '@parkex/market';
import { loadHighsSolver } from '@parkex/solver';
import { clearAuction } from './clear-auction';
import type { LpSolver } from './lp';
import { exampleAuction as auction } from './spec-examples';
import { verifyAuction, type ClearedAuction } from './verify';

let solver: LpSolver;
beforeAll(async () => {
  solver = await loadHighsSolver();
});

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
