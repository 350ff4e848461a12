import type { CurveColumns } from '../clearing-result';
import { InvariantViolation } from '../invariant';
import { SIDE_BUY, SIDE_SELL, type OrderBook } from '../order-book';
import type { CompiledPriceGrid } from '../price-grid';

/*
 * Step 1 of the merit-order walk (./run-merit-order.ts): validate the rows and total them
 * per (side, price level), which already is the demand and supply curve. The kernels read
 * module-local constants only: an imported binding is a read from the exporting module on
 * every use.
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Price spans up to max(this, n/2) ticks get one level per tick; wider ones, one per distinct price. */
const DIRECT_LEVELS = 1 << 10;
const BUY = SIDE_BUY;
const SELL = SIDE_SELL;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the high / low 32-bit half of a 64-bit id within its pair of words. */
const HIGH_WORD = LITTLE_ENDIAN ? 1 : 0;
const LOW_WORD = 1 - HIGH_WORD;
const NO_INT32 = new Int32Array(0);
const NO_FLOAT64 = new Float64Array(0);

export function checkColumns(book: OrderBook): number {
  const n = book.length;
  const { id, side, priceTicks, quantityWh, acceptedAt } = book;
  if (
    !Number.isSafeInteger(n) ||
    n < 0 ||
    n > 0x3fffffff ||
    !(id instanceof BigInt64Array) ||
    !(side instanceof Uint8Array) ||
    !(priceTicks instanceof Float64Array) ||
    !(quantityWh instanceof Float64Array) ||
    !(acceptedAt instanceof Float64Array) ||
    id.length < n ||
    side.length < n ||
    priceTicks.length < n ||
    quantityWh.length < n ||
    acceptedAt.length < n
  ) {
    throw new InvariantViolation(
      `an order book needs typed-array columns (BigInt64Array id, Uint8Array side, ` +
        `Float64Array priceTicks/quantityWh/acceptedAt) holding its ${n} rows`,
    );
  }
  return n;
}

/** The book aggregated by price level; level `l` has price `price[l]` (ascending). */
export interface LevelBook {
  readonly price: Float64Array;
  /** Per row, its level; `null` when the level is `priceTicks[row] - base`. */
  readonly rowLevel: Int32Array | null;
  readonly base: number;
  readonly bidCount: Int32Array;
  readonly offerCount: Int32Array;
  readonly bidQuantity: Float64Array;
  readonly offerQuantity: Float64Array;
  readonly bidOrders: number;
  /** Rows are in (acceptedAt, id) order, so stable bucketing yields time priority. */
  readonly timeSorted: boolean;
}

// Slots of the scan summary.
const S_MIN = 0;
const S_MAX = 1;
const S_BIDS = 2;
const S_BID_TOTAL = 3;
const S_OFFER_TOTAL = 4;
const S_TIME_SORTED = 5;
const S_BAD_ROW = 6;
const S_BAD_FIELD = 7;
const SCAN_SLOTS = 8;
const BAD_FIELDS = ['price', 'quantity', 'acceptedAt', 'side', 'id'] as const;

/** Validates the rows and aggregates them by price level (step 1). */
export function levelBook(book: OrderBook, n: number, grid: CompiledPriceGrid): LevelBook {
  const gridMin = Number(grid.minTicks);
  const gridMax = Number(grid.maxTicks);
  const limit = Math.max(DIRECT_LEVELS, n >>> 1);
  const { id, side, priceTicks, quantityWh, acceptedAt } = book;
  const words = new Int32Array(id.buffer, id.byteOffset, 2 * n);
  const lowWords = new Uint32Array(id.buffer, id.byteOffset, 2 * n);
  const summary = new Float64Array(SCAN_SLOTS);

  const gridSpan = gridMax - gridMin + 1;
  if (gridSpan <= limit) {
    const counts = levelCounts(gridSpan);
    scanRows(
      n,
      side,
      priceTicks,
      quantityWh,
      acceptedAt,
      words,
      lowWords,
      gridMin,
      gridMax,
      true,
      gridMin,
      counts.bidCount,
      counts.offerCount,
      counts.bidQuantity,
      counts.offerQuantity,
      summary,
    );
    checkScan(book, summary);
    return {
      ...counts,
      price: tickPrices(gridMin, gridSpan),
      rowLevel: null,
      base: gridMin,
      bidOrders: summary[S_BIDS],
      timeSorted: summary[S_TIME_SORTED] === 1,
    };
  }

  scanRows(
    n,
    side,
    priceTicks,
    quantityWh,
    acceptedAt,
    words,
    lowWords,
    gridMin,
    gridMax,
    false,
    0,
    NO_INT32,
    NO_INT32,
    NO_FLOAT64,
    NO_FLOAT64,
    summary,
  );
  checkScan(book, summary);
  const span = n === 0 ? 0 : summary[S_MAX] - summary[S_MIN] + 1;
  let price: Float64Array;
  let rowLevel: Int32Array | null = null;
  let base = 0;
  if (span <= limit) {
    base = summary[S_MIN];
    price = tickPrices(base, span);
  } else {
    price = distinctSortedPrices(priceTicks, n);
    rowLevel = levelIndexes(priceTicks, n, price);
  }
  const counts = levelCounts(price.length);
  countRows(
    n,
    side,
    priceTicks,
    quantityWh,
    rowLevel ?? NO_INT32,
    rowLevel !== null,
    base,
    counts.bidCount,
    counts.offerCount,
    counts.bidQuantity,
    counts.offerQuantity,
  );
  return {
    ...counts,
    price,
    rowLevel,
    base,
    bidOrders: summary[S_BIDS],
    timeSorted: summary[S_TIME_SORTED] === 1,
  };
}

function levelCounts(levels: number) {
  return {
    bidCount: new Int32Array(levels),
    offerCount: new Int32Array(levels),
    bidQuantity: new Float64Array(levels),
    offerQuantity: new Float64Array(levels),
  };
}

function tickPrices(base: number, span: number): Float64Array {
  const price = new Float64Array(span);
  for (let l = 0; l < span; l++) price[l] = base + l;
  return price;
}

function checkScan(book: OrderBook, summary: Float64Array): void {
  const row = summary[S_BAD_ROW];
  if (row >= 0) {
    const field = BAD_FIELDS[summary[S_BAD_FIELD]];
    if (field === 'id') {
      throw new InvariantViolation(`order id ${book.id[row]} appears twice in the book`);
    }
    throw new InvariantViolation(
      `book row ${row} (order ${book.id[row]}) has an invalid ${field}: ` +
        `side ${book.side[row]}, price ${book.priceTicks[row]}, quantity ${book.quantityWh[row]}, ` +
        `acceptedAt ${book.acceptedAt[row]} (prices must be integer ticks within the grid, ` +
        'quantities positive safe integers, acceptedAt a safe integer, sides 0 or 1)',
    );
  }
  if (summary[S_BID_TOTAL] > MAX_SAFE || summary[S_OFFER_TOTAL] > MAX_SAFE) {
    throw new InvariantViolation('the total quantity of one side exceeds 2^53 Wh');
  }
}

/**
 * Kernel of step 1: validates every row, notes whether rows are in (acceptedAt, id)
 * order (ids compared as two 32-bit words, no bigint allocation) and, if `count`,
 * counts orders and sums quantity per level `price - base`. Reports into `summary`;
 * stops at the first bad row.
 */
function scanRows(
  n: number,
  side: Uint8Array,
  price: Float64Array,
  quantity: Float64Array,
  acceptedAt: Float64Array,
  words: Int32Array,
  lowWords: Uint32Array,
  gridMin: number,
  gridMax: number,
  count: boolean,
  base: number,
  bidCount: Int32Array,
  offerCount: Int32Array,
  bidQuantity: Float64Array,
  offerQuantity: Float64Array,
  summary: Float64Array,
): void {
  let minPrice = Infinity;
  let maxPrice = -Infinity;
  let bids = 0;
  let bidTotal = 0;
  let offerTotal = 0;
  let timeSorted = 1;
  let previousTime = -Infinity;
  let badRow = -1;
  let badField = 0;
  for (let r = 0; r < n; r++) {
    const p = price[r];
    const q = quantity[r];
    const t = acceptedAt[r];
    const s = side[r];
    if (!(p >= gridMin && p <= gridMax && Math.floor(p) === p)) {
      badRow = r;
      badField = 0;
      break;
    }
    if (!(q > 0 && q <= MAX_SAFE && Math.floor(q) === q)) {
      badRow = r;
      badField = 1;
      break;
    }
    if (!(t >= -MAX_SAFE && t <= MAX_SAFE && Math.floor(t) === t)) {
      badRow = r;
      badField = 2;
      break;
    }
    if (p < minPrice) minPrice = p;
    if (p > maxPrice) maxPrice = p;
    if (s === BUY) {
      bids++;
      bidTotal += q;
      if (count) {
        const level = p - base;
        bidCount[level]++;
        bidQuantity[level] += q;
      }
    } else if (s === SELL) {
      offerTotal += q;
      if (count) {
        const level = p - base;
        offerCount[level]++;
        offerQuantity[level] += q;
      }
    } else {
      badRow = r;
      badField = 3;
      break;
    }
    if (timeSorted === 1) {
      if (t < previousTime) timeSorted = 0;
      else if (t === previousTime) {
        const high = words[2 * r + HIGH_WORD] - words[2 * r - 2 + HIGH_WORD];
        const order =
          high !== 0 ? high : lowWords[2 * r + LOW_WORD] - lowWords[2 * r - 2 + LOW_WORD];
        if (order === 0) {
          badRow = r;
          badField = 4;
          break;
        }
        if (order < 0) timeSorted = 0;
      }
      previousTime = t;
    }
  }
  summary[S_MIN] = minPrice;
  summary[S_MAX] = maxPrice;
  summary[S_BIDS] = bids;
  summary[S_BID_TOTAL] = bidTotal;
  summary[S_OFFER_TOTAL] = offerTotal;
  summary[S_TIME_SORTED] = timeSorted;
  summary[S_BAD_ROW] = badRow;
  summary[S_BAD_FIELD] = badField;
}

/** Kernel: counts validated rows per level (second pass, for wide grids). */
function countRows(
  n: number,
  side: Uint8Array,
  price: Float64Array,
  quantity: Float64Array,
  rowLevel: Int32Array,
  byRowLevel: boolean,
  base: number,
  bidCount: Int32Array,
  offerCount: Int32Array,
  bidQuantity: Float64Array,
  offerQuantity: Float64Array,
): void {
  for (let r = 0; r < n; r++) {
    const level = byRowLevel ? rowLevel[r] : price[r] - base;
    if (side[r] === BUY) {
      bidCount[level]++;
      bidQuantity[level] += quantity[r];
    } else {
      offerCount[level]++;
      offerQuantity[level] += quantity[r];
    }
  }
}

function distinctSortedPrices(price: Float64Array, n: number): Float64Array {
  const sorted = price.slice(0, n).sort();
  let count = 0;
  for (let r = 0; r < n; r++) {
    if (count === 0 || sorted[r] !== sorted[count - 1]) sorted[count++] = sorted[r];
  }
  return sorted.slice(0, count);
}

function levelIndexes(price: Float64Array, n: number, distinct: Float64Array): Int32Array {
  const levels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const p = price[r];
    let lo = 0;
    let hi = distinct.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    levels[r] = lo;
  }
  return levels;
}

/** Cumulative curve over the non-empty levels, walking in `direction` (-1: from the top). */
export function curve(
  price: Float64Array,
  count: Int32Array,
  quantity: Float64Array,
  direction: 1 | -1,
): CurveColumns {
  let points = 0;
  for (let l = 0; l < count.length; l++) if (count[l] !== 0) points++;
  const priceTicks = new Float64Array(points);
  const quantityWh = new Float64Array(points);
  let point = 0;
  let total = 0;
  const last = count.length - 1;
  for (let step = 0; step <= last; step++) {
    const l = direction === 1 ? step : last - step;
    if (count[l] === 0) continue;
    total += quantity[l];
    priceTicks[point] = price[l];
    quantityWh[point] = total;
    point++;
  }
  return { length: points, priceTicks, quantityWh };
}
