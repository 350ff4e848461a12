/**
 * Storage safety rules: the early-warning levels, the per-asset-kind thresholds and their
 * validation. Every value is an integer in a stated unit (mV, m A, deci-°C, ppm, per-mille,
 * seconds); no float is ever compared. The rule table with its sources is docs/storage-safety.md.
 */

/** Early-warning levels, lowest first. */
export const SAFETY_LEVELS = ['NORMAL', 'WATCH', 'WARNING', 'ALARM'] as const;
export type SafetyLevel = (typeof SAFETY_LEVELS)[number];

/** Rank of a level: NORMAL 0 … ALARM 3. */
export function levelRank(level: SafetyLevel): number {
  return SAFETY_LEVELS.indexOf(level);
}

/** The higher of two levels. */
export function maxLevel(a: SafetyLevel, b: SafetyLevel): SafetyLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

/** Asset kinds the exchange knows. */
export const ASSET_KINDS = [
  'BATTERY',
  'HEAT_TANK',
  'PV',
  'CHP',
  'HEAT_PUMP',
  'BOILER',
  'EV_HUB',
  'ELECTROLYSER',
] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/** Names of the rules, as findings and events carry them. */
export const SAFETY_RULES = [
  'CELL_TEMPERATURE',
  'TEMPERATURE_RISE',
  'CELL_VOLTAGE_SPREAD',
  'OFF_GAS',
  'SOC_WINDOW',
  'STATE_OF_HEALTH',
  'FAULT_FLAGS',
  'TELEMETRY_LOST',
] as const;
export type SafetyRule = (typeof SAFETY_RULES)[number];

/**
 * Thresholds of a rising quantity: the level applies from the value on (`>=`); null: that level
 * is not raised by this rule. Non-null thresholds must not decrease from WATCH to ALARM.
 */
export interface RisingThresholds {
  watch: number | null;
  warning: number | null;
  alarm: number | null;
}

/** Thresholds of a falling quantity (state of health): the level applies at or below the value. */
export interface FallingThresholds {
  watch: number | null;
  warning: number | null;
}

/** An allowed window `[min, max]`; outside it the rule raises its level. */
export interface Window {
  min: number;
  max: number;
}

/** One asset kind's rules. Units are in the names. */
export interface SafetyRules {
  /** Highest cell temperature, deci-°C (450 = 45.0 °C). */
  cellTempMaxDeciC: RisingThresholds;
  /** Rise of the highest cell temperature, deci-°C per minute, over at least `rateWindowSeconds`. */
  tempRiseDeciCPerMin: RisingThresholds;
  /** Shortest span a rise rate is measured over, seconds (1 to 3600). */
  rateWindowSeconds: number;
  /** Highest minus lowest cell voltage, mV. */
  cellVoltageSpreadMv: RisingThresholds;
  /** Off-gas detector reading, ppm (a sample without a detector reading is not checked). */
  offGasPpm: RisingThresholds;
  /** State of charge outside this window raises WATCH, per-mille; null: not checked. */
  socWatchPermille: Window | null;
  /** State of charge outside this (wider) window raises WARNING, per-mille; null: not checked. */
  socWarningPermille: Window | null;
  /** State of health at or below these, per-mille. */
  sohPermille: FallingThresholds;
  /** BMS fault flags: any bit of `warningMask` raises WARNING, any bit of `alarmMask` ALARM. */
  faultWarningMask: number;
  faultAlarmMask: number;
  /** No sample for longer than this raises WARNING (loss of telemetry), seconds; null: off. */
  silenceSeconds: number | null;
  /** A level falls only after every evaluation was lower for this long, seconds. */
  holdSeconds: number;
  /** At WARNING the asset may trade this share of its power, per-mille (0 to 1000). */
  deratePermille: number;
}

const NO_RISING: RisingThresholds = { watch: null, warning: null, alarm: null };

/** Rules that never raise a level: kinds without battery telemetry, until the operator sets some. */
export const INERT_RULES: SafetyRules = {
  cellTempMaxDeciC: NO_RISING,
  tempRiseDeciCPerMin: NO_RISING,
  rateWindowSeconds: 10,
  cellVoltageSpreadMv: NO_RISING,
  offGasPpm: NO_RISING,
  socWatchPermille: null,
  socWarningPermille: null,
  sohPermille: { watch: null, warning: null },
  faultWarningMask: 0,
  faultAlarmMask: 0,
  silenceSeconds: null,
  holdSeconds: 300,
  deratePermille: 500,
};

/**
 * Defaults for a stationary lithium-ion BATTERY (see docs/storage-safety.md for each value and
 * where it comes from). The operator may replace them per kind.
 */
export const DEFAULT_BATTERY_RULES: SafetyRules = {
  cellTempMaxDeciC: { watch: 450, warning: 550, alarm: 650 },
  tempRiseDeciCPerMin: { watch: 20, warning: 50, alarm: 600 },
  rateWindowSeconds: 10,
  cellVoltageSpreadMv: { watch: 100, warning: 200, alarm: 500 },
  offGasPpm: { watch: 10, warning: 50, alarm: 100 },
  socWatchPermille: { min: 50, max: 950 },
  socWarningPermille: { min: 20, max: 980 },
  sohPermille: { watch: 800, warning: 700 },
  faultWarningMask: 0x0000ffff,
  faultAlarmMask: 0x7fff0000,
  silenceSeconds: 60,
  holdSeconds: 300,
  deratePermille: 500,
};

/** The rules an asset kind starts with. */
export function defaultRules(kind: AssetKind): SafetyRules {
  return kind === 'BATTERY' ? DEFAULT_BATTERY_RULES : INERT_RULES;
}

/** Largest magnitude of any threshold: every value of the table fits a 32-bit integer. */
const MAX_VALUE = 2_147_483_647;

/**
 * The problems of a rule set, each as `field: reason` (empty when it is valid): integers in
 * range, thresholds in order, windows inside 0..1000 and nested.
 */
export function validateRules(rules: SafetyRules): string[] {
  const problems: string[] = [];
  const integer = (field: string, value: unknown, min: number, max = MAX_VALUE) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${field}: must be an integer from ${min} to ${max}`);
      return false;
    }
    return true;
  };
  const optional = (field: string, value: unknown, min: number, max?: number) =>
    value === null || integer(field, value, min, max);
  const rising = (field: string, t: RisingThresholds, min: number) => {
    const values = [t.watch, t.warning, t.alarm];
    const fine = ['watch', 'warning', 'alarm'].every((name, i) =>
      optional(`${field}.${name}`, values[i], min),
    );
    const set = values.filter((v): v is number => v !== null);
    if (fine && set.some((v, i) => i > 0 && v < set[i - 1])) {
      problems.push(`${field}: thresholds must not decrease from watch to alarm`);
    }
  };
  const window = (field: string, w: Window | null) => {
    if (w === null) return true;
    const fine = integer(`${field}.min`, w.min, 0, 1000) && integer(`${field}.max`, w.max, 0, 1000);
    if (fine && w.min > w.max) problems.push(`${field}: min must not be above max`);
    return fine && w.min <= w.max;
  };
  rising('cellTempMaxDeciC', rules.cellTempMaxDeciC, -MAX_VALUE);
  rising('tempRiseDeciCPerMin', rules.tempRiseDeciCPerMin, 1);
  integer('rateWindowSeconds', rules.rateWindowSeconds, 1, 3600);
  rising('cellVoltageSpreadMv', rules.cellVoltageSpreadMv, 0);
  rising('offGasPpm', rules.offGasPpm, 0);
  const socWatch = window('socWatchPermille', rules.socWatchPermille);
  const socWarning = window('socWarningPermille', rules.socWarningPermille);
  if (socWatch && socWarning && rules.socWatchPermille && rules.socWarningPermille) {
    const inner = rules.socWatchPermille;
    const outer = rules.socWarningPermille;
    if (outer.min > inner.min || outer.max < inner.max) {
      problems.push('socWarningPermille: must contain socWatchPermille');
    }
  }
  const soh = rules.sohPermille;
  if (optional('sohPermille.watch', soh.watch, 0, 1000)) {
    if (optional('sohPermille.warning', soh.warning, 0, 1000)) {
      if (soh.watch !== null && soh.warning !== null && soh.warning > soh.watch) {
        problems.push('sohPermille: warning must not be above watch');
      }
    }
  }
  integer('faultWarningMask', rules.faultWarningMask, 0);
  integer('faultAlarmMask', rules.faultAlarmMask, 0);
  optional('silenceSeconds', rules.silenceSeconds, 1, 86_400);
  integer('holdSeconds', rules.holdSeconds, 0, 86_400);
  integer('deratePermille', rules.deratePermille, 0, 1000);
  return problems;
}
