/**
 * Bounds of one auction. They keep every solver model of bounded size and every sum the engine
 * forms (a carrier-interval's total per side, money per award line and in total) far below 2^53,
 * as the per-interval market's bounds do (`libs/market/src/book-limits.ts`).
 */

/** Most intervals in one auction: a week of quarter hours. */
export const MAX_AUCTION_INTERVALS = 672;
/** Most carriers in one auction. */
export const MAX_CARRIERS = 8;
/** Most orders of all kinds in one auction. */
export const MAX_AUCTION_ORDERS = 100_000;
/** Most block orders in one auction (each is a binary choice of the selection MILP). */
export const MAX_BLOCK_ORDERS = 2_000;
/** Most conversion and storage orders together in one auction. */
export const MAX_DEVICE_ORDERS = 500;
/** Most outputs of one conversion. */
export const MAX_CONVERSION_OUTPUTS = 4;
/** Longest chain of parent blocks (a block, its parent, its parent's parent, …). */
export const MAX_BLOCK_DEPTH = 8;
/** Longest id, participant, carrier code or exclusive-group name (characters). */
export const MAX_NAME_LENGTH = 64;
/** Largest numerator or denominator of a ratio or efficiency in lowest terms. */
export const MAX_RATIO_TERM = 1_000_000n;
/** Largest conversion output ratio (Wh out per Wh in). */
export const MAX_OUTPUT_RATIO = 100n;
