import type { LevelBook } from './level-book';

/*
 * Step 2 of the merit-order walk (./run-merit-order.ts): the walk over the level totals
 * finds the marginal level of each side, the volume, L and U, before any order is touched.
 */

/** What the walk over the level totals establishes (step 2). */
export interface Reach {
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
export function walkLevels(levels: LevelBook): Reach | null {
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
