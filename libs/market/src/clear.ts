import type { BookClearing, ClearingParams, ClearingResult } from './clearing-result';
import { InvariantViolation } from './invariant';
import type { Mechanism, Order } from './order';
import type { OrderBook } from './order-book';
import { clearBookPayAsBid, clearPayAsBid } from './pay-as-bid';
import type { PriceGrid } from './price-grid';
import { clearBookUniformPrice, clearUniformPrice } from './uniform-price';

/**
 * Clears one frozen book with the product's mechanism. `params.k` is used by
 * UNIFORM_PRICE only. See `clearUniformPrice` / `clearPayAsBid` for the contract.
 */
export function clear(
  mechanism: Mechanism,
  orders: readonly Order[],
  params: ClearingParams,
  grid: PriceGrid,
): ClearingResult {
  switch (mechanism) {
    case 'UNIFORM_PRICE':
      return clearUniformPrice(orders, params, grid);
    case 'PAY_AS_BID':
      return clearPayAsBid(orders, grid);
    default:
      return unknownMechanism(mechanism);
  }
}

/** `clear` on a columnar book, returning columns: the path for large books. */
export function clearBook(
  mechanism: Mechanism,
  book: OrderBook,
  params: ClearingParams,
  grid: PriceGrid,
): BookClearing {
  switch (mechanism) {
    case 'UNIFORM_PRICE':
      return clearBookUniformPrice(book, params, grid);
    case 'PAY_AS_BID':
      return clearBookPayAsBid(book, grid);
    default:
      return unknownMechanism(mechanism);
  }
}

function unknownMechanism(mechanism: never): never {
  throw new InvariantViolation(`unknown clearing mechanism ${String(mechanism)}`);
}
