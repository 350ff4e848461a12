/** BUY orders are bids, SELL orders are offers. */
export type Side = 'BUY' | 'SELL';

export const MECHANISMS = ['UNIFORM_PRICE', 'PAY_AS_BID'] as const;
/** How a product-interval is cleared; see README "Clearing". */
export type Mechanism = (typeof MECHANISMS)[number];

/**
 * One order of a frozen book, in integer units.
 * - `id`: the order's database id (unique in the book; final tie-break).
 * - `priceTicks`: limit price in ticks of the product's grid (bid: highest it pays,
 *   offer: lowest it accepts).
 * - `quantityWh`: > 0, integer Wh.
 * - `acceptedAt`: when the exchange acknowledged it, integer microseconds since the Unix
 *   epoch (time priority among equal prices).
 */
export interface Order {
  readonly id: bigint;
  readonly side: Side;
  readonly priceTicks: bigint;
  readonly quantityWh: bigint;
  readonly acceptedAt: bigint;
}

/** An order's state after clearing, from its quantity and filled quantity. */
export type FillState = 'FILLED' | 'PARTIALLY_FILLED' | 'UNFILLED';

export function fillState(quantityWh: bigint | number, filledWh: bigint | number): FillState {
  const filled = BigInt(filledWh);
  if (filled === 0n) return 'UNFILLED';
  return filled === BigInt(quantityWh) ? 'FILLED' : 'PARTIALLY_FILLED';
}
