import { InvariantViolation } from './invariant';
import { MAX_SAFE_BIGINT, toSafeNumber } from './integers';
import type { Order, Side } from './order';

/** Side codes of the columnar book. */
export const SIDE_BUY = 0;
export const SIDE_SELL = 1;

/**
 * A frozen order book in columns (row `r` is one order). This is the fast input of
 * `clearBook`: no per-order objects, bigints only for ids. Every number is a safe
 * integer (checked by the builder and again by the clearing):
 * - `id`: order id, unique.
 * - `side`: `SIDE_BUY` (0) or `SIDE_SELL` (1).
 * - `priceTicks`: limit price in ticks.
 * - `quantityWh`: > 0.
 * - `acceptedAt`: microseconds since the Unix epoch.
 *
 * Rows in time-priority order (`ORDER BY accepted_at, id`) are the fast path; any row
 * order gives the same clearing.
 */
export interface OrderBook {
  readonly length: number;
  readonly id: BigInt64Array;
  readonly side: Uint8Array;
  readonly priceTicks: Float64Array;
  readonly quantityWh: Float64Array;
  readonly acceptedAt: Float64Array;
}

/** An integer from a database driver or code: bigint, safe-integer number, or integer text. */
export type IntegerInput = bigint | number | string;

const INTEGER_TEXT = /^-?\d{1,20}$/;

function toBigIntInput(value: IntegerInput, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new InvariantViolation(`${what} must be a safe integer, got ${value}`);
    }
    return BigInt(value);
  }
  if (!INTEGER_TEXT.test(value)) {
    throw new InvariantViolation(`${what} must be integer text, got ${JSON.stringify(value)}`);
  }
  return BigInt(value);
}

function toNumberInput(value: IntegerInput, what: string): number {
  if (typeof value === 'number') return toSafeNumber(value, what);
  const big = toBigIntInput(value, what);
  if (big > MAX_SAFE_BIGINT || big < -MAX_SAFE_BIGINT) {
    throw new InvariantViolation(`${what} ${big} is outside the safe-integer range`);
  }
  return Number(big);
}

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

function sideCode(side: Side): number {
  switch (side) {
    case 'BUY':
      return SIDE_BUY;
    case 'SELL':
      return SIDE_SELL;
    default:
      throw new InvariantViolation(`side must be BUY or SELL, got ${String(side)}`);
  }
}

/**
 * Appends rows to growable columns, e.g. while reading a query result:
 * `builder.add(row.id, row.side, row.price_ticks, row.quantity_wh, row.accepted_at_us)`.
 * Accepts bigint, safe-integer numbers or integer text (as `pg` returns `int8`).
 */
export class OrderBookBuilder {
  private size = 0;
  private id: BigInt64Array;
  private side: Uint8Array;
  private priceTicks: Float64Array;
  private quantityWh: Float64Array;
  private acceptedAt: Float64Array;

  constructor(capacity = 1024) {
    const initial = Math.max(1, Math.floor(capacity));
    this.id = new BigInt64Array(initial);
    this.side = new Uint8Array(initial);
    this.priceTicks = new Float64Array(initial);
    this.quantityWh = new Float64Array(initial);
    this.acceptedAt = new Float64Array(initial);
  }

  get length(): number {
    return this.size;
  }

  add(
    id: IntegerInput,
    side: Side,
    priceTicks: IntegerInput,
    quantityWh: IntegerInput,
    acceptedAt: IntegerInput,
  ): this {
    const bigId = toBigIntInput(id, 'order id');
    if (bigId < MIN_INT64 || bigId > MAX_INT64) {
      throw new InvariantViolation(`order id ${bigId} does not fit a signed 64-bit integer`);
    }
    if (this.size === this.id.length) this.grow();
    const row = this.size;
    this.id[row] = bigId;
    this.side[row] = sideCode(side);
    this.priceTicks[row] = toNumberInput(priceTicks, 'priceTicks');
    this.quantityWh[row] = toNumberInput(quantityWh, 'quantityWh');
    this.acceptedAt[row] = toNumberInput(acceptedAt, 'acceptedAt');
    this.size = row + 1;
    return this;
  }

  addOrder(order: Order): this {
    return this.add(order.id, order.side, order.priceTicks, order.quantityWh, order.acceptedAt);
  }

  /** The book so far (columns trimmed to its length; the builder may keep adding). */
  build(): OrderBook {
    const n = this.size;
    if (n === this.id.length) {
      // Full columns: hand them over without a copy (a later add grows into new ones).
      return {
        length: n,
        id: this.id,
        side: this.side,
        priceTicks: this.priceTicks,
        quantityWh: this.quantityWh,
        acceptedAt: this.acceptedAt,
      };
    }
    return {
      length: n,
      id: this.id.slice(0, n),
      side: this.side.slice(0, n),
      priceTicks: this.priceTicks.slice(0, n),
      quantityWh: this.quantityWh.slice(0, n),
      acceptedAt: this.acceptedAt.slice(0, n),
    };
  }

  private grow(): void {
    const capacity = this.id.length * 2;
    const id = new BigInt64Array(capacity);
    id.set(this.id);
    this.id = id;
    const side = new Uint8Array(capacity);
    side.set(this.side);
    this.side = side;
    this.priceTicks = grown(this.priceTicks, capacity);
    this.quantityWh = grown(this.quantityWh, capacity);
    this.acceptedAt = grown(this.acceptedAt, capacity);
  }
}

function grown(column: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(column);
  return next;
}

/** The columnar book of an array of orders (same row order). */
export function orderBookFromOrders(orders: readonly Order[]): OrderBook {
  const builder = new OrderBookBuilder(orders.length);
  for (const order of orders) builder.addOrder(order);
  return builder.build();
}

/** Row `row` of a book as an `Order`. */
export function orderAt(book: OrderBook, row: number): Order {
  if (!Number.isInteger(row) || row < 0 || row >= book.length) {
    throw new RangeError(`row ${row} is outside the book of ${book.length} orders`);
  }
  return {
    id: book.id[row],
    side: book.side[row] === SIDE_BUY ? 'BUY' : 'SELL',
    priceTicks: BigInt(book.priceTicks[row]),
    quantityWh: BigInt(book.quantityWh[row]),
    acceptedAt: BigInt(book.acceptedAt[row]),
  };
}
