import type { Evaluation, Finding } from './evaluate';
import { levelRank, maxLevel, type SafetyLevel, type SafetyRules } from './rules';

/** An asset's safety level and what its hysteresis remembers. */
export interface SafetyState {
  level: SafetyLevel;
  /** Since when every evaluation was below `level` (ms); null when the last one was not. */
  belowSinceMs: number | null;
  /** The highest level evaluated since `belowSinceMs`: what the level falls to after the hold. */
  belowLevel: SafetyLevel;
  /** The operator acknowledged the current ALARM (false at any other level). */
  acknowledged: boolean;
}

export const INITIAL_SAFETY_STATE: SafetyState = {
  level: 'NORMAL',
  belowSinceMs: null,
  belowLevel: 'NORMAL',
  acknowledged: false,
};

/** A change of level, with the findings of the evaluation that caused it. */
export interface LevelChange {
  from: SafetyLevel;
  to: SafetyLevel;
  atMs: number;
  findings: Finding[];
}

export interface SafetyStep {
  state: SafetyState;
  change: LevelChange | null;
}

/**
 * The hysteresis: one evaluation at `atMs` moves the state.
 * - At or above the level: the level rises to it at once (entering ALARM clears an earlier
 *   acknowledgement); any countdown to a fall stops.
 * - Below the level: the countdown starts (or goes on); once every evaluation has been below for
 *   `holdSeconds`, the level falls to the highest of them — out of ALARM only once the operator
 *   has acknowledged it (see `acknowledge`).
 * Evaluations come in time order.
 */
export function step(
  state: SafetyState,
  evaluation: Evaluation,
  atMs: number,
  rules: SafetyRules,
): SafetyStep {
  if (levelRank(evaluation.level) >= levelRank(state.level)) {
    const rises = evaluation.level !== state.level;
    const next: SafetyState = {
      level: evaluation.level,
      belowSinceMs: null,
      belowLevel: 'NORMAL',
      acknowledged: rises ? false : state.acknowledged,
    };
    return {
      state: next,
      change: rises
        ? { from: state.level, to: evaluation.level, atMs, findings: evaluation.findings }
        : null,
    };
  }
  const counting: SafetyState =
    state.belowSinceMs === null
      ? { ...state, belowSinceMs: atMs, belowLevel: evaluation.level }
      : { ...state, belowLevel: maxLevel(state.belowLevel, evaluation.level) };
  return fallIfHeld(counting, atMs, rules, evaluation.findings);
}

/**
 * The operator acknowledges an ALARM at `atMs`: the level may leave ALARM once the hold is over
 * (at once when it already is). Null when the level is not ALARM (nothing to acknowledge).
 */
export function acknowledge(
  state: SafetyState,
  atMs: number,
  rules: SafetyRules,
): SafetyStep | null {
  if (state.level !== 'ALARM') return null;
  return fallIfHeld({ ...state, acknowledged: true }, atMs, rules, []);
}

function fallIfHeld(
  state: SafetyState,
  atMs: number,
  rules: SafetyRules,
  findings: Finding[],
): SafetyStep {
  const held = state.belowSinceMs !== null && atMs - state.belowSinceMs >= rules.holdSeconds * 1000;
  if (!held || (state.level === 'ALARM' && !state.acknowledged)) return { state, change: null };
  return {
    state: {
      level: state.belowLevel,
      belowSinceMs: null,
      belowLevel: 'NORMAL',
      acknowledged: false,
    },
    change: { from: state.level, to: state.belowLevel, atMs, findings },
  };
}

/** What a level allows an asset on the market. */
export type TradingLimit =
  { kind: 'FULL' } | { kind: 'DERATED'; permille: number } | { kind: 'SUSPENDED' };

/** NORMAL and WATCH trade fully; WARNING at the derated share of power; ALARM not at all. */
export function tradingLimit(level: SafetyLevel, rules: Pick<SafetyRules, 'deratePermille'>) {
  switch (level) {
    case 'NORMAL':
    case 'WATCH':
      return { kind: 'FULL' } as TradingLimit;
    case 'WARNING':
      return { kind: 'DERATED', permille: rules.deratePermille } as TradingLimit;
    case 'ALARM':
      return { kind: 'SUSPENDED' } as TradingLimit;
  }
}

/**
 * The most energy an asset of `powerW` may trade in one interval of `intervalSeconds` at
 * `permille` of its power, whole Wh rounded down: W · s · ‰ / (3600 s/h · 1000).
 */
export function intervalEnergyWh(powerW: bigint, intervalSeconds: number, permille = 1000): bigint {
  return (powerW * BigInt(intervalSeconds) * BigInt(permille)) / 3_600_000n;
}
