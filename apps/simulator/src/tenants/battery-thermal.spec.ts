import { DEFAULT_BATTERY_RULES, evaluateReading, levelRank } from '@parkex/market';
import { INITIAL_THERMAL_STATE, stepThermal, type BmsReading } from './battery-thermal';

/** A simulated day from midnight; the fault (if any) begins at quarter-hour `faultAt`. */
function day(faultAt: number | null): BmsReading[] {
  let state = INITIAL_THERMAL_STATE;
  const readings: BmsReading[] = [];
  for (let i = 0; i < 96; i++) {
    const step = stepThermal(state, {
      hour: Math.floor(i / 4),
      capacityWh: 500_000,
      fault: faultAt !== null && i >= faultAt,
    });
    state = step.state;
    readings.push(step.reading);
  }
  return readings;
}

const level = (r: BmsReading) =>
  evaluateReading({ ...r, atMs: 0 }, null, DEFAULT_BATTERY_RULES).level;

describe('the demo battery’s thermal model', () => {
  it('stays NORMAL through a healthy day of charging and discharging, integers only', () => {
    const readings = day(null);
    expect(readings.map(level).every((l) => l === 'NORMAL')).toBe(true);
    expect(Math.max(...readings.map((r) => r.cellTempMaxDeciC))).toBeLessThan(400);
    expect(readings.some((r) => r.packCurrentMa > 0)).toBe(true);
    expect(readings.some((r) => r.packCurrentMa < 0)).toBe(true);
    for (const r of readings) {
      for (const value of Object.values(r)) expect(Number.isSafeInteger(value)).toBe(true);
    }
  });

  it('an internal fault heats, pulls a cell away and vents: WARNING before ALARM', () => {
    const readings = day(56).slice(56);
    const ranks = readings.map((r) => levelRank(level(r)));
    const warning = ranks.findIndex((r) => r >= levelRank('WARNING'));
    const alarm = ranks.findIndex((r) => r >= levelRank('ALARM'));
    expect(warning).toBeGreaterThan(0);
    expect(alarm).toBeGreaterThan(warning);
    expect(alarm).toBeLessThan(16);
    expect(readings[alarm].offGasPpm).toBeGreaterThan(0);
  });
});
