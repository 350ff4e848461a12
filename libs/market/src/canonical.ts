import { createHash, type Hash } from 'node:crypto';
import type { BookClearing, ClearingResult } from './clearing-result';
import { InvariantViolation } from './invariant';
import type { Mechanism, Order } from './order';
import { SIDE_BUY, orderBookFromOrders, type OrderBook } from './order-book';
import { compilePriceGrid, type PriceGrid } from './price-grid';
import { assertK, ratio, type Ratio } from './ratio';
import { rowsInIdOrder } from './row-order';

/** Everything besides the orders that determines a clearing; part of the book hash. */
export interface ClearingTerms {
  readonly mechanism: Mechanism;
  /** Written as `"num/den"` in lowest terms for UNIFORM_PRICE, `null` for PAY_AS_BID. */
  readonly k: Ratio;
  readonly grid: PriceGrid;
}

export const BOOK_FORMAT = 'parkex.book.v1';
export const RESULT_FORMAT = 'parkex.result.v1';

/**
 * Canonical text of a frozen book: compact JSON with a fixed key order, orders sorted by
 * id, every integer as a decimal string, the grid in canonical decimals. Rows are
 * `[id, side, priceTicks, quantityWh, acceptedAt]`. The same book in any row order
 * gives the same text. See README "Audit" for an example.
 */
export function canonicalBook(orders: readonly Order[] | OrderBook, terms: ClearingTerms): string {
  const sink = new TextSink();
  writeBook(sink, asBook(orders), terms);
  return sink.text();
}

/** SHA-256 (lowercase hex) of `canonicalBook`, computed without building the whole text. */
export function hashBook(orders: readonly Order[] | OrderBook, terms: ClearingTerms): string {
  const sink = new HashSink();
  writeBook(sink, asBook(orders), terms);
  return sink.digest();
}

/**
 * Canonical text of a clearing result: compact JSON, fixed key order, integers as
 * decimal strings, `filled` as `[orderId, filledWh]` rows sorted by id, `fills` as
 * `[buyOrderId, sellOrderId, quantityWh, priceTicks, amountMinor]` in walk order,
 * curves as `[priceTicks, quantityWh]` rows.
 */
export function canonicalResult(result: ClearingResult): string {
  const sink = new TextSink();
  writeResult(sink, result);
  return sink.text();
}

/** SHA-256 (lowercase hex) of `canonicalResult`. */
export function hashResult(result: ClearingResult): string {
  const sink = new HashSink();
  writeResult(sink, result);
  return sink.digest();
}

/** `canonicalResult` of a columnar clearing of `book` (the same text as for its `ClearingResult`). */
export function canonicalBookClearing(book: OrderBook, clearing: BookClearing): string {
  const sink = new TextSink();
  writeBookClearing(sink, book, clearing);
  return sink.text();
}

/** `hashResult` of a columnar clearing of `book`. */
export function hashBookClearing(book: OrderBook, clearing: BookClearing): string {
  const sink = new HashSink();
  writeBookClearing(sink, book, clearing);
  return sink.digest();
}

interface Sink {
  write(text: string): void;
}

class TextSink implements Sink {
  private readonly parts: string[] = [];
  write(text: string): void {
    this.parts.push(text);
  }
  text(): string {
    return this.parts.join('');
  }
}

const HASH_CHUNK = 1 << 16;

class HashSink implements Sink {
  private readonly hash: Hash = createHash('sha256');
  private pending = '';
  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= HASH_CHUNK) {
      this.hash.update(this.pending, 'utf8');
      this.pending = '';
    }
  }
  digest(): string {
    this.hash.update(this.pending, 'utf8');
    this.pending = '';
    return this.hash.digest('hex');
  }
}

function asBook(orders: readonly Order[] | OrderBook): OrderBook {
  return Array.isArray(orders) ? orderBookFromOrders(orders) : (orders as OrderBook);
}

const str = JSON.stringify;

function writeBook(sink: Sink, book: OrderBook, terms: ClearingTerms): void {
  const grid = compilePriceGrid(terms.grid).canonical;
  let k: string | null = null;
  if (terms.mechanism === 'UNIFORM_PRICE') {
    assertK(terms.k);
    const reduced = ratio(terms.k.num, terms.k.den);
    k = `${reduced.num}/${reduced.den}`;
  }
  sink.write(
    `{"format":${str(BOOK_FORMAT)},"mechanism":${str(terms.mechanism)},"k":${str(k)},` +
      `"grid":{"priceTick":${str(grid.priceTick)},"minPrice":${str(grid.minPrice)},` +
      `"maxPrice":${str(grid.maxPrice)}},"orders":[`,
  );
  const rows = rowsInIdOrder(book);
  const { id, side, priceTicks, quantityWh, acceptedAt } = book;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    sink.write(
      `${i === 0 ? '' : ','}["${id[r]}","${side[r] === SIDE_BUY ? 'BUY' : 'SELL'}",` +
        `"${integer(priceTicks[r])}","${integer(quantityWh[r])}","${integer(acceptedAt[r])}"]`,
    );
  }
  sink.write(']}');
}

/** Decimal text of a safe integer held in a number (never exponent notation, never `-0`). */
function integer(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new InvariantViolation(`${value} is not a safe integer`);
  }
  return value === 0 ? '0' : String(value);
}

interface ResultHeader {
  readonly status: string;
  readonly mechanism: string;
  readonly priceTicks: string | null;
  readonly priceRange: readonly [string, string] | null;
  readonly volumeWh: string;
  readonly amountMinor: string;
  readonly bidCount: number;
  readonly offerCount: number;
}

function writeHeader(sink: Sink, header: ResultHeader): void {
  const range =
    header.priceRange === null
      ? 'null'
      : `{"lowTicks":"${header.priceRange[0]}","highTicks":"${header.priceRange[1]}"}`;
  sink.write(
    `{"format":${str(RESULT_FORMAT)},"status":${str(header.status)},` +
      `"mechanism":${str(header.mechanism)},"priceTicks":${str(header.priceTicks)},` +
      `"priceRange":${range},"volumeWh":"${header.volumeWh}","amountMinor":"${header.amountMinor}",` +
      `"bidCount":${header.bidCount},"offerCount":${header.offerCount}`,
  );
}

function writeRows(sink: Sink, key: string, count: number, row: (i: number) => string): void {
  sink.write(`,"${key}":[`);
  for (let i = 0; i < count; i++) {
    if (i > 0) sink.write(',');
    sink.write(row(i));
  }
  sink.write(']');
}

function writeResult(sink: Sink, result: ClearingResult): void {
  writeHeader(sink, {
    status: result.status,
    mechanism: result.mechanism,
    priceTicks: result.priceTicks === null ? null : result.priceTicks.toString(),
    priceRange:
      result.priceRange === null
        ? null
        : [result.priceRange.lowTicks.toString(), result.priceRange.highTicks.toString()],
    volumeWh: result.volumeWh.toString(),
    amountMinor: result.amountMinor.toString(),
    bidCount: result.bidCount,
    offerCount: result.offerCount,
  });
  const filled = [...result.filled];
  if (!isAscendingById(filled)) filled.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  writeRows(sink, 'filled', filled.length, (i) => `["${filled[i][0]}","${filled[i][1]}"]`);
  const fills = result.fills;
  writeRows(sink, 'fills', fills.length, (i) => {
    const f = fills[i];
    return `["${f.buyOrderId}","${f.sellOrderId}","${f.quantityWh}","${f.priceTicks}","${f.amountMinor}"]`;
  });
  for (const [key, curve] of [
    ['demandCurve', result.demandCurve],
    ['supplyCurve', result.supplyCurve],
  ] as const) {
    writeRows(
      sink,
      key,
      curve.length,
      (i) => `["${curve[i].priceTicks}","${curve[i].quantityWh}"]`,
    );
  }
  sink.write('}');
}

function isAscendingById(entries: ReadonlyArray<readonly [bigint, bigint]>): boolean {
  for (let i = 1; i < entries.length; i++) if (!(entries[i - 1][0] < entries[i][0])) return false;
  return true;
}

function writeBookClearing(sink: Sink, book: OrderBook, clearing: BookClearing): void {
  writeHeader(sink, {
    status: clearing.status,
    mechanism: clearing.mechanism,
    priceTicks: clearing.priceTicks === null ? null : integer(clearing.priceTicks),
    priceRange:
      clearing.priceRange === null
        ? null
        : [integer(clearing.priceRange.lowTicks), integer(clearing.priceRange.highTicks)],
    volumeWh: integer(clearing.volumeWh),
    amountMinor: integer(clearing.amountMinor),
    bidCount: clearing.bidCount,
    offerCount: clearing.offerCount,
  });
  const ids = book.id;
  const rows = rowsInIdOrder(book);
  const filledWh = clearing.filledWh;
  writeRows(
    sink,
    'filled',
    rows.length,
    (i) => `["${ids[rows[i]]}","${integer(filledWh[rows[i]])}"]`,
  );
  const f = clearing.fills;
  writeRows(
    sink,
    'fills',
    f.length,
    (i) =>
      `["${ids[f.buyRow[i]]}","${ids[f.sellRow[i]]}","${integer(f.quantityWh[i])}",` +
      `"${integer(f.priceTicks[i])}","${integer(f.amountMinor[i])}"]`,
  );
  for (const [key, curve] of [
    ['demandCurve', clearing.demandCurve],
    ['supplyCurve', clearing.supplyCurve],
  ] as const) {
    writeRows(
      sink,
      key,
      curve.length,
      (i) => `["${integer(curve.priceTicks[i])}","${integer(curve.quantityWh[i])}"]`,
    );
  }
  sink.write('}');
}
