import { gcd, parseDecimal, pow10 } from './decimal';
import { InvariantViolation } from './invariant';
import { ok, reject, type Result } from './result';

/** An exact fraction `num / den` in lowest terms with `den > 0`. */
export interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

/**
 * Parses the uniform-price parameter k: a decimal string in [0, 1] (`"0.5"` →
 * `{ num: 1n, den: 2n }`, `"1"` → `{ num: 1n, den: 1n }`). The price is L + k·(U − L):
 * k = 0 prices at the low end L of the clearing range, k = 1 at the high end U.
 * Rejects `INVALID_DECIMAL`, `TOO_MANY_DECIMALS` and `K_OUT_OF_RANGE`.
 */
export function parseK(text: string): Result<Ratio> {
  const parsed = parseDecimal(text, { what: 'k' });
  if (!parsed.ok) return parsed;
  const { coefficient, scale } = parsed.value;
  const den = pow10(scale);
  if (coefficient < 0n || coefficient > den) {
    return reject('K_OUT_OF_RANGE', `k must be between 0 and 1, got ${text}`);
  }
  return ok(ratio(coefficient, den));
}

/** A ratio in lowest terms; throws `InvariantViolation` for a zero or negative denominator. */
export function ratio(num: bigint, den: bigint): Ratio {
  if (den <= 0n) throw new InvariantViolation(`ratio denominator must be positive, got ${den}`);
  const divisor = gcd(num, den);
  return divisor <= 1n ? { num, den } : { num: num / divisor, den: den / divisor };
}

/** Throws `InvariantViolation` unless `k` is a fraction in [0, 1] with a positive denominator. */
export function assertK(k: Ratio): void {
  if (typeof k?.num !== 'bigint' || typeof k?.den !== 'bigint' || k.den <= 0n) {
    throw new InvariantViolation('k must be a Ratio { num: bigint, den: bigint } with den > 0');
  }
  if (k.num < 0n || k.num > k.den) {
    throw new InvariantViolation(`k must lie in [0, 1], got ${k.num}/${k.den}`);
  }
}
