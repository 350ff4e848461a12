import { formatScaled, parseDecimal, rescale } from './decimal';
import { toBigInt, type IntegerLike } from './integers';
import { compilePriceGrid, type PriceGrid } from './price-grid';
import { ok, reject, type Result } from './result';

/**
 * Parses a price (decimal string, currency per kWh) into integer ticks of the grid.
 * Rejects `INVALID_DECIMAL`, `TOO_MANY_DECIMALS` (beyond 18 places),
 * `PRICE_OUT_OF_RANGE` (outside `[minPrice, maxPrice]`) and `OFF_TICK` (not a multiple
 * of `priceTick`). With tick `0.0001`: `"0.4215"` → `4215n`, `"-12.5"` → `-125000n`.
 */
export function parsePrice(text: string, grid: PriceGrid): Result<bigint> {
  const compiled = compilePriceGrid(grid);
  const parsed = parseDecimal(text, { what: 'price' });
  if (!parsed.ok) return parsed;
  const scale = Math.max(parsed.value.scale, compiled.scale);
  const units = rescale(parsed.value, scale);
  const tick = rescale({ coefficient: compiled.tickUnits, scale: compiled.scale }, scale);
  if (units < compiled.minTicks * tick || units > compiled.maxTicks * tick) {
    const { minPrice, maxPrice } = compiled.canonical;
    return reject(
      'PRICE_OUT_OF_RANGE',
      `price ${text} is outside the allowed range [${minPrice}, ${maxPrice}]`,
    );
  }
  if (units % tick !== 0n) {
    return reject(
      'OFF_TICK',
      `price ${text} is not a multiple of the tick ${compiled.canonical.priceTick}`,
    );
  }
  return ok(units / tick);
}

/**
 * Canonical decimal text of a price in ticks: no trailing zeros, `"0"` for zero.
 * With tick `0.0001`: `4215n` → `"0.4215"`, `-125000n` → `"-12.5"`, `0n` → `"0"`.
 * Does not check the grid's bounds (it formats whatever it is given).
 */
export function formatPrice(priceTicks: IntegerLike, grid: PriceGrid): string {
  const compiled = compilePriceGrid(grid);
  return formatScaled(toBigInt(priceTicks, 'priceTicks') * compiled.tickUnits, compiled.scale);
}
