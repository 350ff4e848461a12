import type { BookClearing, CurveColumns, FillColumns } from './clearing-result';
import { InvariantViolation } from './invariant';
import { amountMinorOf, amountRule, numericAmountRule, type AmountRule } from './money';
import { SIDE_BUY, SIDE_SELL, type OrderBook } from './order-book';
import { compilePriceGrid, type CompiledPriceGrid, type PriceGrid } from './price-grid';
import { assertK, type Ratio } from './ratio';

/** How the walked pairs are priced. */
export type Pricing =
  { readonly mechanism: 'UNIFORM_PRICE'; readonly k: Ratio } | { readonly mechanism: 'PAY_AS_BID' };

/*
 * Implementation notes. The hot loops are "kernels": plain functions over typed arrays
 * and numbers (no closures over per-call objects, no property writes after the loop).
 * V8 optimises such a loop on its first long run (on-stack replacement) and keeps the
 * code across calls; per-call objects captured by optimised code would be dropped by
 * the next GC and force re-optimisation on every clearing.
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

/**
 * The merit-order walk of DESIGN.md "Clearing rule", shared by both mechanisms.
 *
 * Cost O(n + price levels), no comparison sort of the orders:
 * 1. one sequential pass validates the rows, notes whether they are already in time
 *    priority order, and counts orders and quantity per (side, integer price level) —
 *    which is already the demand and supply curve (when the grid spans more than
 *    max(1024, n/2) ticks, a second pass counts over the book's own price span, or over
 *    its distinct prices, found by sorting them, if that span is wide too);
 * 2. the walk over those level totals finds the marginal level of each side, the
 *    volume, L, U and so the price, before any order is touched;
 * 3. one pass buckets only the orders at levels the walk reaches (a stable counting
 *    sort) into a queue per side, and gives every other order its filled quantity;
 * 4. the walk over the queues writes the fills and settles the marginal levels.
 * Rows not in time order cost, in addition, a sort by (acceptedAt, id) of each level
 * the order walk visits.
 */
export function runMeritOrder(book: OrderBook, grid: PriceGrid, pricing: Pricing): BookClearing {
  const compiled = compilePriceGrid(grid);
  if (pricing.mechanism === 'UNIFORM_PRICE') assertK(pricing.k);
  const n = checkColumns(book);
  const levels = levelBook(book, n, compiled);
  const base = {
    mechanism: pricing.mechanism,
    bidCount: levels.bidOrders,
    offerCount: n - levels.bidOrders,
    demandCurve: curve(levels.price, levels.bidCount, levels.bidQuantity, -1),
    supplyCurve: curve(levels.price, levels.offerCount, levels.offerQuantity, 1),
  };

  const reach = walkLevels(levels);
  if (reach === null) {
    return {
      ...base,
      status: 'NO_TRADE',
      priceTicks: null,
      priceRange: null,
      volumeWh: 0,
      amountMinor: 0,
      filledWh: new Float64Array(n),
      fills: fillColumns(0),
    };
  }

  const lowTicks = Math.max(reach.lastOfferPrice, reach.nextBidPrice);
  const highTicks = Math.min(reach.lastBidPrice, reach.nextOfferPrice);
  if (!(lowTicks <= highTicks)) {
    throw new InvariantViolation(`clearing range [${lowTicks}, ${highTicks}] is empty`);
  }
  const uniform = pricing.mechanism === 'UNIFORM_PRICE';
  const priceTicks = uniform
    ? lowTicks + offsetInRange(lowTicks, highTicks, pricing.k)
    : reach.lastBidPrice;

  // 3. Queue the reached orders; everyone else's filled quantity is known already.
  const filledWh = new Float64Array(n);
  const top = levels.price.length - 1;
  const bidCursor = new Int32Array(top + 1);
  const offerCursor = new Int32Array(top + 1);
  let bidSize = 0;
  for (let l = top; l >= reach.bidLevel; l--) {
    bidCursor[l] = bidSize;
    bidSize += levels.bidCount[l];
  }
  let offerSize = 0;
  for (let l = 0; l <= reach.offerLevel; l++) {
    offerCursor[l] = offerSize;
    offerSize += levels.offerCount[l];
  }
  const bidRows = new Int32Array(bidSize);
  const bidQuantity = new Float64Array(bidSize);
  const offerRows = new Int32Array(offerSize);
  const offerQuantity = new Float64Array(offerSize);
  queueRows(
    n,
    book.side,
    book.priceTicks,
    book.quantityWh,
    levels.rowLevel ?? NO_INT32,
    levels.rowLevel !== null,
    levels.base,
    reach.bidLevel,
    reach.offerLevel,
    bidCursor,
    offerCursor,
    bidRows,
    bidQuantity,
    offerRows,
    offerQuantity,
    filledWh,
  );

  // 4. Walk the orders. Each step uses up at least one order, which bounds the fills.
  const capacity = bidSize + offerSize - 1;
  const columns = {
    buyRow: new Int32Array(capacity),
    sellRow: new Int32Array(capacity),
    quantityWh: new Float64Array(capacity),
    priceTicks: new Float64Array(capacity),
    amountMinor: new Float64Array(capacity),
  };
  const rule = amountRule(compiled);
  const numeric = numericAmountRule(rule);
  const summary = new Float64Array(WALK_SLOTS);
  walkOrders(
    bidRows,
    bidQuantity,
    offerRows,
    offerQuantity,
    levels.price,
    levels.bidCount,
    levels.offerCount,
    reach.firstBidLevel,
    reach.firstOfferLevel,
    levels.timeSorted ? null : timeSorter(book),
    uniform ? priceTicks : NaN,
    numeric?.numerator ?? 0,
    numeric?.denominator ?? 1,
    rule,
    columns.buyRow,
    columns.sellRow,
    columns.quantityWh,
    columns.priceTicks,
    columns.amountMinor,
    summary,
  );
  if (summary[W_OVERFLOW] !== 0) {
    throw new InvariantViolation('the total amount of the clearing exceeds 2^53 minor units');
  }
  const fillCount = summary[W_FILLS];
  settleMarginalLevel(
    filledWh,
    bidRows,
    bidQuantity,
    bidSize - levels.bidCount[reach.bidLevel],
    summary[W_BID_INDEX],
    summary[W_BID_LEFT],
  );
  settleMarginalLevel(
    filledWh,
    offerRows,
    offerQuantity,
    offerSize - levels.offerCount[reach.offerLevel],
    summary[W_OFFER_INDEX],
    summary[W_OFFER_LEFT],
  );
  if (
    fillCount === 0 ||
    summary[W_VOLUME] !== reach.volume ||
    summary[W_LAST_BID] !== reach.lastBidPrice ||
    summary[W_LAST_OFFER] !== reach.lastOfferPrice
  ) {
    throw new InvariantViolation('the order walk diverged from the level walk');
  }
  return {
    ...base,
    status: 'CLEARED',
    priceTicks,
    priceRange: { lowTicks, highTicks },
    volumeWh: summary[W_VOLUME],
    amountMinor: summary[W_AMOUNT],
    filledWh,
    fills: {
      length: fillCount,
      buyRow: columns.buyRow.subarray(0, fillCount),
      sellRow: columns.sellRow.subarray(0, fillCount),
      quantityWh: columns.quantityWh.subarray(0, fillCount),
      priceTicks: columns.priceTicks.subarray(0, fillCount),
      amountMinor: columns.amountMinor.subarray(0, fillCount),
    },
  };
}

/** round(k · (high − low)) in ticks, an exact half rounded up (towards the higher price). */
function offsetInRange(low: number, high: number, k: Ratio): number {
  const span = BigInt(high) - BigInt(low);
  return Number((2n * k.num * span + k.den) / (2n * k.den));
}

function fillColumns(length: number): FillColumns {
  return {
    length,
    buyRow: new Int32Array(length),
    sellRow: new Int32Array(length),
    quantityWh: new Float64Array(length),
    priceTicks: new Float64Array(length),
    amountMinor: new Float64Array(length),
  };
}

function checkColumns(book: OrderBook): number {
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
interface LevelBook {
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
function levelBook(book: OrderBook, n: number, grid: CompiledPriceGrid): LevelBook {
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
function curve(
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

/** What the walk over the level totals establishes (step 2). */
interface Reach {
  readonly firstBidLevel: number;
  readonly firstOfferLevel: number;
  /** The bids' marginal level (of the first bid with unfilled quantity, else the lowest bid level). */
  readonly bidLevel: number;
  /** The offers' marginal level. */
  readonly offerLevel: number;
  readonly volume: number;
  readonly lastBidPrice: number;
  readonly lastOfferPrice: number;
  /** Highest price among bids with unfilled quantity; -Infinity if none. */
  readonly nextBidPrice: number;
  /** Lowest price among offers with unfilled quantity; +Infinity if none. */
  readonly nextOfferPrice: number;
}

/**
 * The merit-order walk on level totals. The order walk consumes the same quantities in
 * the same level sequence, so it stops at the same levels with the same volume and the
 * same last and next prices. `null` when nothing crosses (or a side is empty).
 */
function walkLevels(levels: LevelBook): Reach | null {
  const { price, bidCount, offerCount, bidQuantity, offerQuantity } = levels;
  const top = price.length - 1;
  let b = top;
  while (b >= 0 && bidCount[b] === 0) b--;
  let o = 0;
  while (o <= top && offerCount[o] === 0) o++;
  if (b < 0 || o > top || price[b] < price[o]) return null;
  const firstBidLevel = b;
  const firstOfferLevel = o;
  let bidLeft = bidQuantity[b];
  let offerLeft = offerQuantity[o];
  let volume = 0;
  let lastBidPrice = NaN;
  let lastOfferPrice = NaN;
  let bidsLeft = true;
  let offersLeft = true;
  while (price[b] >= price[o]) {
    const q = bidLeft < offerLeft ? bidLeft : offerLeft;
    volume += q;
    bidLeft -= q;
    offerLeft -= q;
    lastBidPrice = price[b];
    lastOfferPrice = price[o];
    if (bidLeft === 0) {
      let next = b - 1;
      while (next >= 0 && bidCount[next] === 0) next--;
      if (next < 0) bidsLeft = false;
      else {
        b = next;
        bidLeft = bidQuantity[b];
      }
    }
    if (offerLeft === 0) {
      let next = o + 1;
      while (next <= top && offerCount[next] === 0) next++;
      if (next > top) offersLeft = false;
      else {
        o = next;
        offerLeft = offerQuantity[o];
      }
    }
    if (!bidsLeft || !offersLeft) break;
  }
  return {
    firstBidLevel,
    firstOfferLevel,
    bidLevel: b,
    offerLevel: o,
    volume,
    lastBidPrice,
    lastOfferPrice,
    nextBidPrice: bidsLeft ? price[b] : -Infinity,
    nextOfferPrice: offersLeft ? price[o] : Infinity,
  };
}

/**
 * Kernel of step 3: a stable counting sort of the rows at reached levels into the two
 * queues (rows and quantities side by side, so the walk reads sequentially). Rows at
 * levels better than the marginal one are fully filled; worse ones stay at 0.
 */
function queueRows(
  n: number,
  side: Uint8Array,
  price: Float64Array,
  quantity: Float64Array,
  rowLevel: Int32Array,
  byRowLevel: boolean,
  base: number,
  bidFloor: number,
  offerCeiling: number,
  bidCursor: Int32Array,
  offerCursor: Int32Array,
  bidRows: Int32Array,
  bidQuantity: Float64Array,
  offerRows: Int32Array,
  offerQuantity: Float64Array,
  filled: Float64Array,
): void {
  for (let r = 0; r < n; r++) {
    const level = byRowLevel ? rowLevel[r] : price[r] - base;
    if (side[r] === BUY) {
      if (level >= bidFloor) {
        const q = quantity[r];
        const at = bidCursor[level]++;
        bidRows[at] = r;
        bidQuantity[at] = q;
        if (level !== bidFloor) filled[r] = q;
      }
    } else if (level <= offerCeiling) {
      const q = quantity[r];
      const at = offerCursor[level]++;
      offerRows[at] = r;
      offerQuantity[at] = q;
      if (level !== offerCeiling) filled[r] = q;
    }
  }
}

/** Puts queue positions [from, to) — one price level — into (acceptedAt, id) order. */
type LevelSorter = (rows: Int32Array, quantity: Float64Array, from: number, to: number) => void;

/** Sorter for books whose rows are not in time order. */
function timeSorter(book: OrderBook): LevelSorter {
  const { acceptedAt, id, quantityWh } = book;
  const byTime = (x: number, y: number): number => {
    const time = acceptedAt[x] - acceptedAt[y];
    if (time !== 0) return time;
    const a = id[x];
    const b = id[y];
    return a < b ? -1 : a > b ? 1 : 0;
  };
  return (rows, quantity, from, to) => {
    if (to - from < 2) return;
    rows.subarray(from, to).sort(byTime);
    for (let i = from; i < to; i++) quantity[i] = quantityWh[rows[i]];
  };
}

// Slots of the walk summary.
const W_FILLS = 0;
const W_VOLUME = 1;
const W_AMOUNT = 2;
const W_BID_INDEX = 3;
const W_BID_LEFT = 4;
const W_OFFER_INDEX = 5;
const W_OFFER_LEFT = 6;
const W_LAST_BID = 7;
const W_LAST_OFFER = 8;
const W_OVERFLOW = 9;
const WALK_SLOTS = 10;

/**
 * Kernel of step 4, the merit-order walk: while the current bid's price ≥ the current
 * offer's price, fill min(remaining) and advance whichever is used up. Each pair is
 * priced at `uniformPrice`, or at the bid's price when that is NaN (PAY_AS_BID). With a
 * `sorter`, each level is put into time priority as the walk enters it.
 */
function walkOrders(
  bidRows: Int32Array,
  bidQuantity: Float64Array,
  offerRows: Int32Array,
  offerQuantity: Float64Array,
  levelPrice: Float64Array,
  bidLevelCount: Int32Array,
  offerLevelCount: Int32Array,
  firstBidLevel: number,
  firstOfferLevel: number,
  sorter: LevelSorter | null,
  uniformPrice: number,
  numerator: number,
  denominator: number,
  rule: AmountRule,
  buyRow: Int32Array,
  sellRow: Int32Array,
  fillQuantity: Float64Array,
  fillPrice: Float64Array,
  fillAmount: Float64Array,
  summary: Float64Array,
): void {
  const bids = bidRows.length;
  const offers = offerRows.length;
  const payAsBid = uniformPrice !== uniformPrice; // NaN
  let fills = 0;
  let volume = 0;
  let amount = 0;
  let overflow = 0;
  let lastBidPrice = NaN;
  let lastOfferPrice = NaN;
  let i = 0;
  let j = 0;
  let bidLevel = firstBidLevel;
  let offerLevel = firstOfferLevel;
  let bidLevelEnd = bidLevelCount[bidLevel];
  let offerLevelEnd = offerLevelCount[offerLevel];
  if (sorter !== null) {
    sorter(bidRows, bidQuantity, 0, bidLevelEnd);
    sorter(offerRows, offerQuantity, 0, offerLevelEnd);
  }
  let bidPrice = levelPrice[bidLevel];
  let offerPrice = levelPrice[offerLevel];
  let bidLeft = bidQuantity[0];
  let offerLeft = offerQuantity[0];
  while (bidPrice >= offerPrice) {
    const q = bidLeft < offerLeft ? bidLeft : offerLeft;
    const p = payAsBid ? bidPrice : uniformPrice;
    const a = amountMinorOf(q, p, numerator, denominator, rule);
    buyRow[fills] = bidRows[i];
    sellRow[fills] = offerRows[j];
    fillQuantity[fills] = q;
    fillPrice[fills] = p;
    fillAmount[fills] = a;
    fills++;
    amount += a;
    if (amount > MAX_SAFE || amount < -MAX_SAFE) {
      overflow = 1;
      break;
    }
    volume += q;
    lastBidPrice = bidPrice;
    lastOfferPrice = offerPrice;
    bidLeft -= q;
    offerLeft -= q;
    if (bidLeft === 0) {
      i++;
      if (i < bids) {
        if (i === bidLevelEnd) {
          do bidLevel--;
          while (bidLevelCount[bidLevel] === 0);
          bidLevelEnd += bidLevelCount[bidLevel];
          bidPrice = levelPrice[bidLevel];
          if (sorter !== null) sorter(bidRows, bidQuantity, i, bidLevelEnd);
        }
        bidLeft = bidQuantity[i];
      }
    }
    if (offerLeft === 0) {
      j++;
      if (j < offers) {
        if (j === offerLevelEnd) {
          do offerLevel++;
          while (offerLevelCount[offerLevel] === 0);
          offerLevelEnd += offerLevelCount[offerLevel];
          offerPrice = levelPrice[offerLevel];
          if (sorter !== null) sorter(offerRows, offerQuantity, j, offerLevelEnd);
        }
        offerLeft = offerQuantity[j];
      }
    }
    if (i === bids || j === offers) break;
  }
  summary[W_FILLS] = fills;
  summary[W_VOLUME] = volume;
  summary[W_AMOUNT] = amount;
  summary[W_BID_INDEX] = i;
  summary[W_BID_LEFT] = i < bids ? bidLeft : 0;
  summary[W_OFFER_INDEX] = j;
  summary[W_OFFER_LEFT] = j < offers ? offerLeft : 0;
  summary[W_LAST_BID] = lastBidPrice;
  summary[W_LAST_OFFER] = lastOfferPrice;
  summary[W_OVERFLOW] = overflow;
}

/**
 * Filled quantities at a side's marginal level (queue positions from `start` to the
 * end, now in priority order): ahead of where the walk stopped full, at it what the
 * walk gave, behind it nothing.
 */
function settleMarginalLevel(
  filled: Float64Array,
  rows: Int32Array,
  quantity: Float64Array,
  start: number,
  stoppedAt: number,
  leftAtStop: number,
): void {
  const end = Math.min(rows.length, stoppedAt + 1);
  for (let i = start; i < end; i++) {
    filled[rows[i]] = i === stoppedAt ? quantity[i] - leftAtStop : quantity[i];
  }
}
