/**
 * The economic frame of the demo park. Prices are integer ticks of 0.0001 EUR/kWh (the tick of
 * the demo products), so 2500 ticks = 0.2500 EUR/kWh.
 *
 * Outer bounds (assumptions: typical 2024 values for a German business park, net of VAT):
 * - Grid import tariff 0.2500 EUR/kWh: energy, grid charges, levies and electricity tax for a
 *   small or medium business on a fixed-price contract. What a tenant pays for every kWh it does
 *   not buy in the park.
 * - Feed-in price 0.0700 EUR/kWh: about the EEG 2024 fixed feed-in tariff of rooftop PV of
 *   10–40 kWp with partial feed-in (≈ 7 ct/kWh). What a seller gets for every kWh it does not
 *   sell in the park.
 * - Heat: a tenant without the park's heat buys natural gas for its own boiler: 0.0850 EUR/kWh
 *   of gas / 90 % efficiency ≈ 0.0950 EUR/kWh of heat. CHP heat that is not sold is cooled
 *   away (worth 0).
 * - Storage capacity: no outside option (nobody rents battery space outside the park).
 *
 * Within the bounds, tenants price around a reference price whose level and daily shape come
 * from the 2024 German–Luxembourg day-ahead prices (see DAY_AHEAD_2024_EUR_PER_MWH).
 */

export const PRICE_DECIMALS = 4;
/** Ticks per EUR/kWh. */
export const TICKS_PER_EUR = 10_000;

export const GRID_IMPORT_TARIFF = 2500;
export const FEED_IN_PRICE = 700;
export const GAS_BOILER_HEAT_PRICE = 950;
export const HEAT_DUMP_PRICE = 0;

/** Network fees of the demo products (paid by the buyer per kWh, credited to the utility). */
export const ELECTRICITY_NETWORK_FEE = 150;
export const HEAT_NETWORK_FEE = 50;
export const STORAGE_NETWORK_FEE = 0;

/** A buyer bids at most its outside option less the fee and a margin that makes it worth it. */
export const MARGIN = 50;
export const ELECTRICITY_BID_CAP = GRID_IMPORT_TARIFF - ELECTRICITY_NETWORK_FEE - MARGIN; // 0.2300
/** A seller asks at least its outside option plus the margin. */
export const ELECTRICITY_ASK_FLOOR = FEED_IN_PRICE + MARGIN; // 0.0750
export const HEAT_BID_CAP = GAS_BOILER_HEAT_PRICE - HEAT_NETWORK_FEE - MARGIN; // 0.0850
export const HEAT_ASK_FLOOR = HEAT_DUMP_PRICE + 100; // 0.0100: pumps and wear of the heat grid

/**
 * Mean day-ahead price (EUR/MWh) of each local hour (Europe/Berlin, 0 = 00:00–01:00) in 2024,
 * for April–September ("summer") and October–March ("winter"). Derived during development from
 * Energy-Charts' hourly 2024 DE-LU day-ahead prices (github.com/henner247/energy_charts, file
 * hourly_german_residual_load_and_prices_2024_present.csv, rows of 2024; not copied into the
 * project: its licence is unclear). The 2024 mean of all hours was 78.5 EUR/MWh.
 */
export const DAY_AHEAD_2024_EUR_PER_MWH = {
  summer: [
    79.2, 72.9, 69.5, 68.3, 69.0, 74.8, 91.4, 100.5, 88.4, 67.4, 49.5, 36.7, 27.4, 20.4, 19.3, 27.0,
    42.0, 65.5, 92.5, 127.1, 139.1, 114.4, 96.7, 83.3,
  ],
  winter: [
    68.9, 64.5, 62.4, 60.4, 61.0, 66.1, 78.4, 97.6, 104.1, 95.4, 86.1, 80.2, 75.2, 74.3, 78.9, 90.4,
    104.5, 122.9, 127.3, 115.6, 94.9, 84.4, 80.8, 71.9,
  ],
} as const;
export const DAY_AHEAD_2024_MEAN_EUR_PER_MWH = 78.5;

/**
 * The park's electricity reference price is the day-ahead price plus a fixed adder chosen so
 * that the 2024 mean day-ahead price lands in the middle of [ask floor, bid cap]:
 * (0.0750 + 0.2300) / 2 − 0.0785 = 0.0740 EUR/kWh.
 */
export const REFERENCE_ADDER =
  (ELECTRICITY_ASK_FLOOR + ELECTRICITY_BID_CAP) / 2 -
  Math.round((DAY_AHEAD_2024_MEAN_EUR_PER_MWH * TICKS_PER_EUR) / 1000);

/** Reference price of heat: between the CHP's floor and the boiler, flat over the day. */
export const HEAT_REFERENCE = 550;

/** Battery capacity prices (EUR per kWh of capacity for one interval): wear and losses. */
export const STORAGE_ASK_LOW = 150;
export const STORAGE_ASK_HIGH = 300;
/** Round-trip efficiency assumed by PV owners valuing stored energy. */
export const STORAGE_ROUND_TRIP = 0.9;
