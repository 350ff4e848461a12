import { ok, reject, type Result } from './result';

/**
 * An exact decimal: `coefficient / 10^scale`, normalised so the coefficient has no
 * trailing zero digit in its fraction (`"1.50"` → `{ coefficient: 15n, scale: 1 }`,
 * `"-0"` → `{ coefficient: 0n, scale: 0 }`).
 */
export interface Decimal {
  readonly coefficient: bigint;
  readonly scale: number;
}

/** Longest accepted decimal text; longer input is rejected before any arithmetic. */
export const MAX_DECIMAL_LENGTH = 64;
/** Most fraction digits any decimal may carry (after dropping trailing zeros). */
export const MAX_DECIMAL_SCALE = 18;

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

export interface ParseDecimalOptions {
  /** Noun used in messages, e.g. `"price"`. */
  readonly what?: string;
  /** Most significant fraction digits; trailing zeros beyond it are accepted. */
  readonly maxScale?: number;
  /** Unit shown after the value in messages, e.g. `"kWh"`. */
  readonly unit?: string;
}

/**
 * Parses a plain decimal string: an optional `-`, digits, optionally `.` and digits.
 * No `+`, no exponent, no spaces, no leading or trailing `.`. Works on the text only;
 * the value never passes through a float.
 */
export function parseDecimal(text: unknown, options: ParseDecimalOptions = {}): Result<Decimal> {
  const what = options.what ?? 'value';
  const maxScale = options.maxScale ?? MAX_DECIMAL_SCALE;
  if (typeof text !== 'string') {
    return reject('INVALID_DECIMAL', `${what} must be a decimal string, got ${typeof text}`);
  }
  if (text.length === 0) return reject('INVALID_DECIMAL', `${what} is empty`);
  if (text.length > MAX_DECIMAL_LENGTH) {
    return reject(
      'INVALID_DECIMAL',
      `${what} is longer than ${MAX_DECIMAL_LENGTH} characters and cannot be a valid amount`,
    );
  }
  const match = DECIMAL_TEXT.exec(text);
  if (match === null) return reject('INVALID_DECIMAL', invalidMessage(what, text));
  const [, sign, whole, rawFraction = ''] = match;
  const fraction = rawFraction.replace(/0+$/, '');
  if (fraction.length > maxScale) {
    const unit = options.unit === undefined ? '' : ` ${options.unit}`;
    return reject(
      'TOO_MANY_DECIMALS',
      `${what} ${text}${unit} has more than ${maxScale} decimal place${maxScale === 1 ? '' : 's'}`,
    );
  }
  const magnitude = BigInt(whole + fraction);
  return ok({ coefficient: sign === '-' ? -magnitude : magnitude, scale: fraction.length });
}

function invalidMessage(what: string, text: string): string {
  const shown = JSON.stringify(text);
  if (/^[-+]?(nan|infinity|inf)$/i.test(text.trim())) {
    return `${what} ${shown} is not a number; use a plain decimal like 12.34`;
  }
  if (/^[-+]?[\d.]+e[-+]?\d+$/i.test(text)) {
    return `${what} ${shown} uses exponent notation; write it as a plain decimal like 12.34`;
  }
  return `${what} ${shown} is not a plain decimal like 12.34 or -0.5`;
}

const POWERS_OF_TEN: bigint[] = [1n];

/** 10^exponent as a bigint (cached). */
export function pow10(exponent: number): bigint {
  if (!Number.isSafeInteger(exponent) || exponent < 0) {
    throw new RangeError(`pow10 exponent must be a non-negative integer, got ${exponent}`);
  }
  while (POWERS_OF_TEN.length <= exponent) {
    POWERS_OF_TEN.push(POWERS_OF_TEN[POWERS_OF_TEN.length - 1] * 10n);
  }
  return POWERS_OF_TEN[exponent];
}

/** The decimal's coefficient at a larger (or equal) scale: `1.5` at scale 3 → `1500n`. */
export function rescale(value: Decimal, scale: number): bigint {
  if (scale < value.scale) {
    throw new RangeError(`cannot rescale a decimal of scale ${value.scale} down to ${scale}`);
  }
  return value.coefficient * pow10(scale - value.scale);
}

/**
 * Decimal text as an exact integer count of 10^-scale: `parseScaled("1.5", 3)` → `1500n`,
 * `parseScaled("-0.2500", 2)` → `-25n`. Rejects what `parseDecimal` rejects, and
 * `TOO_MANY_DECIMALS` for a value finer than 10^-scale (trailing zeros do not count).
 * The one way from decimal text to scaled integers: prices as keys at scale 18, kWh as Wh at 3,
 * money as minor units at 2.
 */
export function parseScaled(
  text: unknown,
  scale: number,
  options: Omit<ParseDecimalOptions, 'maxScale'> = {},
): Result<bigint> {
  if (!Number.isSafeInteger(scale) || scale < 0) {
    throw new RangeError(`scale must be a non-negative integer, got ${scale}`);
  }
  const parsed = parseDecimal(text, { ...options, maxScale: scale });
  return parsed.ok ? ok(rescale(parsed.value, scale)) : parsed;
}

/**
 * `numeric` text (as PostgreSQL writes it) in canonical form: no trailing fraction zeros, no
 * bare point, no `-0`: `"0.50"` → `"0.5"`, `"4.0000"` → `"4"`, `"-0.000"` → `"0"`. Works on the
 * text alone (it expects valid text), so it keeps every digit of values finer than
 * `MAX_DECIMAL_SCALE` (averages); where both apply it agrees with `formatDecimal(parseDecimal(text))`.
 */
export function canonicalDecimal(text: string): string {
  const trimmed = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  return trimmed === '-0' ? '0' : trimmed;
}

/**
 * Canonical text of `units / 10^scale`: no trailing fraction zeros, no `-0`, a leading
 * `0` before the point. `formatScaled(-125n, 1)` → `"-12.5"`; `formatScaled(0n, 4)` → `"0"`.
 */
export function formatScaled(units: bigint, scale: number): string {
  const fixed = formatFixed(units, scale);
  return scale === 0 ? fixed : fixed.replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * Text of `units / 10^scale` with exactly `scale` fraction digits:
 * `formatFixed(-5n, 2)` → `"-0.05"`; `formatFixed(1230n, 2)` → `"12.30"`.
 */
export function formatFixed(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  if (scale === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(scale + 1, '0');
  const whole = padded.slice(0, padded.length - scale);
  const fraction = padded.slice(padded.length - scale);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Canonical text of a decimal (see `formatScaled`). */
export function formatDecimal(value: Decimal): string {
  return formatScaled(value.coefficient, value.scale);
}

/**
 * `numerator / denominator` rounded to an integer, an exact half away from zero
 * (2.5 → 3, -2.5 → -3, 2.4 → 2). The denominator must be positive.
 */
export function divideRoundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const magnitude = numerator < 0n ? -numerator : numerator;
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return numerator < 0n ? -rounded : rounded;
}

/** Greatest common divisor of two non-negative bigints (gcd(0, 0) = 0). */
export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}
