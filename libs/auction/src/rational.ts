import { ratio, type Ratio } from '@parkex/market';

/** Largest denominator `snap` looks for. */
const MAX_SNAP_DENOMINATOR = 1_000_000n;

/**
 * The exact value a solver's float stands for: the nearest whole number when within 1e-6
 * (relative), else the continued-fraction approximation with the smallest denominator (up to
 * 10^6) within 1e-9. Prices of the auction are whole ticks, or quotients of them by the
 * conversion ratios and efficiencies, whose terms are bounded; the verification re-checks
 * every published number exactly, so a wrong snap shows there and cannot go unnoticed.
 */
export function snap(x: number): Ratio {
  if (!Number.isFinite(x)) throw new RangeError(`cannot snap ${x}`);
  const scale = Math.max(1, Math.abs(x));
  const nearest = Math.round(x);
  if (Math.abs(x - nearest) <= 1e-6 * scale) return { num: BigInt(nearest), den: 1n };
  let [h0, h1, k0, k1] = [0n, 1n, 1n, 0n];
  let rest = x;
  for (let i = 0; i < 40; i++) {
    const whole = Math.floor(rest);
    const a = BigInt(whole);
    const [h2, k2] = [a * h1 + h0, a * k1 + k0];
    if (k2 > MAX_SNAP_DENOMINATOR) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    if (Math.abs(x - Number(h1) / Number(k1)) <= 1e-9 * scale) break;
    const fraction = rest - whole;
    if (fraction < 1e-12) break;
    rest = 1 / fraction;
  }
  return ratio(h1, k1);
}

/** `value` rounded to a whole number, an exact half up (towards +∞). */
export function roundHalfUp(value: Ratio): bigint {
  return floorDiv(2n * value.num + value.den, 2n * value.den);
}

export function floorDiv(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return numerator % denominator !== 0n && numerator < 0n !== denominator < 0n
    ? quotient - 1n
    : quotient;
}

export const add = (a: Ratio, b: Ratio): Ratio =>
  ratio(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Ratio, b: Ratio): Ratio =>
  ratio(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (a: Ratio, b: Ratio): Ratio => ratio(a.num * b.num, a.den * b.den);
export const whole = (n: bigint): Ratio => ({ num: n, den: 1n });
export const div = (a: Ratio, b: Ratio): Ratio =>
  b.num < 0n ? ratio(-a.num * b.den, a.den * -b.num) : ratio(a.num * b.den, a.den * b.num);
export const compare = (a: Ratio, b: Ratio): number => {
  const difference = a.num * b.den - b.num * a.den;
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
};
export const floorOf = (value: Ratio): bigint => floorDiv(value.num, value.den);
export const ceilOf = (value: Ratio): bigint => -floorDiv(-value.num, value.den);

/** `fraction` of `wh` in whole Wh, an exact half up: a block's accepted share, a conversion's output. */
export const shareWh = (fraction: Ratio, wh: bigint): bigint =>
  roundHalfUp(mul(fraction, whole(wh)));
