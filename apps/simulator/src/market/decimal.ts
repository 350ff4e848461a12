/**
 * Exact decimal text for the API, in the simulator's terms: quantities are integer Wh sent as
 * kWh with at most three decimals, prices are integer ticks sent as decimals on the product's
 * tick. Thin adapters over libs/market's exact arithmetic: no float is formatted here.
 */
import {
  divideRoundHalfAwayFromZero,
  formatFixed,
  formatQuantity,
  formatScaled,
  parseScaled,
} from '@parkex/market';

/** 12345 → "12.345", 1000 → "1", 1500 → "1.5", -250 → "-0.25". */
export function whToKwh(wh: number): string {
  return formatQuantity(checkedInteger(wh, 'Wh'));
}

/** 2300 ticks of 0.0001 (decimals 4) → "0.2300"; keeps the tick's decimals. */
export function ticksToPrice(ticks: number, decimals: number): string {
  return formatFixed(BigInt(checkedInteger(ticks, 'ticks')), decimals);
}

/**
 * A decimal the server sent ("-12.34", "0.5") as an integer count of 10^-decimals
 * (libs/market's `parseScaled`); throws on text that is not one, or is finer.
 */
export function readScaled(text: string, decimals: number): bigint {
  const read = parseScaled(text, decimals, { what: 'decimal' });
  if (!read.ok) throw new Error(read.rejection.message);
  return read.value;
}

/** Integer count of 10^-decimals as text; `trim` drops trailing zeros (and a bare point). */
export function scaledToText(value: bigint, decimals: number, trim = true): string {
  return trim ? formatScaled(value, decimals) : formatFixed(value, decimals);
}

/** Rounds an integer count of 10^-from to 10^-to (to < from), an exact half away from zero. */
export function roundScaled(value: bigint, from: number, to: number): bigint {
  return divideRoundHalfAwayFromZero(value, 10n ** BigInt(from - to));
}

function checkedInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new Error(`${what} must be a safe integer, got ${value}`);
  return value;
}
