import type { BookClearing, ClearingParams, ClearingResult } from './clearing-result';
import { toClearingResult } from './clearing-output';
import { runMeritOrder } from './merit-order';
import type { Order } from './order';
import { orderBookFromOrders, type OrderBook } from './order-book';
import type { PriceGrid } from './price-grid';

/**
 * UNIFORM_PRICE clearing of one frozen book (the clearing rule of libs/market/README.md).
 *
 * - Units: prices in integer ticks of `grid`, quantities in Wh, money in minor units.
 * - Order: bids by price descending, offers ascending; equal prices by `acceptedAt`,
 *   then `id`. The merit-order walk fills min(remaining) while bid ≥ offer.
 * - Price: L = max(last filled offer, highest bid with unfilled quantity),
 *   U = min(last filled bid, lowest offer with unfilled quantity) (a missing side is
 *   ignored); price = L + k·(U − L) rounded to the nearest tick, an exact half up.
 *   Every fill settles at that price.
 * - No cross (or an empty side): `status: 'NO_TRADE'`, `priceTicks: null`, volume 0,
 *   every order filled 0; the curves are still reported.
 * - Throws `InvariantViolation` only for a broken input (duplicate ids, a price off the
 *   grid, a non-positive quantity, k outside [0, 1]). The columnar `clearBook*` detect
 *   duplicate ids only when they meet in time order; the hashes always do.
 */
export function clearUniformPrice(
  orders: readonly Order[],
  params: ClearingParams,
  grid: PriceGrid,
): ClearingResult {
  const book = orderBookFromOrders(orders);
  return toClearingResult(book, clearBookUniformPrice(book, params, grid));
}

/** `clearUniformPrice` on a columnar book, returning columns (the fast path). */
export function clearBookUniformPrice(
  book: OrderBook,
  params: ClearingParams,
  grid: PriceGrid,
): BookClearing {
  return runMeritOrder(book, grid, { mechanism: 'UNIFORM_PRICE', k: params.k });
}
