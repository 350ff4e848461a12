/**
 * Bounds of one product-interval's book, per side. The database enforces them for every insert
 * (migration BoundOrderBooks, functions `book_side_limit_wh()` and `book_side_limit_minor()`);
 * these constants mirror them for the API's checks and messages.
 *
 * Why they keep every number of a clearing below 2^53 (≈ 9.007 × 10^15), so that the clearing's
 * safe-integer arithmetic is exact:
 * - quantities: each side totals at most 10^15 Wh, so does the traded volume, every curve point
 *   and every buyer's bought quantity;
 * - amounts: a fill of q Wh at a price p (|p| ≤ P = max(|minPrice|, |maxPrice|) of the
 *   interval, for both mechanisms) is round(q × p / 10) minor units, at most q × P / 10 + 1/2.
 *   Over all fills: Σ|amount| ≤ V × P / 10 + F / 2, where V × P / 10 ≤ 10^15 (the money bound of
 *   either side) and the number of fills F ≤ bids + offers − 1 < 2 × 10^15 (each order has at
 *   least 1 Wh), so Σ|amount| < 2 × 10^15;
 * - network fees: per buyer round(bought × fee / 10); summed over buyers ≤ V × fee / 10 + buyers
 *   / 2 < 2 × 10^15 by the fee bound;
 * - a journal's debits (fill amounts plus fees) therefore stay below 4 × 10^15 < 2^53.
 */

/** Largest total quantity of one side of a product-interval: 10^15 Wh (10^12 kWh, 1 PWh). */
export const BOOK_SIDE_LIMIT_WH = 1_000_000_000_000_000n;

/**
 * Largest value of one side of a product-interval, in minor units (10^13 in currency): its total
 * Wh × max(|minPrice|, |maxPrice|) of the interval's terms, and also its total Wh × the network
 * fee, each converted to minor units (Wh × currency per kWh / 10) and rounded up.
 */
export const BOOK_SIDE_LIMIT_MINOR = 1_000_000_000_000_000n;

/** A product's default `maxParticipantQuantity`: 10^8 Wh (100,000 kWh) per participant, interval and side. */
export const DEFAULT_MAX_PARTICIPANT_QUANTITY_WH = 100_000_000n;
