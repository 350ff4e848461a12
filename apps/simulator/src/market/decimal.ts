/**
 * Exact decimal text for the API: quantities are integer Wh sent as kWh with at most three
 * decimals, prices are integer ticks sent as decimals on the product's tick. No float is
 * formatted here: everything is an integer until it becomes text.
 */

/** 12345 → "12.345", 1000 → "1", 1500 → "1.5", -250 → "-0.25". */
export function whToKwh(wh: number): string {
  return scaledToText(BigInt(checkedInteger(wh, 'Wh')), 3);
}

/** 2300 ticks of 0.0001 (decimals 4) → "0.2300"; keeps the tick's decimals. */
export function ticksToPrice(ticks: number, decimals: number): string {
  const text = scaledToText(BigInt(checkedInteger(ticks, 'ticks')), decimals, false);
  return text;
}

/** Decimal text ("-12.34", "0.5") → integer count of 10^-decimals; throws on finer values. */
export function parseScaled(text: string, decimals: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = ''] = match;
  const extra = fraction.slice(decimals);
  if (/[1-9]/.test(extra)) throw new Error(`${text} has more than ${decimals} decimals`);
  const value =
    BigInt(whole) * 10n ** BigInt(decimals) +
    BigInt(fraction.slice(0, decimals).padEnd(decimals, '0') || '0');
  return sign ? -value : value;
}

/** Integer count of 10^-decimals as text; `trim` drops trailing zeros (and a bare point). */
export function scaledToText(value: bigint, decimals: number, trim = true): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const unit = 10n ** BigInt(decimals);
  const whole = magnitude / unit;
  let fraction = decimals > 0 ? (magnitude % unit).toString().padStart(decimals, '0') : '';
  if (trim) fraction = fraction.replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : whole.toString();
  return negative && magnitude !== 0n ? `-${text}` : text;
}

/** Rounds an integer count of 10^-from to 10^-to (to < from), an exact half away from zero. */
export function roundScaled(value: bigint, from: number, to: number): bigint {
  const divisor = 10n ** BigInt(from - to);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return negative ? -quotient : quotient;
}

function checkedInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new Error(`${what} must be a safe integer, got ${value}`);
  return value;
}
