import { formatScaled, parseDecimal, rescale } from './decimal';
import { InvariantViolation } from './invariant';
import { ok, reject, type Result } from './result';

/**
 * A product's price grid, as configured: decimal strings in currency per kWh.
 * Prices are integer multiples ("ticks") of `priceTick` within `[minPrice, maxPrice]`.
 * Negative bounds are allowed. Example: `{ priceTick: '0.0001', minPrice: '-0.5', maxPrice: '4' }`.
 */
export interface PriceGrid {
  readonly priceTick: string;
  readonly minPrice: string;
  readonly maxPrice: string;
}

export const DEFAULT_PRICE_TICK = '0.0001';

/** The grid in integers: a price of `t` ticks is `t * tickUnits / 10^scale` currency per kWh. */
export interface CompiledPriceGrid {
  /** The grid with canonical decimal strings. */
  readonly canonical: PriceGrid;
  readonly tickUnits: bigint;
  readonly scale: number;
  readonly minTicks: bigint;
  readonly maxTicks: bigint;
}

/**
 * Checks an operator-supplied grid: decimals, a positive tick, bounds that are
 * multiples of the tick with `minPrice <= maxPrice`, and a tick count that fits a
 * safe integer. Returns the grid with canonical strings (`"0.00010"` → `"0.0001"`).
 */
export function validatePriceGrid(grid: PriceGrid): Result<PriceGrid> {
  const compiled = compile(grid);
  return compiled.ok ? ok(compiled.value.canonical) : compiled;
}

interface CacheEntry {
  readonly priceTick: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly compiled: CompiledPriceGrid;
}

const cache = new WeakMap<PriceGrid, CacheEntry>();

/**
 * The integer form of a grid the caller has already validated. Throws
 * `InvariantViolation` for an invalid grid: grids are validated when configured.
 * Cached per grid object (re-checked against its strings, so mutation is safe).
 */
export function compilePriceGrid(grid: PriceGrid): CompiledPriceGrid {
  const hit = cache.get(grid);
  if (
    hit !== undefined &&
    hit.priceTick === grid.priceTick &&
    hit.minPrice === grid.minPrice &&
    hit.maxPrice === grid.maxPrice
  ) {
    return hit.compiled;
  }
  const compiled = compile(grid);
  if (!compiled.ok) {
    throw new InvariantViolation(`invalid price grid: ${compiled.rejection.message}`);
  }
  cache.set(grid, { ...pick(grid), compiled: compiled.value });
  return compiled.value;
}

function pick(grid: PriceGrid): PriceGrid {
  return { priceTick: grid.priceTick, minPrice: grid.minPrice, maxPrice: grid.maxPrice };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function compile(grid: PriceGrid): Result<CompiledPriceGrid> {
  const tick = parseDecimal(grid.priceTick, { what: 'priceTick' });
  if (!tick.ok) return tick;
  const min = parseDecimal(grid.minPrice, { what: 'minPrice' });
  if (!min.ok) return min;
  const max = parseDecimal(grid.maxPrice, { what: 'maxPrice' });
  if (!max.ok) return max;
  if (tick.value.coefficient <= 0n) {
    return reject('INVALID_PRICE_GRID', `priceTick must be positive, got ${grid.priceTick}`);
  }
  const scale = Math.max(tick.value.scale, min.value.scale, max.value.scale);
  const tickAtScale = rescale(tick.value, scale);
  const minAtScale = rescale(min.value, scale);
  const maxAtScale = rescale(max.value, scale);
  const tickText = formatScaled(tick.value.coefficient, tick.value.scale);
  for (const [name, units] of [
    ['minPrice', minAtScale],
    ['maxPrice', maxAtScale],
  ] as const) {
    if (units % tickAtScale !== 0n) {
      return reject(
        'INVALID_PRICE_GRID',
        `${name} ${formatScaled(units, scale)} is not a multiple of the tick ${tickText}`,
      );
    }
  }
  if (minAtScale > maxAtScale) {
    return reject(
      'INVALID_PRICE_GRID',
      `minPrice ${formatScaled(minAtScale, scale)} is above maxPrice ${formatScaled(maxAtScale, scale)}`,
    );
  }
  const minTicks = minAtScale / tickAtScale;
  const maxTicks = maxAtScale / tickAtScale;
  if (minTicks < -MAX_SAFE || maxTicks > MAX_SAFE) {
    return reject(
      'INVALID_PRICE_GRID',
      `the range [${grid.minPrice}, ${grid.maxPrice}] holds more than 2^53 ticks of ${tickText}`,
    );
  }
  return ok({
    canonical: {
      priceTick: tickText,
      minPrice: formatScaled(minAtScale, scale),
      maxPrice: formatScaled(maxAtScale, scale),
    },
    tickUnits: tick.value.coefficient,
    scale: tick.value.scale,
    minTicks,
    maxTicks,
  });
}
