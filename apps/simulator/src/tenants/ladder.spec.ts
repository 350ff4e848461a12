import fc from 'fast-check';
import { ladder } from './ladder';

describe('ladder', () => {
  it('splits a quantity exactly over its steps', () => {
    const orders = ladder('electricity', 'BUY', 1001, [
      { share: 0.4, priceTicks: 1800 },
      { share: 0.3, priceTicks: 1600 },
      { share: 0.3, priceTicks: 1400 },
    ]);
    expect(orders).toEqual([
      { product: 'electricity', side: 'BUY', priceTicks: 1800, quantityWh: 401, block: 'b1' },
      { product: 'electricity', side: 'BUY', priceTicks: 1600, quantityWh: 300, block: 'b2' },
      { product: 'electricity', side: 'BUY', priceTicks: 1400, quantityWh: 300, block: 'b3' },
    ]);
  });

  it('merges steps at the same price and drops empty parts', () => {
    const orders = ladder('heat', 'SELL', 3, [
      { share: 1, priceTicks: 500 },
      { share: 1, priceTicks: 500 },
      { share: 0.001, priceTicks: 900 },
    ]);
    expect(orders).toEqual([
      { product: 'heat', side: 'SELL', priceTicks: 500, quantityWh: 3, block: 's1' },
    ]);
    expect(ladder('heat', 'SELL', 0, [{ share: 1, priceTicks: 500 }])).toEqual([]);
  });

  it('refuses fractional energy and prices', () => {
    expect(() => ladder('heat', 'BUY', 1.5, [{ share: 1, priceTicks: 1 }])).toThrow('integer');
    expect(() => ladder('heat', 'BUY', 10, [{ share: 1, priceTicks: 0.5 }])).toThrow('ticks');
  });

  it('always adds up to the total, in positive integer parts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(
          fc.record({
            share: fc.double({ min: 0.01, max: 5, noNaN: true }),
            priceTicks: fc.integer({ min: -5000, max: 40_000 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (total, steps) => {
          const orders = ladder('electricity', 'SELL', total, steps);
          expect(orders.reduce((sum, o) => sum + o.quantityWh, 0)).toBe(total);
          for (const o of orders) {
            expect(Number.isSafeInteger(o.quantityWh) && o.quantityWh > 0).toBe(true);
          }
          expect(new Set(orders.map((o) => o.priceTicks)).size).toBe(orders.length);
        },
      ),
    );
  });
});
