/**
 * Storage safety (internal folder of @parkex/market): the early-warning rules per asset kind
 * (./rules.ts), the evaluation of a sample or of a silence (./evaluate.ts), and the hysteresis
 * with what each level allows on the market (./hysteresis.ts). Pure: the caller stores the state
 * and the events. The rule table and its sources: docs/storage-safety.md.
 */
export * from './rules';
export * from './evaluate';
export * from './hysteresis';
export * from './devices';
