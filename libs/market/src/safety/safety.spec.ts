import {
  acknowledge,
  DEFAULT_BATTERY_RULES,
  evaluateReading,
  evaluateSilence,
  INERT_RULES,
  INITIAL_SAFETY_STATE,
  intervalEnergyWh,
  nextRateReference,
  step,
  tradingLimit,
  validateRules,
  type SafetyRules,
  type TelemetryReading,
} from './index';

const rules = DEFAULT_BATTERY_RULES;

function reading(overrides: Partial<TelemetryReading> = {}): TelemetryReading {
  return {
    atMs: 1_000_000,
    socPermille: 500,
    sohPermille: 950,
    packVoltageMv: 768_000,
    packCurrentMa: 10_000,
    cellVoltageMinMv: 3300,
    cellVoltageMaxMv: 3320,
    cellTempMinDeciC: 240,
    cellTempMaxDeciC: 260,
    ambientTempDeciC: 200,
    offGasPpm: 0,
    faultFlags: 0,
    ...overrides,
  };
}

const levelOf = (overrides: Partial<TelemetryReading>, r: SafetyRules = rules) =>
  evaluateReading(reading(overrides), null, r);

describe('evaluateReading: each threshold at its bound', () => {
  it('a healthy sample is NORMAL with no findings', () => {
    expect(levelOf({})).toEqual({ level: 'NORMAL', findings: [] });
  });

  it.each([
    [449, 'NORMAL'],
    [450, 'WATCH'],
    [549, 'WATCH'],
    [550, 'WARNING'],
    [649, 'WARNING'],
    [650, 'ALARM'],
  ])('cell temperature %i deci-°C is %s', (t, level) => {
    expect(levelOf({ cellTempMaxDeciC: t }).level).toBe(level);
  });

  it.each([
    [99, 'NORMAL'],
    [100, 'WATCH'],
    [200, 'WARNING'],
    [500, 'ALARM'],
  ])('cell voltage spread %i mV is %s', (spread, level) => {
    expect(levelOf({ cellVoltageMinMv: 3000, cellVoltageMaxMv: 3000 + spread }).level).toBe(level);
  });

  it.each([
    [9, 'NORMAL'],
    [10, 'WATCH'],
    [50, 'WARNING'],
    [100, 'ALARM'],
  ])('off-gas %i ppm is %s', (ppm, level) => {
    expect(levelOf({ offGasPpm: ppm }).level).toBe(level);
  });

  it('a sample without an off-gas reading is not checked for off-gas', () => {
    expect(levelOf({ offGasPpm: null }).level).toBe('NORMAL');
  });

  it.each([
    [50, 'NORMAL'],
    [49, 'WATCH'],
    [20, 'WATCH'],
    [19, 'WARNING'],
    [950, 'NORMAL'],
    [951, 'WATCH'],
    [981, 'WARNING'],
  ])('state of charge %i ‰ is %s', (soc, level) => {
    expect(levelOf({ socPermille: soc }).level).toBe(level);
  });

  it.each([
    [801, 'NORMAL'],
    [800, 'WATCH'],
    [700, 'WARNING'],
  ])('state of health %i ‰ is %s', (soh, level) => {
    expect(levelOf({ sohPermille: soh }).level).toBe(level);
  });

  it('fault flags: a warning bit is WARNING, an alarm bit ALARM', () => {
    expect(levelOf({ faultFlags: 0x1 }).level).toBe('WARNING');
    expect(levelOf({ faultFlags: 0x1_0000 }).level).toBe('ALARM');
  });

  it('names every rule that fired, at its level, with value and threshold', () => {
    const e = levelOf({ cellTempMaxDeciC: 560, offGasPpm: 12 });
    expect(e.level).toBe('WARNING');
    expect(e.findings).toEqual([
      { rule: 'CELL_TEMPERATURE', level: 'WARNING', value: 560, threshold: 550 },
      { rule: 'OFF_GAS', level: 'WATCH', value: 12, threshold: 10 },
    ]);
  });

  it('inert rules raise nothing', () => {
    expect(
      levelOf({ cellTempMaxDeciC: 2000, offGasPpm: 5000, faultFlags: 0x7fffffff }, INERT_RULES),
    ).toEqual({ level: 'NORMAL', findings: [] });
  });
});

describe('temperature rise rate', () => {
  const ref = { atMs: 0, cellTempMaxDeciC: 250 };
  it('is measured only over at least the window', () => {
    // 10 deci-°C in 5 s would be 120 deci-°C/min, but 5 s is under the 10 s window
    expect(evaluateReading(reading({ atMs: 5000, cellTempMaxDeciC: 260 }), ref, rules).level).toBe(
      'NORMAL',
    );
  });
  it.each([
    [3, undefined], // 18 deci-°C/min: under every threshold
    [4, 'WATCH'], // 24
    [9, 'WARNING'], // 54
  ])('a rise of %i deci-°C over 10 s', (rise, level) => {
    const e = evaluateReading(reading({ atMs: 10_000, cellTempMaxDeciC: 250 + rise }), ref, rules);
    const finding = e.findings.find((f) => f.rule === 'TEMPERATURE_RISE');
    expect(finding && { level: finding.level, value: finding.value }).toEqual(
      level && { level, value: rise * 6 },
    );
  });
  it('compares exactly at the bound: 50 deci-°C/min is WARNING, 100 deci-°C/s ALARM', () => {
    // 50 deci-°C/min over 12 s is exactly 10 deci-°C
    expect(
      evaluateReading(reading({ atMs: 12_000, cellTempMaxDeciC: 260 }), ref, rules).level,
    ).toBe('WARNING');
    expect(
      evaluateReading(reading({ atMs: 12_000, cellTempMaxDeciC: 259 }), ref, rules).level,
    ).toBe('WATCH');
    expect(
      evaluateReading(reading({ atMs: 10_000, cellTempMaxDeciC: 350 }), ref, rules).level,
    ).toBe('ALARM');
  });
  it('the reference moves only once the window has passed', () => {
    const r = nextRateReference(reading({ atMs: 9_999 }), ref, rules);
    expect(r).toBe(ref);
    expect(nextRateReference(reading({ atMs: 10_000, cellTempMaxDeciC: 1 }), ref, rules)).toEqual({
      atMs: 10_000,
      cellTempMaxDeciC: 1,
    });
  });
});

describe('loss of telemetry', () => {
  it('is WARNING once the silence is longer than configured', () => {
    expect(evaluateSilence(0, 60_000, rules)).toBeNull();
    expect(evaluateSilence(0, 60_001, rules)).toEqual({
      level: 'WARNING',
      findings: [{ rule: 'TELEMETRY_LOST', level: 'WARNING', value: 60, threshold: 60 }],
    });
  });
  it('is off when the kind has no silence rule', () => {
    expect(evaluateSilence(0, 10_000_000, INERT_RULES)).toBeNull();
  });
});

describe('hysteresis', () => {
  const at = (level: 'NORMAL' | 'WATCH' | 'WARNING' | 'ALARM') => ({ level, findings: [] });
  const hold = rules.holdSeconds * 1000;

  it('rises at once and records the change', () => {
    const s = step(INITIAL_SAFETY_STATE, at('WARNING'), 5, rules);
    expect(s.state.level).toBe('WARNING');
    expect(s.change).toEqual({ from: 'NORMAL', to: 'WARNING', atMs: 5, findings: [] });
  });

  it('falls only after every evaluation was lower for the hold time, to the highest of them', () => {
    let s = step(INITIAL_SAFETY_STATE, at('WARNING'), 0, rules).state;
    s = step(s, at('NORMAL'), 1000, rules).state;
    s = step(s, at('WATCH'), 2000, rules).state;
    const early = step(s, at('NORMAL'), 1000 + hold - 1, rules);
    expect(early.change).toBeNull();
    const due = step(early.state, at('NORMAL'), 1000 + hold, rules);
    expect(due.change).toMatchObject({ from: 'WARNING', to: 'WATCH' });
  });

  it('an evaluation back at the level restarts the hold', () => {
    let s = step(INITIAL_SAFETY_STATE, at('WARNING'), 0, rules).state;
    s = step(s, at('NORMAL'), 1000, rules).state;
    s = step(s, at('WARNING'), 2000, rules).state;
    expect(s.belowSinceMs).toBeNull();
    expect(step(s, at('NORMAL'), 1000 + hold, rules).change).toBeNull();
  });

  it('leaves ALARM only after the hold and the acknowledgement, in either order', () => {
    let s = step(INITIAL_SAFETY_STATE, at('ALARM'), 0, rules).state;
    s = step(s, at('NORMAL'), 1000, rules).state;
    const held = step(s, at('NORMAL'), 1000 + hold, rules);
    expect(held.change).toBeNull(); // not acknowledged
    const acked = acknowledge(held.state, 1000 + hold + 5, rules)!;
    expect(acked.change).toMatchObject({ from: 'ALARM', to: 'NORMAL', atMs: 1000 + hold + 5 });

    // acknowledged first: falls at the first evaluation after the hold
    let t = step(INITIAL_SAFETY_STATE, at('ALARM'), 0, rules).state;
    t = acknowledge(t, 10, rules)!.state;
    t = step(t, at('NORMAL'), 1000, rules).state;
    expect(step(t, at('NORMAL'), 1000 + hold, rules).change).toMatchObject({ to: 'NORMAL' });
  });

  it('re-entering ALARM needs a new acknowledgement', () => {
    let s = step(INITIAL_SAFETY_STATE, at('ALARM'), 0, rules).state;
    s = acknowledge(s, 1, rules)!.state;
    s = step(s, at('WARNING'), 2, rules).state;
    s = step(s, at('WARNING'), 2 + hold, rules).state; // falls to WARNING
    expect(s.level).toBe('WARNING');
    s = step(s, at('ALARM'), 3 + hold, rules).state;
    expect(s.acknowledged).toBe(false);
  });

  it('there is nothing to acknowledge below ALARM', () => {
    expect(acknowledge(INITIAL_SAFETY_STATE, 0, rules)).toBeNull();
  });
});

describe('trading limits', () => {
  it('maps levels to full, derated and suspended trading', () => {
    expect(tradingLimit('WATCH', rules)).toEqual({ kind: 'FULL' });
    expect(tradingLimit('WARNING', rules)).toEqual({ kind: 'DERATED', permille: 500 });
    expect(tradingLimit('ALARM', rules)).toEqual({ kind: 'SUSPENDED' });
  });
  it('converts power to whole Wh per interval, rounding down', () => {
    expect(intervalEnergyWh(100_000n, 900)).toBe(25_000n);
    expect(intervalEnergyWh(100_000n, 900, 500)).toBe(12_500n);
    expect(intervalEnergyWh(1n, 900, 1)).toBe(0n);
  });
});

describe('validateRules', () => {
  it('accepts the defaults', () => {
    expect(validateRules(DEFAULT_BATTERY_RULES)).toEqual([]);
    expect(validateRules(INERT_RULES)).toEqual([]);
  });
  it('names each problem', () => {
    expect(
      validateRules({
        ...rules,
        cellTempMaxDeciC: { watch: 600, warning: 500, alarm: null },
        socWarningPermille: { min: 60, max: 940 },
        deratePermille: 1001,
        holdSeconds: 1.5,
      }),
    ).toEqual([
      'cellTempMaxDeciC: thresholds must not decrease from watch to alarm',
      'socWarningPermille: must contain socWatchPermille',
      'holdSeconds: must be an integer from 0 to 86400',
      'deratePermille: must be an integer from 0 to 1000',
    ]);
  });
});
