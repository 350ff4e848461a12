import {
  maxLevel,
  type FallingThresholds,
  type RisingThresholds,
  type SafetyLevel,
  type SafetyRule,
  type SafetyRules,
  type Window,
} from './rules';

/** One battery management sample, integers in the units of the names. */
export interface TelemetryReading {
  /** Sample time, ms since the epoch (as the BMS stamped it). */
  atMs: number;
  socPermille: number;
  sohPermille: number;
  packVoltageMv: number;
  packCurrentMa: number;
  cellVoltageMinMv: number;
  cellVoltageMaxMv: number;
  cellTempMinDeciC: number;
  cellTempMaxDeciC: number;
  ambientTempDeciC: number | null;
  offGasPpm: number | null;
  faultFlags: number;
}

/** The point a temperature rise rate is measured from. */
export interface RateReference {
  atMs: number;
  cellTempMaxDeciC: number;
}

/** One rule that raised a level: its measured value and the threshold it reached. */
export interface Finding {
  rule: SafetyRule;
  level: SafetyLevel;
  value: number;
  threshold: number;
}

/** What one sample (or one silence) says: the highest level any rule raised, and why. */
export interface Evaluation {
  level: SafetyLevel;
  findings: Finding[];
}

/**
 * Evaluates one sample against the rules. `reference` is the point of the temperature rise rate
 * (see `nextRateReference`): the rate is checked only when the sample is at least
 * `rateWindowSeconds` after it. Findings are listed per rule at the highest level it reached.
 */
export function evaluateReading(
  reading: TelemetryReading,
  reference: RateReference | null,
  rules: SafetyRules,
): Evaluation {
  const findings: Finding[] = [];
  const rising = (rule: SafetyRule, value: number, t: RisingThresholds) => {
    const reached = risingLevel(value, t);
    if (reached) findings.push({ rule, value, ...reached });
  };
  rising('CELL_TEMPERATURE', reading.cellTempMaxDeciC, rules.cellTempMaxDeciC);
  const span = reference ? reading.atMs - reference.atMs : 0;
  if (reference && span >= rules.rateWindowSeconds * 1000) {
    const rise = reading.cellTempMaxDeciC - reference.cellTempMaxDeciC;
    // rise / span ≥ t / 60 000 ms, compared exactly as rise · 60 000 ≥ t · span
    const reached = (['alarm', 'warning', 'watch'] as const).find((name) => {
      const t = rules.tempRiseDeciCPerMin[name];
      return t !== null && rise * 60_000 >= t * span;
    });
    if (reached) {
      findings.push({
        rule: 'TEMPERATURE_RISE',
        level: LEVEL_OF[reached],
        value: Math.floor((rise * 60_000) / span),
        threshold: rules.tempRiseDeciCPerMin[reached]!,
      });
    }
  }
  rising(
    'CELL_VOLTAGE_SPREAD',
    reading.cellVoltageMaxMv - reading.cellVoltageMinMv,
    rules.cellVoltageSpreadMv,
  );
  if (reading.offGasPpm !== null) rising('OFF_GAS', reading.offGasPpm, rules.offGasPpm);
  const soc = socLevel(reading.socPermille, rules.socWatchPermille, rules.socWarningPermille);
  if (soc) findings.push({ rule: 'SOC_WINDOW', value: reading.socPermille, ...soc });
  const soh = fallingLevel(reading.sohPermille, rules.sohPermille);
  if (soh) findings.push({ rule: 'STATE_OF_HEALTH', value: reading.sohPermille, ...soh });
  if ((reading.faultFlags & rules.faultAlarmMask) !== 0) {
    findings.push({
      rule: 'FAULT_FLAGS',
      level: 'ALARM',
      value: reading.faultFlags,
      threshold: rules.faultAlarmMask,
    });
  } else if ((reading.faultFlags & rules.faultWarningMask) !== 0) {
    findings.push({
      rule: 'FAULT_FLAGS',
      level: 'WARNING',
      value: reading.faultFlags,
      threshold: rules.faultWarningMask,
    });
  }
  return {
    level: findings.reduce<SafetyLevel>((level, f) => maxLevel(level, f.level), 'NORMAL'),
    findings,
  };
}

/**
 * The rate reference after a sample: the sample itself once it is at least the window after the
 * current reference (or when there is none), else the reference stays.
 */
export function nextRateReference(
  reading: TelemetryReading,
  reference: RateReference | null,
  rules: SafetyRules,
): RateReference {
  if (reference && reading.atMs - reference.atMs < rules.rateWindowSeconds * 1000) {
    return reference;
  }
  return { atMs: reading.atMs, cellTempMaxDeciC: reading.cellTempMaxDeciC };
}

/**
 * Loss of telemetry at `nowMs`: WARNING when the last sample (or, before any, the start of
 * monitoring) is more than `silenceSeconds` ago; null while telemetry is fresh or the rule is off.
 */
export function evaluateSilence(
  lastSeenMs: number,
  nowMs: number,
  rules: SafetyRules,
): Evaluation | null {
  if (rules.silenceSeconds === null) return null;
  const silentMs = nowMs - lastSeenMs;
  if (silentMs <= rules.silenceSeconds * 1000) return null;
  return {
    level: 'WARNING',
    findings: [
      {
        rule: 'TELEMETRY_LOST',
        level: 'WARNING',
        value: Math.floor(silentMs / 1000),
        threshold: rules.silenceSeconds,
      },
    ],
  };
}

const LEVEL_OF = { watch: 'WATCH', warning: 'WARNING', alarm: 'ALARM' } as const;

function risingLevel(
  value: number,
  t: RisingThresholds,
): { level: SafetyLevel; threshold: number } | null {
  for (const name of ['alarm', 'warning', 'watch'] as const) {
    const threshold = t[name];
    if (threshold !== null && value >= threshold) return { level: LEVEL_OF[name], threshold };
  }
  return null;
}

function fallingLevel(
  value: number,
  t: FallingThresholds,
): { level: SafetyLevel; threshold: number } | null {
  if (t.warning !== null && value <= t.warning) return { level: 'WARNING', threshold: t.warning };
  if (t.watch !== null && value <= t.watch) return { level: 'WATCH', threshold: t.watch };
  return null;
}

function socLevel(
  value: number,
  watch: Window | null,
  warning: Window | null,
): { level: SafetyLevel; threshold: number } | null {
  const outside = (w: Window | null) =>
    w === null ? null : value < w.min ? w.min : value > w.max ? w.max : null;
  const hard = outside(warning);
  if (hard !== null) return { level: 'WARNING', threshold: hard };
  const soft = outside(watch);
  if (soft !== null) return { level: 'WATCH', threshold: soft };
  return null;
}
