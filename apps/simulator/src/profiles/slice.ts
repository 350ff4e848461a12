import { formatLocalDate, type LocalDate } from './calendar';
import type { Series } from './csv';

/**
 * `count` consecutive quarter-hour values of a profile, starting `startQuarter` quarter-hours
 * after local midnight of `date` (a day of the file's year). Hourly files give each value to
 * the four quarter-hours of its hour (the value is the hour's mean). Past the end of the file
 * the values continue from its start (a year wraps around).
 */
export function quarterHours(
  series: Series,
  date: LocalDate,
  startQuarter: number,
  count: number,
  resolution: '15min' | '60min',
): number[] {
  const midnight = `${formatLocalDate(date)} 00:00`;
  const first = series.keys.findIndex((key) => key.startsWith(midnight));
  if (first < 0) throw new Error(`the profile has no row for ${midnight}`);
  const perRow = resolution === '15min' ? 1 : 4;
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const row = (first + Math.floor((startQuarter + i) / perRow)) % series.values.length;
    values.push(series.values[row]);
  }
  return values;
}

/** Power (W) held for a quarter-hour → energy in integer Wh. */
export function quarterHourWh(watts: number): number {
  return Math.max(0, Math.round(watts / 4));
}
