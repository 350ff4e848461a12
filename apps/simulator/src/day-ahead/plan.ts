import { FEED_IN_PRICE, GAS_BOILER_HEAT_PRICE, GRID_IMPORT_TARIFF } from '../market/tariffs';

/**
 * The demo's integrated day-ahead auction, pure parts: the park's assets and profiles for the
 * simulated day (`DayAheadPlan`), the orders each tenant submits (orders.ts) and the park's
 * physical balance and outside cost with and without the auction (balance.ts).
 *
 * Energy in integer Wh per simulated quarter-hour, prices in ticks of 0.0001 EUR/kWh, ratios as
 * exact decimal text (the API's `Decimal`).
 */

/** Gas for the CHP, EUR/kWh of fuel (the boiler's heat price is this / 90 %). */
export const GAS_PRICE = 850;

/** The CHP's fixed outputs per kWh of gas: 38 % electricity, 53.2 % heat (heat/electricity = 1.4). */
export const CHP_ELECTRICITY_RATIO = '0.38';
export const CHP_HEAT_RATIO = '0.532';

/** Heat pump: Carnot efficiency, condensing and evaporating temperatures, COP bounds. */
export const HEAT_PUMP = {
  carnotShare: 0.45,
  sinkC: 40,
  /** The evaporator runs this far below the outside air. */
  sourceBelowAirC: 5,
  minCop: 1.5,
  maxCop: 5,
} as const;

/**
 * COP of the air-source heat pump at an outside temperature, in hundredths (an exact ratio for
 * the conversion order, e.g. 312 = 3.12 kWh heat per kWh electricity):
 * 0.45 × T_sink / (T_sink − T_source) with T_sink = 40 °C and T_source = air − 5 °C (kelvin),
 * kept within 1.5–5.
 */
export function copHundredths(airC: number): number {
  const sink = HEAT_PUMP.sinkC + 273.15;
  const source = airC - HEAT_PUMP.sourceBelowAirC + 273.15;
  const cop = sink > source ? (HEAT_PUMP.carnotShare * sink) / (sink - source) : HEAT_PUMP.maxCop;
  return Math.round(Math.min(HEAT_PUMP.maxCop, Math.max(HEAT_PUMP.minCop, cop)) * 100);
}

/** A storage's terms in Wh and exact efficiencies (percent). */
export interface StorageSpec {
  ownerKey: string;
  capacityWh: number;
  initialWh: number;
  maxChargeWh: number;
  maxDischargeWh: number;
  chargeEfficiencyPercent: number;
  dischargeEfficiencyPercent: number;
  /** Wear, ticks per kWh discharged. */
  dischargeCostTicks: number;
}

/** Everything the park brings to the day-ahead auction, per quarter-hour of the run. */
export interface DayAheadPlan {
  count: number;
  /**
   * Tenants whose day-ahead bids are a forecast of their load (`smoothedForecast`), like PV's
   * offers; the other loads follow the production plan, known a day ahead.
   */
  forecastLoads: readonly string[];
  /** Fixed electricity loads by tenant (Wh). Tenants in `blocks` bid theirs as one block. */
  loads: { tenantKey: string; electricityWh: readonly number[] }[];
  /** Heat loads by tenant (Wh thermal); what the park does not supply the tenant's boiler does. */
  heatLoads: { tenantKey: string; heatWh: readonly number[] }[];
  /** PV output by tenant (Wh). */
  pv: { tenantKey: string; outputWh: readonly number[] }[];
  /** Process loads bid as blocks (all or nothing): the bakery's batch, the electroplating run. */
  blocks: string[];
  heatPump: {
    ownerKey: string;
    /** Electricity it can take per quarter-hour (Wh). */
    maxInputWh: number;
    /** COP per quarter-hour, hundredths (from the weather data). */
    copHundredths: readonly number[];
  };
  chp: {
    ownerKey: string;
    /** Gas it can burn per quarter-hour (Wh of fuel). */
    maxFuelWh: number;
    /** Today's heat-led operation (the baseline): electricity per quarter-hour (Wh). */
    heatLedElectricityWh: readonly number[];
  };
  battery: StorageSpec;
  heatTank: StorageSpec;
}

/** What the park pays outside, per kWh: grid import, feed-in, gas for the CHP and boilers. */
export const OUTSIDE = {
  importTicks: GRID_IMPORT_TARIFF,
  exportTicks: FEED_IN_PRICE,
  gasTicks: GAS_PRICE,
  boilerHeatTicks: GAS_BOILER_HEAT_PRICE,
} as const;

/**
 * The day-ahead forecast of a quarter-hour profile: the mean of each quarter-hour and its
 * neighbours (two at the ends), rounded to the Wh. It follows ramps (the sun rising, a shift
 * starting) but not the quarter-hour's own ups and downs (a cloud, a machine): the intraday
 * trading corrects those.
 */
export function smoothedForecast(profile: readonly number[]): number[] {
  return profile.map((_, t) => {
    const window = profile.slice(Math.max(0, t - 1), t + 2);
    return Math.round(window.reduce((s, v) => s + v, 0) / window.length);
  });
}
