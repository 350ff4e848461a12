import type { Mechanism } from './order';
import type { Ratio } from './ratio';

export type ClearingStatus = 'CLEARED' | 'NO_TRADE';

/**
 * The parameters of the uniform-price rule. `k` ∈ [0, 1] places the price in the
 * clearing range [L, U]: price = L + k·(U − L). Ignored by `PAY_AS_BID`.
 */
export interface ClearingParams {
  readonly k: Ratio;
}

/** [L, U]: every price in it clears the walked volume (see README "Clearing rule"). */
export interface PriceRange {
  readonly lowTicks: bigint;
  readonly highTicks: bigint;
}

/** One peer-to-peer pair of the merit-order walk. */
export interface Fill {
  readonly buyOrderId: bigint;
  readonly sellOrderId: bigint;
  readonly quantityWh: bigint;
  readonly priceTicks: bigint;
  /** quantity × price in minor units (0.01), half away from zero; buyer pays, seller receives. */
  readonly amountMinor: bigint;
}

/** A step of a cumulative curve: the quantity offered/demanded at this price level. */
export interface CurvePoint {
  readonly priceTicks: bigint;
  readonly quantityWh: bigint;
}

/** The result of clearing one frozen book, in bigints (see README for every field). */
export interface ClearingResult {
  readonly status: ClearingStatus;
  readonly mechanism: Mechanism;
  /**
   * UNIFORM_PRICE: the clearing price. PAY_AS_BID: the price of the last (marginal)
   * matched bid, the lowest price any buyer pays. `null` when nothing trades.
   */
  readonly priceTicks: bigint | null;
  /** [L, U] of the walk, `null` when nothing trades. */
  readonly priceRange: PriceRange | null;
  /** Total traded quantity = sum of fills = maximum tradable volume. */
  readonly volumeWh: bigint;
  /** Sum of the fills' amounts (what buyers pay = what sellers receive). */
  readonly amountMinor: bigint;
  readonly bidCount: number;
  readonly offerCount: number;
  /** Filled quantity of every order of the book (0 when unfilled), iterated in id order. */
  readonly filled: ReadonlyMap<bigint, bigint>;
  /** Pairs in walk order. */
  readonly fills: readonly Fill[];
  /** Bids: one point per distinct bid price, descending; quantity bid at ≥ that price. */
  readonly demandCurve: readonly CurvePoint[];
  /** Offers: one point per distinct offer price, ascending; quantity offered at ≤ that price. */
  readonly supplyCurve: readonly CurvePoint[];
}

/** `PriceRange` of the columnar result (safe-integer ticks). */
export interface BookPriceRange {
  readonly lowTicks: number;
  readonly highTicks: number;
}

/** Fills as columns; `buyRow`/`sellRow` are rows of the cleared `OrderBook`. */
export interface FillColumns {
  readonly length: number;
  readonly buyRow: Int32Array;
  readonly sellRow: Int32Array;
  readonly quantityWh: Float64Array;
  readonly priceTicks: Float64Array;
  readonly amountMinor: Float64Array;
}

export interface CurveColumns {
  readonly length: number;
  readonly priceTicks: Float64Array;
  readonly quantityWh: Float64Array;
}

/**
 * The columnar result of `clearBook`: the same fields as `ClearingResult`, with
 * safe-integer numbers instead of bigints and book rows instead of order ids.
 * `filledWh[r]` is the filled quantity of book row `r`.
 */
export interface BookClearing {
  readonly status: ClearingStatus;
  readonly mechanism: Mechanism;
  readonly priceTicks: number | null;
  readonly priceRange: BookPriceRange | null;
  readonly volumeWh: number;
  readonly amountMinor: number;
  readonly bidCount: number;
  readonly offerCount: number;
  readonly filledWh: Float64Array;
  readonly fills: FillColumns;
  readonly demandCurve: CurveColumns;
  readonly supplyCurve: CurveColumns;
}
