import { InvariantViolation } from './invariant';

/** An integer as a `bigint`, or as a `number` that must be a safe integer. */
export type IntegerLike = bigint | number;

export const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

/** The value as a bigint; throws `InvariantViolation` for a non-integer or unsafe number. */
export function toBigInt(value: IntegerLike, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) {
    throw new InvariantViolation(`${what} must be a safe integer, got ${String(value)}`);
  }
  return BigInt(value);
}

/** The value as a safe-integer number; throws `InvariantViolation` when it does not fit. */
export function toSafeNumber(value: IntegerLike, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new InvariantViolation(`${what} must be a safe integer, got ${String(value)}`);
    }
    return value;
  }
  if (value > MAX_SAFE_BIGINT || value < -MAX_SAFE_BIGINT) {
    throw new InvariantViolation(`${what} ${value} is outside the safe-integer range`);
  }
  return Number(value);
}
