import { InvariantViolation } from './invariant';
import type { OrderBook } from './order-book';

/**
 * The book's rows sorted by order id (ascending). Throws `InvariantViolation` on a
 * duplicate id. Linear when the rows already are in id order.
 */
export function rowsInIdOrder(book: OrderBook): Int32Array {
  const n = book.length;
  const ids = book.id;
  const rows = new Int32Array(n);
  let sorted = true;
  for (let r = 0; r < n; r++) {
    rows[r] = r;
    if (sorted && r > 0 && !(ids[r - 1] < ids[r])) sorted = false;
  }
  if (sorted) return rows;
  rows.sort((x, y) => {
    const a = ids[x];
    const b = ids[y];
    return a < b ? -1 : a > b ? 1 : 0;
  });
  for (let i = 1; i < n; i++) {
    if (ids[rows[i - 1]] === ids[rows[i]]) {
      throw new InvariantViolation(`order id ${ids[rows[i]]} appears twice in the book`);
    }
  }
  return rows;
}
