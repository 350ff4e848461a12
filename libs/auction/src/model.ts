import type { PriceGrid, Ratio, Side } from '@parkex/market';

/**
 * The integrated day-ahead auction: several carriers (electricity, heat, …) over a day of
 * intervals, cleared together. Units as in the per-interval market: quantities in integer Wh per
 * interval, prices and costs in integer ticks of the auction's grid per kWh, ratios and
 * efficiencies as exact fractions. Intervals are numbered 0 … `intervals` − 1.
 */

/** The park's connection to the public grid for one carrier, per interval. */
export interface GridConnection {
  /** Most the park may draw from the grid in one interval (Wh, ≥ 0). */
  readonly importLimitWh: bigint;
  /** What the park pays per kWh drawn (ticks). */
  readonly importPriceTicks: bigint;
  /** Most the park may feed into the grid in one interval (Wh, ≥ 0). */
  readonly exportLimitWh: bigint;
  /** What the park is paid per kWh fed in (ticks; at most the import price). */
  readonly exportPriceTicks: bigint;
}

export interface CarrierTerms {
  /** The carrier's code, e.g. `ELECTRICITY`, `HEAT`. */
  readonly code: string;
  /** Null: the carrier must balance inside the park (heat usually does). */
  readonly connection: GridConnection | null;
}

export interface AuctionTerms {
  /** Number of intervals of the auction (96 for a day of quarter hours). */
  readonly intervals: number;
  readonly carriers: readonly CarrierTerms[];
  /** Price tick and caps of every carrier's prices and of every order's price. */
  readonly grid: PriceGrid;
  /** Where in the range of clearing prices the published price lies (0: lowest, 1: highest). */
  readonly k: Ratio;
}

interface OrderBase {
  /** Unique in the auction; the final tie-break. */
  readonly id: string;
  /** Who owns it (its account in the ledger). */
  readonly participant: string;
  /** Acceptance order (time priority among equal prices): unique, smaller is earlier. */
  readonly seq: bigint;
}

/** A price-quantity pair for one carrier and interval, divisible like a per-interval order. */
export interface StepOrder extends OrderBase {
  readonly kind: 'STEP';
  readonly carrier: string;
  readonly interval: number;
  readonly side: Side;
  readonly priceTicks: bigint;
  readonly quantityWh: bigint;
}

/**
 * A profile over consecutive intervals at one price, accepted as a whole: the same fraction of
 * every interval's quantity, at least `minAcceptance` of it (1: all or nothing) or none.
 */
export interface BlockOrder extends OrderBase {
  readonly kind: 'BLOCK';
  readonly carrier: string;
  readonly side: Side;
  /** Limit price per kWh, the same in every interval of the profile. */
  readonly priceTicks: bigint;
  readonly firstInterval: number;
  /** Quantities of `firstInterval`, `firstInterval` + 1, …; none negative, one at least positive. */
  readonly profileWh: readonly bigint[];
  /** In (0, 1]. */
  readonly minAcceptance: Ratio;
  /** Accepted only if this block (of the same participant) is accepted. */
  readonly parentId: string | null;
  /** At most one block of an exclusive group is accepted. */
  readonly exclusiveGroup: string | null;
}

/** One output of a conversion: `ratio` Wh of `carrier` per Wh of input. */
export interface ConversionOutput {
  readonly carrier: string;
  readonly ratio: Ratio;
}

/**
 * A device that turns an input (a carrier of the auction, or a fuel bought outside the park)
 * into fixed proportions of outputs: a heat pump (electricity → 16/5 heat), an electric boiler,
 * a CHP (gas → 7/20 electricity + 1/2 heat). Its owner is paid for the outputs and pays for the
 * input at the auction's prices; it runs only where that covers `costTicks` per kWh of input.
 */
export interface ConversionOrder extends OrderBase {
  readonly kind: 'CONVERSION';
  /** The input carrier, or null for an external fuel (then `costTicks` includes its price). */
  readonly input: string | null;
  readonly outputs: readonly ConversionOutput[];
  /** Most input per interval (Wh): one value for every interval, or one per interval. */
  readonly maxInputWh: bigint | readonly bigint[];
  /** Cost per kWh of input (ticks, ≥ 0). */
  readonly costTicks: bigint;
}

/**
 * A battery or heat tank: charges from and discharges into one carrier, with exact efficiencies;
 * state of charge (Wh stored) within [0, capacity], from `initialWh` to at least `minFinalWh`.
 */
export interface StorageOrder extends OrderBase {
  readonly kind: 'STORAGE';
  readonly carrier: string;
  readonly capacityWh: bigint;
  readonly initialWh: bigint;
  readonly minFinalWh: bigint;
  /** Most energy taken from the carrier in one interval (Wh). */
  readonly maxChargeWh: bigint;
  /** Most energy delivered to the carrier in one interval (Wh). */
  readonly maxDischargeWh: bigint;
  /** Stored per Wh taken, in (0, 1]. */
  readonly chargeEfficiency: Ratio;
  /** Delivered per Wh drawn from the store, in (0, 1]. */
  readonly dischargeEfficiency: Ratio;
  /** Wear cost per kWh delivered (ticks, ≥ 0). */
  readonly dischargeCostTicks: bigint;
}

export type AuctionOrder = StepOrder | BlockOrder | ConversionOrder | StorageOrder;
export type OrderKind = AuctionOrder['kind'];

export interface Auction {
  readonly terms: AuctionTerms;
  readonly orders: readonly AuctionOrder[];
}
