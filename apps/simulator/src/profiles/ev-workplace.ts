import { addDays, isoWeekday, type LocalDate } from './calendar';

/*
 * Workplace EV charging, calibrated during development on the SAP Labs France workplace
 * charging sessions 2017-06 … 2021-01 (github.com/yvenn-amara/ev-load-open-data,
 * `1. Input Data/8. SAP Labs France/conso-ve-sap0.csv`, the `Travail` rows; Amara-Ouali et al.,
 * Energies 2021, doi:10.3390/en14082233). That file is not copied into the project (no clear
 * licence); only these numbers derived from it are:
 * - 0.96 sessions per charge point and workday (26.9 sessions a workday on 28 charge points);
 * - weekend days see 4 % of a workday's sessions;
 * - 23.3 kWh per session on average;
 * - the share of a workday's charged energy in each local hour, each session spread from its
 *   start at 11 kW until its energy was delivered.
 */
export const SESSIONS_PER_POINT_WORKDAY = 0.96;
export const WEEKEND_FACTOR = 0.04;
export const MEAN_SESSION_WH = 23_300;
export const HOURLY_ENERGY_SHARE: readonly number[] = [
  0.0007, 0.0006, 0.0004, 0.0002, 0.0001, 0.0, 0.0006, 0.009, 0.0966, 0.2109, 0.1748, 0.1049,
  0.0747, 0.0784, 0.0917, 0.0641, 0.0373, 0.0222, 0.0141, 0.0092, 0.0049, 0.0023, 0.0013, 0.0009,
];

/** Expected charging energy (Wh) of a hub in each quarter-hour of the run. */
export function workplaceChargingWh(
  chargePoints: number,
  date: LocalDate,
  startQuarter: number,
  count: number,
): number[] {
  const shareSum = HOURLY_ENERGY_SHARE.reduce((s, x) => s + x, 0);
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const quarter = startQuarter + i;
    const weekday = isoWeekday(addDays(date, Math.floor(quarter / 96)));
    const dayWh =
      chargePoints *
      SESSIONS_PER_POINT_WORKDAY *
      MEAN_SESSION_WH *
      (weekday >= 6 ? WEEKEND_FACTOR : 1);
    const hour = Math.floor((quarter % 96) / 4);
    values.push(Math.round((dayWh * HOURLY_ENERGY_SHARE[hour]) / shareSum / 4));
  }
  return values;
}
