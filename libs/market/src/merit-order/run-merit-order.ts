import type { BookClearing, FillColumns } from '../clearing-result';
import { InvariantViolation } from '../invariant';
import { amountRule, numericAmountRule } from '../money';
import type { OrderBook } from '../order-book';
import { compilePriceGrid, type PriceGrid } from '../price-grid';
import { assertK, type Ratio } from '../ratio';
import { checkColumns, curve, levelBook } from './level-book';
import { queueRows } from './queue-rows';
import { walkLevels } from './walk-levels';
import {
  W_AMOUNT,
  W_BID_INDEX,
  W_BID_LEFT,
  W_FILLS,
  W_LAST_BID,
  W_LAST_OFFER,
  W_OFFER_INDEX,
  W_OFFER_LEFT,
  W_OVERFLOW,
  W_VOLUME,
  WALK_SLOTS,
  settleMarginalLevel,
  timeSorter,
  walkOrders,
} from './walk-orders';

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

const NO_INT32 = new Int32Array(0);

/**
 * The merit-order walk of the clearing rule (libs/market/README.md), shared by both mechanisms.
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
