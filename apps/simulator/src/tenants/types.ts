import type { PriceContext } from '../market/reference-price';

export type ProductKey = 'electricity' | 'heat' | 'storage';
export type Side = 'BUY' | 'SELL';

/**
 * One order a tenant wants in one interval: integer ticks of 0.0001 EUR/kWh and integer Wh
 * (Wh thermal for heat, Wh of capacity for storage). `block` names the price step, unique per
 * tenant, product and interval (it becomes part of the clientOrderId).
 */
export interface OrderIntent {
  product: ProductKey;
  side: Side;
  priceTicks: number;
  quantityWh: number;
  block: string;
}

/** What a tenant knows when it places the orders of one simulated quarter-hour. */
export interface IntervalContext {
  /** Index of the quarter-hour in the run (0 = the first). */
  index: number;
  /** Local hour of day, 0–23. */
  hour: number;
  prices: PriceContext;
}

export type TenantKind =
  'industry' | 'commerce' | 'office' | 'pv' | 'chp' | 'heat' | 'battery' | 'ev';

/**
 * A park enterprise's energy-management system, as a pure model: its profile is fixed when the
 * tenant is built; `orders` turns one interval into bids and offers. Whatever a tenant's orders
 * leave unfilled it buys from the grid (at the import tariff or its own boiler) or sells to it
 * (at the feed-in price), so the orders of a product and side add up to its physical need.
 */
export interface Tenant {
  key: string;
  name: string;
  kind: TenantKind;
  /** One line for the summary: size and data source. */
  description: string;
  orders(context: IntervalContext): OrderIntent[];
}
