import type { BookClearing, ClearingResult } from './clearing-result';
import { toClearingResult } from './clearing-output';
import { runMeritOrder } from './merit-order';
import type { Order } from './order';
import { orderBookFromOrders, type OrderBook } from './order-book';
import type { PriceGrid } from './price-grid';

/**
 * PAY_AS_BID clearing: the same merit-order walk as `clearUniformPrice` (same volume,
 * same pairs), but each pair trades at its bid's price.
 *
 * The result's `priceTicks` is the price of the last matched bid: the marginal (lowest)
 * price any buyer pays. `priceRange` is the walk's [L, U] as for UNIFORM_PRICE (the
 * prices at which a uniform price would clear the same volume). `amountMinor / volume`
 * gives the volume-weighted average. No cross: `NO_TRADE`, `priceTicks: null`.
 */
export function clearPayAsBid(orders: readonly Order[], grid: PriceGrid): ClearingResult {
  const book = orderBookFromOrders(orders);
  return toClearingResult(book, clearBookPayAsBid(book, grid));
}

/** `clearPayAsBid` on a columnar book, returning columns (the fast path). */
export function clearBookPayAsBid(book: OrderBook, grid: PriceGrid): BookClearing {
  return runMeritOrder(book, grid, { mechanism: 'PAY_AS_BID' });
}
