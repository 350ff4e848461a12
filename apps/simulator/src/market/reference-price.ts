import {
  DAY_AHEAD_2024_EUR_PER_MWH,
  ELECTRICITY_ASK_FLOOR,
  ELECTRICITY_BID_CAP,
  HEAT_ASK_FLOOR,
  HEAT_BID_CAP,
  HEAT_REFERENCE,
  REFERENCE_ADDER,
  TICKS_PER_EUR,
} from './tariffs';

export type Season = 'summer' | 'winter';

/** What every tenant knows about prices for one interval (all in ticks of 0.0001 EUR/kWh). */
export interface PriceContext {
  electricity: {
    /** Where the park's price is expected this hour. */
    reference: number;
    /** Highest reference price of the day: what stored energy can be sold for later. */
    dailyPeak: number;
    bidCap: number;
    askFloor: number;
  };
  heat: { reference: number; bidCap: number; askFloor: number };
}

/** April–September is summer, as in the day-ahead shapes. `month` is 1–12. */
export function seasonOf(month: number): Season {
  return month >= 4 && month <= 9 ? 'summer' : 'winter';
}

/** Reference electricity price of a local hour: day-ahead shape + adder, within the bounds. */
export function electricityReference(season: Season, hour: number): number {
  const dayAhead = DAY_AHEAD_2024_EUR_PER_MWH[season][hour];
  if (dayAhead === undefined) throw new Error(`hour must be 0–23, got ${hour}`);
  // EUR/MWh → ticks of 0.0001 EUR/kWh: × 10,000 / 1,000.
  const ticks = Math.round((dayAhead * TICKS_PER_EUR) / 1000) + REFERENCE_ADDER;
  return clamp(ticks, ELECTRICITY_ASK_FLOOR, ELECTRICITY_BID_CAP);
}

export function priceContext(season: Season, hour: number): PriceContext {
  let dailyPeak = 0;
  for (let h = 0; h < 24; h++) dailyPeak = Math.max(dailyPeak, electricityReference(season, h));
  return {
    electricity: {
      reference: electricityReference(season, hour),
      dailyPeak,
      bidCap: ELECTRICITY_BID_CAP,
      askFloor: ELECTRICITY_ASK_FLOOR,
    },
    heat: { reference: HEAT_REFERENCE, bidCap: HEAT_BID_CAP, askFloor: HEAT_ASK_FLOOR },
  };
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
