/**
 * The merit-order walk shared by UNIFORM_PRICE and PAY_AS_BID, one file per documented step
 * (internal to @parkex/market; `clearBook` and the mechanisms are the public API):
 * 1. ./level-book.ts — validate the rows and total them per price level (the curves);
 * 2. ./walk-levels.ts — walk the level totals: the marginal levels, the volume, L and U;
 * 3. ./queue-rows.ts — queue the orders at the reached levels, one queue per side;
 * 4. ./walk-orders.ts — walk the queues: the fills, then the marginal levels' quantities.
 * ./run-merit-order.ts runs the four in order and prices the result.
 */
export { runMeritOrder } from './run-merit-order';
export type { Pricing } from './run-merit-order';
