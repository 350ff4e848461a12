import type { Series } from './csv';

/**
 * BDEW heat standard load profiles (SigLinDe), after demandlib's `bdew/heat_building.py`:
 * daily heat Q_d = KW · h(θ_d) · F_weekday, spread over the hours by the hourly shares SF of the
 * weekday and the day's 5 K temperature band; KW scales the year to the annual demand.
 * h(θ) = A / (1 + (B / (θ − 40))^C) + D with θ the allocation temperature (a geometric series of
 * the last four daily means).
 */

export interface SigmoidParameters {
  a: number;
  b: number;
  c: number;
  d: number;
}

export interface HeatProfileInput {
  parameters: SigmoidParameters;
  /** Mon … Sun. */
  weekdayFactors: readonly number[];
  /** SF by ISO weekday (1–7), hour of day (0–23) and band (1–10). */
  hourFactor(weekday: number, hour: number, band: number): number;
  /** Hourly temperatures (°C) of one year, keyed `YYYY-MM-DD HH:…`. */
  temperatures: Series;
  /** ISO weekday of the file's first day. */
  firstWeekday: number;
  annualKWh: number;
}

export function sigmoid({ a, b, c, d }: SigmoidParameters, temperature: number): number {
  return a / (1 + (b / (temperature - 40)) ** c) + d;
}

/** 1: ≤ −15 °C, 2: −14 … −10 °C, …, 9: 21 … 25 °C, 10: > 25 °C (of the rounded daily mean). */
export function temperatureBand(dailyMean: number): number {
  const t = Math.round(dailyMean);
  return Math.min(10, Math.max(1, Math.ceil((t + 15) / 5) + 1));
}

/** Geometric allocation temperature: (T_d + ½ T_d−1 + ¼ T_d−2 + ⅛ T_d−3) / 1.875. */
export function allocationTemperatures(dailyMeans: readonly number[]): number[] {
  const n = dailyMeans.length;
  const at = (i: number) => dailyMeans[(i + n) % n];
  return dailyMeans.map(
    (t, i) => (t + 0.5 * at(i - 1) + 0.25 * at(i - 2) + 0.125 * at(i - 3)) / 1.875,
  );
}

/** Hourly mean heat demand (W) for every hour of the temperature file, same keys. */
export function heatProfile(input: HeatProfileInput): Series {
  const days: { date: string; temperatures: number[]; keys: string[] }[] = [];
  input.temperatures.keys.forEach((key, i) => {
    const date = key.slice(0, 10);
    let day = days.at(-1);
    if (!day || day.date !== date) {
      day = { date, temperatures: [], keys: [] };
      days.push(day);
    }
    day.temperatures.push(input.temperatures.values[i]);
    day.keys.push(key);
  });
  const means = days.map(
    (day) => day.temperatures.reduce((s, t) => s + t, 0) / day.temperatures.length,
  );
  const allocation = allocationTemperatures(means);
  const weekdayOf = (dayIndex: number) => ((input.firstWeekday - 1 + dayIndex) % 7) + 1;
  const daily = days.map(
    (_, i) => sigmoid(input.parameters, allocation[i]) * input.weekdayFactors[weekdayOf(i) - 1],
  );
  const kw = input.annualKWh / daily.reduce((s, q) => s + q, 0);

  const keys: string[] = [];
  const values: number[] = [];
  days.forEach((day, i) => {
    const weekday = weekdayOf(i);
    const band = temperatureBand(means[i]);
    const shares = day.keys.map((key) =>
      input.hourFactor(weekday, Number(key.slice(11, 13)), band),
    );
    const shareSum = shares.reduce((s, x) => s + x, 0);
    day.keys.forEach((key, h) => {
      keys.push(key);
      // kWh in the hour → mean W over the hour.
      values.push(((kw * daily[i] * shares[h]) / shareSum) * 1000);
    });
  });
  return { keys, values };
}
