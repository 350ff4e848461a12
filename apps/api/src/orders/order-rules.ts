import type {
  BookLimitBreach,
  MarketOrderRow,
  NewOrderRow,
  OrderSide,
  ProductEntity,
  SubmissionInsert,
} from '@parkex/db';
import {
  canonicalDecimal,
  formatMoney,
  formatPrice,
  formatQuantity,
  MAX_DECIMAL_SCALE,
  parsePrice,
  parseScaled,
  parseQuantity,
  type PriceGrid,
} from '@parkex/market';
import { AppError, type ErrorCode } from '../common/app-error';
import { MAX_ORDERS_PER_CALL } from '../graphql/list-bounds';

/**
 * The rules of an order batch, as pure functions over data: no database, no clock (the caller
 * passes the database's `nowMs` and the intervals' stored gates). Each problem names its order (index and clientOrderId) and its field
 * (`orders[3].price`); `toAppError` turns them into the one error the batch is refused with.
 */

export const MAX_CLIENT_ORDER_ID_LENGTH = 100;
/** Problems listed in an error's `extensions.problems` (the first one is the message). */
const MAX_LISTED_PROBLEMS = 20;

/** An order as the client sent it (the GraphQL input, scalars already parsed). */
export interface OrderRequest {
  clientOrderId: string;
  productCode: string;
  deliveryStart: Date;
  side: OrderSide;
  price: string;
  quantity: string;
  /** The asset the order comes from (the participant's own), optional. */
  assetId?: string | null;
}

export interface OrderProblem {
  /** Position in the batch; -1 for the batch as a whole. */
  index: number;
  clientOrderId?: string;
  /** Input field at fault, e.g. `orders[3].price`. */
  field: string;
  code: ErrorCode;
  /** Precise reason, e.g. `OFF_TICK`, `SELF_CROSS`. */
  reason: string;
  message: string;
}

/** An order that passed the checks of its terms: exact units. */
export interface CheckedOrder {
  index: number;
  clientOrderId: string;
  productCode: string;
  deliveryStart: Date;
  side: OrderSide;
  /** Canonical decimal text of the price (currency per kWh), on the product's tick. */
  price: string;
  /** The price as an exact comparable integer (see `decimalKey`). */
  priceKey: bigint;
  quantityWh: bigint;
  assetId: string | null;
}

export function problem(
  index: number,
  request: OrderRequest | undefined,
  field: keyof OrderRequest,
  code: ErrorCode,
  reason: string,
  message: string,
): OrderProblem {
  const who = request ? ` (clientOrderId ${JSON.stringify(request.clientOrderId)})` : '';
  return {
    index,
    clientOrderId: request?.clientOrderId,
    field: `orders[${index}].${field}`,
    code,
    reason,
    message: `order ${index}${who}: ${message}`,
  };
}

/**
 * Checks that need nothing but the batch: its size, clientOrderIds (present, not too long,
 * unique within the batch) and quantities (kWh, more than 0, at most 3 decimals, not absurd).
 * Returns the quantities in Wh, by index.
 */
export function checkBatch(requests: readonly OrderRequest[]): {
  problems: OrderProblem[];
  quantitiesWh: bigint[];
} {
  const problems: OrderProblem[] = [];
  const quantitiesWh: bigint[] = [];
  if (requests.length === 0 || requests.length > MAX_ORDERS_PER_CALL) {
    problems.push({
      index: -1,
      field: 'orders',
      code: 'BAD_USER_INPUT',
      reason: 'BATCH_SIZE',
      message: `submitOrders takes 1 to ${MAX_ORDERS_PER_CALL} orders per call, got ${requests.length}`,
    });
    return { problems, quantitiesWh };
  }
  const firstIndex = new Map<string, number>();
  requests.forEach((request, index) => {
    const cid = request.clientOrderId;
    if (cid.length < 1 || cid.length > MAX_CLIENT_ORDER_ID_LENGTH || cid.trim() === '') {
      problems.push(
        problem(
          index,
          request,
          'clientOrderId',
          'BAD_USER_INPUT',
          'INVALID_CLIENT_ORDER_ID',
          `clientOrderId must be 1 to ${MAX_CLIENT_ORDER_ID_LENGTH} characters and not blank`,
        ),
      );
    } else {
      const earlier = firstIndex.get(cid);
      if (earlier !== undefined) {
        problems.push(
          problem(
            index,
            request,
            'clientOrderId',
            'BAD_USER_INPUT',
            'DUPLICATE_CLIENT_ORDER_ID',
            `clientOrderId is also used by order ${earlier} of this batch`,
          ),
        );
      } else {
        firstIndex.set(cid, index);
      }
    }
    const quantity = parseQuantity(request.quantity);
    if (quantity.ok) quantitiesWh[index] = quantity.value;
    else {
      problems.push(
        problem(
          index,
          request,
          'quantity',
          'BAD_USER_INPUT',
          quantity.rejection.code,
          quantity.rejection.message,
        ),
      );
    }
  });
  return { problems, quantitiesWh };
}

/**
 * Checks each order against its product's settings: the product exists, the delivery start is
 * an interval boundary (a multiple of intervalSeconds since the Unix epoch) within the horizon
 * (at most `now + horizonSeconds`), and the price lies on the tick within [minPrice, maxPrice].
 * Orders that pass but whose gate has passed by `nowMs` are returned in `closed` with their
 * GATE_CLOSED problem: unless they repeat an existing order (see `checkClosedRetries`), they are
 * refused. The gate is the interval's stored one (`gatesMs`, by `intervalKey`; it was fixed when
 * the interval opened), else delivery start − the product's gateClosureSeconds. `nowMs` is the
 * database's clock, so that this check refuses nothing the database would accept whatever this
 * process's clock says. (The database re-checks every gate under its lock and at commit; this
 * check gives the message.)
 */
export function checkTerms(
  requests: readonly OrderRequest[],
  quantitiesWh: readonly bigint[],
  products: ReadonlyMap<string, ProductEntity>,
  nowMs: number,
  gatesMs: ReadonlyMap<string, number> = new Map(),
): {
  problems: OrderProblem[];
  orders: CheckedOrder[];
  closed: { order: CheckedOrder; problem: OrderProblem }[];
} {
  const problems: OrderProblem[] = [];
  const orders: CheckedOrder[] = [];
  const closed: { order: CheckedOrder; problem: OrderProblem }[] = [];
  const grids = new Map<string, { grid: PriceGrid; tickKey: bigint }>();
  requests.forEach((request, index) => {
    const product = products.get(request.productCode);
    if (!product) {
      problems.push(
        problem(
          index,
          request,
          'productCode',
          'BAD_USER_INPUT',
          'UNKNOWN_PRODUCT',
          `product ${JSON.stringify(request.productCode)} does not exist`,
        ),
      );
      return;
    }
    const startMs = request.deliveryStart.getTime();
    const intervalMs = product.intervalSeconds * 1000;
    if (startMs % intervalMs !== 0) {
      problems.push(
        problem(
          index,
          request,
          'deliveryStart',
          'BAD_USER_INPUT',
          'NOT_AN_INTERVAL_START',
          `deliveryStart ${request.deliveryStart.toISOString()} is not the start of a ${product.code} interval (a multiple of ${product.intervalSeconds} s since 1970-01-01T00:00:00Z)`,
        ),
      );
      return;
    }
    const horizonMs = nowMs + product.horizonSeconds * 1000;
    if (startMs > horizonMs) {
      problems.push(
        problem(
          index,
          request,
          'deliveryStart',
          'BAD_USER_INPUT',
          'BEYOND_HORIZON',
          `deliveryStart ${request.deliveryStart.toISOString()} is beyond the ${product.code} horizon of ${product.horizonSeconds} s (latest now: ${new Date(horizonMs).toISOString()})`,
        ),
      );
      return;
    }
    let terms = grids.get(product.code);
    if (!terms) {
      const { priceTick, minPrice, maxPrice } = product;
      terms = { grid: { priceTick, minPrice, maxPrice }, tickKey: decimalKey(priceTick) };
      grids.set(product.code, terms);
    }
    const { grid, tickKey } = terms;
    const ticks = parsePrice(request.price, grid);
    if (!ticks.ok) {
      problems.push(
        problem(
          index,
          request,
          'price',
          'BAD_USER_INPUT',
          ticks.rejection.code,
          ticks.rejection.message,
        ),
      );
      return;
    }
    const quantityWh = quantitiesWh[index];
    if (quantityWh === undefined) return; // reported by checkBatch
    const order: CheckedOrder = {
      index,
      clientOrderId: request.clientOrderId,
      productCode: product.code,
      deliveryStart: request.deliveryStart,
      side: request.side,
      price: formatPrice(ticks.value, grid),
      priceKey: ticks.value * tickKey,
      quantityWh,
      assetId: request.assetId ?? null,
    };
    orders.push(order);
    const gateMs = gatesMs.get(intervalKey(request)) ?? startMs - product.gateClosureSeconds * 1000;
    if (nowMs >= gateMs) {
      closed.push({
        order,
        problem: problem(
          index,
          request,
          'deliveryStart',
          'GATE_CLOSED',
          'GATE_CLOSED',
          `the gate of the ${product.code} interval starting ${request.deliveryStart.toISOString()} closed at ${new Date(gateMs).toISOString()}`,
        ),
      });
    }
  });
  return { problems, orders, closed };
}

/**
 * Orders past their gate are refused unless they repeat, under the same clientOrderId and with
 * the same terms, an order the participant already has (a retry of an acknowledged order gets
 * that order back, whenever it comes). Another order under the id is a CONFLICT.
 */
export function checkClosedRetries(
  closed: readonly { order: CheckedOrder; problem: OrderProblem }[],
  existing: readonly MarketOrderRow[],
): OrderProblem[] {
  const byClientId = new Map(existing.map((order) => [order.clientOrderId, order]));
  const problems: OrderProblem[] = [];
  for (const { order, problem: gateProblem } of closed) {
    const previous = byClientId.get(order.clientOrderId);
    if (!previous) problems.push(gateProblem);
    else if (!sameTerms(order, previous)) problems.push(reused(order, previous));
  }
  return problems;
}

/**
 * Checks a batch's insert against what the database held just before it (under the locks):
 * - idempotency: an order whose clientOrderId the participant already used is that order when
 *   the terms are the same (product, delivery start, side, price numerically, quantity), and a
 *   CONFLICT otherwise;
 * - self-cross: in one product-interval, the participant's highest BUY must stay below its
 *   lowest SELL, counting its OPEN orders and the batch (the batch order that crosses is named).
 */
export function checkInsert(
  orders: readonly CheckedOrder[],
  insert: SubmissionInsert,
): OrderProblem[] {
  const problems: OrderProblem[] = [];
  const byClientId = new Map(orders.map((order) => [order.clientOrderId, order]));
  for (const previous of insert.existing) {
    const order = byClientId.get(previous.clientOrderId);
    if (order && !sameTerms(order, previous)) problems.push(reused(order, previous));
  }
  // Per product-interval: the participant's best open prices so far, as text and as keys.
  const books = new Map<string, { buy: PriceMark | null; sell: PriceMark | null }>();
  for (const book of insert.before) {
    books.set(intervalKey(book), { buy: mark(book.bestBuy), sell: mark(book.bestSell) });
  }
  for (const row of insert.inserted) {
    const order = byClientId.get(row.clientOrderId)!;
    const key = intervalKey(order);
    let book = books.get(key);
    if (!book) {
      book = { buy: null, sell: null };
      books.set(key, book);
    }
    const crossed = order.side === 'BUY' ? book.sell : book.buy;
    if (
      crossed !== null &&
      (order.side === 'BUY' ? order.priceKey >= crossed.key : order.priceKey <= crossed.key)
    ) {
      const other = order.side === 'BUY' ? 'SELL' : 'BUY';
      problems.push(
        problem(
          order.index,
          requestOf(order),
          'price',
          'SELF_CROSS',
          'SELF_CROSS',
          `${order.side} at ${order.price} would cross your own ${other} at ${crossed.text} in ${order.productCode} ${order.deliveryStart.toISOString()} (a BUY must stay below your lowest SELL)`,
        ),
      );
      continue;
    }
    if (order.side === 'BUY') {
      if (book.buy === null || order.priceKey > book.buy.key) {
        book.buy = { text: order.price, key: order.priceKey };
      }
    } else if (book.sell === null || order.priceKey < book.sell.key) {
      book.sell = { text: order.price, key: order.priceKey };
    }
  }
  return problems.sort((a, b) => a.index - b.index);
}

/**
 * The error for a batch the database refused because a book would pass a bound (PX004): it names
 * the batch's first order in the interval-side over its limit, the limit and the total.
 */
export function bookLimitError(
  requests: readonly OrderRequest[],
  breach: BookLimitBreach,
): AppError {
  const index = requests.findIndex(
    (r) =>
      r.productCode === breach.productCode &&
      r.deliveryStart.getTime() === breach.deliveryStart.getTime() &&
      r.side === breach.side,
  );
  const request = index < 0 ? undefined : requests[index];
  const interval = `the ${breach.productCode} interval starting ${breach.deliveryStart.toISOString()}`;
  const totalKwh = formatQuantity(BigInt(breach.totalWh));
  let message: string;
  let limit: string;
  let total: string;
  switch (breach.reason) {
    case 'INTERVAL_VOLUME_LIMIT':
      limit = formatQuantity(BigInt(breach.limitWh ?? '0'));
      total = totalKwh;
      message = `the ${breach.side} side of ${interval} would hold ${total} kWh, more than the limit of ${limit} kWh per product-interval and side`;
      break;
    case 'INTERVAL_MONEY_LIMIT': {
      limit = formatMoney(BigInt(breach.limitMinor ?? '0'));
      total = formatMoney(BigInt(breach.totalMinor ?? '0'));
      const rate = canonicalDecimal(breach.rate ?? '0');
      const worth =
        breach.basis === 'NETWORK_FEE'
          ? `a network fee of ${total} (at ${rate} per kWh)`
          : `worth up to ${total} (at the interval's largest price magnitude ${rate} per kWh)`;
      message = `the ${breach.side} side of ${interval} would hold ${totalKwh} kWh, ${worth}, more than the limit of ${limit} per product-interval and side`;
      break;
    }
    case 'PARTICIPANT_QUANTITY_LIMIT':
      limit = formatQuantity(BigInt(breach.limitWh ?? '0'));
      total = totalKwh;
      message = `your ${breach.side} orders in ${interval} would total ${total} kWh, more than its maxParticipantQuantity of ${limit} kWh per participant, interval and side`;
      break;
  }
  const who = request
    ? `order ${index} (clientOrderId ${JSON.stringify(request.clientOrderId)}): `
    : '';
  return new AppError('BAD_USER_INPUT', `${who}${message}`, {
    field: request ? `orders[${index}].quantity` : 'orders',
    reason: breach.reason,
    ...(request ? { index, clientOrderId: request.clientOrderId } : {}),
    productCode: breach.productCode,
    deliveryStart: breach.deliveryStart.toISOString(),
    side: breach.side,
    limit,
    total,
  });
}

/** The rows to insert for checked orders. */
export function toRows(orders: readonly CheckedOrder[]): NewOrderRow[] {
  return orders.map((order) => ({
    clientOrderId: order.clientOrderId,
    productCode: order.productCode,
    deliveryStart: order.deliveryStart,
    side: order.side,
    price: order.price,
    quantityWh: order.quantityWh.toString(),
    assetId: order.assetId,
  }));
}

function reused(order: CheckedOrder, previous: MarketOrderRow): OrderProblem {
  return problem(
    order.index,
    requestOf(order),
    'clientOrderId',
    'CONFLICT',
    'CLIENT_ORDER_ID_REUSED',
    `clientOrderId is already used by order ${previous.id} with other terms (${describe(previous)}); use a new clientOrderId`,
  );
}

/** The one error a refused batch gets: the first problem's code, field and message, and a list. */
export function toAppError(problems: readonly OrderProblem[]): AppError {
  const [first] = problems;
  const more = problems.length - 1;
  const message =
    more > 0
      ? `${first.message} (and ${more} more problem${more === 1 ? '' : 's'})`
      : first.message;
  return new AppError(first.code, message, {
    field: first.field,
    reason: first.reason,
    index: first.index,
    clientOrderId: first.clientOrderId,
    ...(more > 0
      ? {
          problems: problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => ({
            field: p.field,
            code: p.code,
            reason: p.reason,
            message: p.message,
          })),
        }
      : {}),
  });
}

export function intervalKey(interval: { productCode: string; deliveryStart: Date }): string {
  return `${interval.productCode}@${interval.deliveryStart.getTime()}`;
}

function sameTerms(order: CheckedOrder, stored: MarketOrderRow): boolean {
  return (
    order.productCode === stored.productCode &&
    order.deliveryStart.getTime() === stored.deliveryStart.getTime() &&
    order.side === stored.side &&
    order.priceKey === decimalKey(stored.price) &&
    order.quantityWh === BigInt(stored.quantityWh)
  );
}

function describe(order: MarketOrderRow): string {
  return `${order.side} ${order.productCode} ${order.deliveryStart.toISOString()} at ${canonicalDecimal(order.price)}, ${order.quantityWh} Wh`;
}

function requestOf(order: CheckedOrder): OrderRequest {
  return {
    clientOrderId: order.clientOrderId,
    productCode: order.productCode,
    deliveryStart: order.deliveryStart,
    side: order.side,
    price: order.price,
    quantity: '',
  };
}

/**
 * A decimal string (e.g. `numeric` text) as an exact integer count of 10^-18 (every price and
 * tick has at most `MAX_DECIMAL_SCALE` = 18 decimals), so that prices of any tick compare as
 * bigints: `"0.25"` and `"0.2500"` give the same key.
 */
export function decimalKey(text: string): bigint {
  const key = parseScaled(text, MAX_DECIMAL_SCALE);
  if (!key.ok) throw new Error(key.rejection.message);
  return key.value;
}

interface PriceMark {
  text: string;
  key: bigint;
}

function mark(text: string | null): PriceMark | null {
  return text === null ? null : { text: canonicalDecimal(text), key: decimalKey(text) };
}
