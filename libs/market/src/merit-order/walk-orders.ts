import { amountMinorOf, type AmountRule } from '../money';
import type { OrderBook } from '../order-book';

/*
 * Step 4 of the merit-order walk (./run-merit-order.ts): walk the queues, writing the
 * fills, and settle the marginal levels. The kernels read module-local constants only: an
 * imported binding is a read from the exporting module on every use.
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Puts queue positions [from, to) — one price level — into (acceptedAt, id) order. */
export type LevelSorter = (
  rows: Int32Array,
  quantity: Float64Array,
  from: number,
  to: number,
) => void;

/** Sorter for books whose rows are not in time order. */
export function timeSorter(book: OrderBook): LevelSorter {
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
export const W_FILLS = 0;
export const W_VOLUME = 1;
export const W_AMOUNT = 2;
export const W_BID_INDEX = 3;
export const W_BID_LEFT = 4;
export const W_OFFER_INDEX = 5;
export const W_OFFER_LEFT = 6;
export const W_LAST_BID = 7;
export const W_LAST_OFFER = 8;
export const W_OVERFLOW = 9;
export const WALK_SLOTS = 10;

/**
 * Kernel of step 4, the merit-order walk: while the current bid's price ≥ the current
 * offer's price, fill min(remaining) and advance whichever is used up. Each pair is
 * priced at `uniformPrice`, or at the bid's price when that is NaN (PAY_AS_BID). With a
 * `sorter`, each level is put into time priority as the walk enters it.
 */
export function walkOrders(
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
export function settleMarginalLevel(
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
