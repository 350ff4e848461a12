import fc from 'fast-check';
import { InvariantViolation } from './invariant';
import {
  amountMinorOf,
  amountRule,
  fillAmountMinor,
  formatMoney,
  networkFeeMinor,
  numericAmountRule,
  parseFeePerKwh,
} from './money';
import { compilePriceGrid, type PriceGrid } from './price-grid';

const grid: PriceGrid = { priceTick: '0.0001', minPrice: '-500', maxPrice: '4000' };
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

describe('fillAmountMinor', () => {
  it.each([
    // quantity Wh, price ticks, minor units, why
    [1500n, 4215n, 63n, '1.5 kWh × 0.4215 = 0.63225 → 0.63'],
    [1000n, 125n, 1n, '1 kWh × 0.0125 = 0.0125 → 0.01'],
    [1000n, 50n, 1n, '0.005 is an exact half → 0.01 (away from zero)'],
    [1000n, -50n, -1n, '-0.005 is an exact half → -0.01 (away from zero)'],
    [1000n, 49n, 0n, '0.0049 → 0.00'],
    [1000n, -49n, 0n, '-0.0049 → 0.00 (no negative zero)'],
    [3000n, 150n, 5n, '3 kWh × 0.015 = 0.045 → 0.05'],
    [3000n, -150n, -5n, '3 kWh × -0.015 = -0.045 → -0.05'],
    [1n, 40000000n, 400n, '0.001 kWh × 4000 = 4.00'],
    [1000000000000n, 40000000n, 400000000000000n, '1 TWh × 4000 = 4000000000000.00'],
  ])('%p Wh at %p ticks → %p (%s)', (wh, ticks, minor) => {
    expect(fillAmountMinor(wh, ticks, grid)).toBe(minor);
  });

  it('uses the grid tick: 2 kWh at 3 ticks of 0.25 = 1.50', () => {
    expect(fillAmountMinor(2000n, 3n, { priceTick: '0.25', minPrice: '0', maxPrice: '10' })).toBe(
      150n,
    );
  });
});

describe('formatMoney', () => {
  it.each([
    [1234n, '12.34'],
    [-5n, '-0.05'],
    [0n, '0.00'],
    [1230n, '12.30'],
    [-100n, '-1.00'],
    [7, '0.07'],
  ])('%p → %s', (minor, text) => {
    expect(formatMoney(minor)).toBe(text);
  });
});

describe('network fee', () => {
  it.each([
    [1500n, '0.0125', 2n, '0.01875 → 0.02'],
    [1000n, '0.005', 1n, 'exact half away from zero'],
    [1000n, '0', 0n, 'no fee'],
    [400n, '0.0125', 1n, '0.005 → 0.01'],
    [399n, '0.0125', 0n, '0.0049875 → 0.00'],
  ])('%p Wh at %s/kWh → %p (%s)', (wh, fee, minor) => {
    expect(networkFeeMinor(wh, fee)).toBe(minor);
  });

  it('throws on a fee that was never validated', () => {
    expect(() => networkFeeMinor(1n, 'abc')).toThrow(InvariantViolation);
  });

  it('validates fees', () => {
    expect(parseFeePerKwh('0.0100')).toEqual({ ok: true, value: '0.01' });
    const negative = parseFeePerKwh('-0.01');
    expect(!negative.ok && negative.rejection.code).toBe('FEE_NEGATIVE');
    const invalid = parseFeePerKwh('1e-2');
    expect(!invalid.ok && invalid.rejection.code).toBe('INVALID_DECIMAL');
  });
});

describe('amountMinorOf (the clearing hot path)', () => {
  const grids: PriceGrid[] = [
    grid,
    { priceTick: '0.1', minPrice: '-1000', maxPrice: '1000' },
    { priceTick: '0.25', minPrice: '-100', maxPrice: '100' },
    { priceTick: '0.000001', minPrice: '-5', maxPrice: '5' },
    { priceTick: '3', minPrice: '-3000000', maxPrice: '3000000' },
  ];

  it('equals the bigint definition for any safe quantity and in-grid price', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...grids),
        fc.integer({ min: 1, max: 1_000_000_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (g, quantity, position) => {
          const compiled = compilePriceGrid(g);
          const span = Number(compiled.maxTicks - compiled.minTicks);
          const price = Number(compiled.minTicks) + Math.floor(position * span);
          const rule = amountRule(compiled);
          const numeric = numericAmountRule(rule);
          const expected = fillAmountMinor(BigInt(quantity), BigInt(price), g);
          const fast = () =>
            amountMinorOf(
              quantity,
              price,
              numeric?.numerator ?? 0,
              numeric?.denominator ?? 1,
              rule,
            );
          const slow = () => amountMinorOf(quantity, price, 0, 1, rule);
          if (expected > MAX_SAFE || expected < -MAX_SAFE) {
            expect(fast).toThrow(InvariantViolation);
            expect(slow).toThrow(InvariantViolation);
          } else {
            expect(BigInt(fast())).toBe(expected);
            expect(BigInt(slow())).toBe(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('hits exact halves on the number path', () => {
    const rule = amountRule(compilePriceGrid(grid));
    const numeric = numericAmountRule(rule)!;
    expect(amountMinorOf(1000, 50, numeric.numerator, numeric.denominator, rule)).toBe(1);
    expect(amountMinorOf(1000, -50, numeric.numerator, numeric.denominator, rule)).toBe(-1);
    expect(
      Object.is(amountMinorOf(1000, -49, numeric.numerator, numeric.denominator, rule), -0),
    ).toBe(false);
  });
});
