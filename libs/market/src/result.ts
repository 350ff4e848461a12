/**
 * Domain rejections are data, not exceptions: every fallible parse or check returns a
 * `Result`. The `code` is stable (clients and the API error map rely on it); the
 * `message` is for a person and may be reworded.
 */
export const REJECTION_CODES = [
  'INVALID_DECIMAL',
  'TOO_MANY_DECIMALS',
  'OFF_TICK',
  'PRICE_OUT_OF_RANGE',
  'QUANTITY_NOT_POSITIVE',
  'QUANTITY_TOO_LARGE',
  'K_OUT_OF_RANGE',
  'FEE_NEGATIVE',
  'INVALID_PRICE_GRID',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
}

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rejection: Rejection };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function reject<T = never>(code: RejectionCode, message: string): Result<T> {
  return { ok: false, rejection: { code, message } };
}
