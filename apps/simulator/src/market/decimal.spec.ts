import fc from 'fast-check';
import { readScaled, roundScaled, scaledToText, ticksToPrice, whToKwh } from './decimal';

describe('exact decimal text', () => {
  it('writes Wh as kWh with at most three decimals', () => {
    expect(whToKwh(12_345)).toBe('12.345');
    expect(whToKwh(1000)).toBe('1');
    expect(whToKwh(1500)).toBe('1.5');
    expect(whToKwh(1)).toBe('0.001');
    expect(whToKwh(0)).toBe('0');
    expect(whToKwh(-250)).toBe('-0.25');
  });

  it('writes ticks with the tick decimals', () => {
    expect(ticksToPrice(2300, 4)).toBe('0.2300');
    expect(ticksToPrice(1, 4)).toBe('0.0001');
    expect(ticksToPrice(-5000, 4)).toBe('-0.5000');
    expect(ticksToPrice(40_000, 4)).toBe('4.0000');
  });

  it('refuses anything but safe integers', () => {
    expect(() => whToKwh(1.5)).toThrow('safe integer');
    expect(() => ticksToPrice(Number.NaN, 4)).toThrow('safe integer');
  });

  it("reads the server's decimals exactly and throws on finer or foreign text", () => {
    expect(readScaled('-12.34', 2)).toBe(-1234n);
    expect(() => readScaled('1.234', 2)).toThrow('decimal 1.234 has more than 2 decimal places');
    expect(() => readScaled('abc', 2)).toThrow('decimal "abc" is not a plain decimal');
  });

  it('round-trips every quantity', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (wh) => {
        const text = whToKwh(wh);
        expect(text).toMatch(/^-?\d+(\.\d{1,3})?$/);
        expect(readScaled(text, 3)).toBe(BigInt(wh));
      }),
    );
  });

  it('rounds an exact half away from zero', () => {
    expect(roundScaled(12_345n, 3, 2)).toBe(1235n);
    expect(roundScaled(-12_345n, 3, 2)).toBe(-1235n);
    expect(roundScaled(12_344n, 3, 2)).toBe(1234n);
    expect(scaledToText(-5n, 2, false)).toBe('-0.05');
  });
});
