import { clearPayAsBid } from './pay-as-bid';
import { TENTH_GRID, unitBook } from './spec-support';

describe('clearPayAsBid', () => {
  it('walks like UNIFORM_PRICE but prices each pair at its bid', () => {
    const result = clearPayAsBid(
      unitBook(['100', '90', '80', '70', '60'], ['80', '85', '95', '100', '110'], TENTH_GRID),
      TENTH_GRID,
    );
    expect(result.status).toBe('CLEARED');
    expect(result.mechanism).toBe('PAY_AS_BID');
    expect(result.volumeWh).toBe(2000n);
    expect(
      result.fills.map((f) => [f.buyOrderId, f.sellOrderId, f.priceTicks, f.amountMinor]),
    ).toEqual([
      [1n, 6n, 1000n, 10000n],
      [2n, 7n, 900n, 9000n],
    ]);
    // the reported price is the last matched (marginal) bid's
    expect(result.priceTicks).toBe(900n);
    expect(result.priceRange).toEqual({ lowTicks: 850n, highTicks: 900n });
    expect(result.amountMinor).toBe(19000n);
  });

  it('no cross → NO_TRADE with price null', () => {
    const result = clearPayAsBid(unitBook(['1'], ['2'], TENTH_GRID), TENTH_GRID);
    expect(result.status).toBe('NO_TRADE');
    expect(result.priceTicks).toBeNull();
    expect(result.volumeWh).toBe(0n);
  });
});
