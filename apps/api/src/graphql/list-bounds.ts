import { StatisticsBucketEnum } from './enums';

/**
 * The most items each list of the contract that is not a connection may hold. The services
 * refuse more, and the query cost analysis (`query-limits.ts`) charges each list its bound;
 * they live here, in the shared graphql/ folder, so that graphql/ imports no context.
 */

/** `submitOrders`: orders per call. */
export const MAX_ORDERS_PER_CALL = 10_000;
/** `ClearingResult.fills`: refused above this many (`fillConnection` pages). */
export const MAX_LISTED_FILLS = 500;
/** `participantsByIds`: ids per call. */
export const MAX_NAMED_PARTICIPANTS = 200;
/** `priceStatistics`: buckets one query may span. */
export const MAX_STATISTICS_BUCKETS = 10_000;

/** Length of a statistics bucket. */
export const BUCKET_MS: Record<StatisticsBucketEnum, number> = {
  [StatisticsBucketEnum.HOUR]: 3_600_000,
  [StatisticsBucketEnum.DAY]: 86_400_000,
};

/** `assets`, `expectedImbalances`: rows per call (the park has a few dozen assets). */
export const MAX_LISTED_ASSETS = 500;
/** `ingestTelemetry`: samples per call. */
export const MAX_SAMPLES_PER_CALL = 5_000;
/** `telemetry`: the newest samples of one asset per call. */
export const MAX_LISTED_SAMPLES = 500;

// Carbon accounting
/** `carbonReport`: reports per call (one per trading participant). */
export const MAX_CARBON_REPORTS = 500;
/** `parkCarbonIntensity`, `gridCarbonFactors`: intervals per call (a week of quarter hours). */
export const MAX_CARBON_INTERVALS = 672;
/** `uploadGridCarbonFactors`: factors per call (a week of quarter hours, ~45 kB of JSON). */
export const MAX_GRID_FACTORS_PER_CALL = 672;
/** `emissionFactors`, `carbonDefaults`: not capped (a few versions per kind and year), priced as 100. */
export const MAX_LISTED_FACTOR_VERSIONS = 100;

// Metering
/** `submitMeterReadings`: readings per call (a day of quarter hours for ten meter points). */
export const MAX_METER_READINGS_PER_CALL = 1000;

// Imbalance settlement
/** `positions`, `imbalances`: the longest [from, to) (31 days: a month of intervals). */
export const MAX_IMBALANCE_WINDOW_MS = 31 * 86_400_000;
/** `positions`: rows per call (a month of quarter hours is 2976 per participant). */
export const MAX_LISTED_POSITIONS = 3_000;
/** `imbalances`: settlement revisions per call (about a day of quarter hours of one product). */
export const MAX_LISTED_IMBALANCES = 100;
/** `ImbalanceSettlement.lines`: lines of one revision (one per participant, two for a change). */
export const MAX_IMBALANCE_LINES = 50;
