import { priceContext, seasonOf } from './market/reference-price';
import { addDays, counterpart, isoWeekday, type LocalDate } from './profiles/calendar';
import { workplaceChargingWh } from './profiles/ev-workplace';
import { YEARS, type ParkData } from './profiles/park-data';
import { quarterHours, quarterHourWh } from './profiles/slice';
import { battery } from './tenants/battery';
import { chp } from './tenants/chp';
import { consumer, FLEXIBLE_BIDS } from './tenants/consumer';
import { pv } from './tenants/pv';
import type { IntervalContext, Tenant } from './tenants/types';

/** The simulated stretch of time: `count` quarter-hours from `startQuarter` after midnight of `date`. */
export interface RunWindow {
  date: LocalDate;
  startQuarter: number;
  count: number;
}

/** Sizes of the demo park (annual energy, peak power, capacity). */
export const PARK = {
  metalMWh: 900,
  metalHeatMWh: 500,
  platingMWh: 650,
  platingHeatMWh: 350,
  furnitureMWh: 250,
  officeMWh: 200,
  officeHeatMWh: 220,
  bakeryMWh: 120,
  hotWaterPersons: 200,
  pvHallKWp: 450,
  pvLogisticsKWp: 300,
  pvCarportKWp: 120,
  chpKWel: 120,
  /** Heat per unit of electricity of a gas engine CHP (≈ 53 % thermal / 38 % electrical). */
  chpHeatRatio: 1.4,
  batteryKWh: 500,
  chargePoints: 24,
} as const;

/**
 * The tenants of the demo park, each with the real profile of its kind laid over the run's days:
 * weekday-dependent loads use the nearest day of their data year with the same weekday,
 * weather-driven PV and CHP the same calendar day of 2015 (the Potsdam test reference year).
 */
export function buildPark(data: ParkData, window: RunWindow): Tenant[] {
  const { date, startQuarter, count } = window;
  const slice = (
    series: ParkData['metal'],
    year: number,
    sameWeekday: boolean,
    resolution: '15min' | '60min' = '15min',
  ) => quarterHours(series, counterpart(date, year, sameWeekday), startQuarter, count, resolution);
  /** W per MWh/a × MWh/a → Wh per quarter-hour. */
  const scaled = (values: number[], factor: number) => values.map((w) => quarterHourWh(w * factor));

  const heatDay = (series: ParkData['heatMetal']) => slice(series, YEARS.weather, true, '60min');
  const chpElectricity = scaled(slice(data.chp, YEARS.weather, false), PARK.chpKWel);

  return [
    consumer({
      key: 'metal',
      name: 'Metal works',
      kind: 'industry',
      description: `metal processing, ${PARK.metalMWh} MWh/a electricity (measured 2018 profile), ${PARK.metalHeatMWh} MWh/a heat (BDEW GMK)`,
      electricityWh: scaled(slice(data.metal, YEARS.metal, true), PARK.metalMWh),
      heatWh: scaled(heatDay(data.heatMetal), PARK.metalHeatMWh),
      premium: 100,
    }),
    consumer({
      key: 'plating',
      name: 'Electroplating plant',
      kind: 'industry',
      description: `electroplating, ${PARK.platingMWh} MWh/a (measured 2017 profile), ${PARK.platingHeatMWh} MWh/a bath and space heat (BDEW GMK)`,
      electricityWh: scaled(slice(data.plating, YEARS.plating, true), PARK.platingMWh),
      heatWh: scaled(heatDay(data.heatMetal), PARK.platingHeatMWh),
      premium: 200,
    }),
    consumer({
      key: 'furniture',
      name: 'Furniture store',
      kind: 'commerce',
      description: `furniture shop, ${PARK.furnitureMWh} MWh/a (measured 2015 profile)`,
      electricityWh: scaled(slice(data.furniture, YEARS.furniture, true), PARK.furnitureMWh),
    }),
    consumer({
      key: 'office',
      name: 'Office building',
      kind: 'office',
      description: `administration building, ${PARK.officeMWh} MWh/a (measured 2015 profile), ${PARK.officeHeatMWh} MWh/a heat (BDEW GKO)`,
      electricityWh: scaled(slice(data.office, YEARS.office, true), PARK.officeMWh),
      heatWh: scaled(heatDay(data.heatOffice), PARK.officeHeatMWh),
    }),
    consumer({
      key: 'bakery',
      name: 'Industrial bakery',
      kind: 'commerce',
      description: `bakery, ${PARK.bakeryMWh} MWh/a (BDEW G5 standard load profile)`,
      electricityWh: bakeryWh(data, window),
      premium: 100,
    }),
    consumer({
      key: 'canteen',
      name: 'Canteen and staff showers',
      kind: 'heat',
      description: `hot water for ${PARK.hotWaterPersons} persons (DHWcalc profile)`,
      electricityWh: [],
      heatWh: scaled(
        slice(data.hotWater50, YEARS.hotWater, true, '60min'),
        PARK.hotWaterPersons / 50,
      ),
    }),
    pv({
      key: 'pv-hall',
      name: 'Rooftop PV production hall',
      description: `${PARK.pvHallKWp} kWp facing south (Potsdam 2015)`,
      outputWh: scaled(slice(data.pvSouth, YEARS.weather, false), PARK.pvHallKWp),
    }),
    pv({
      key: 'pv-logistics',
      name: 'Rooftop PV logistics centre',
      description: `${PARK.pvLogisticsKWp} kWp east-west (Potsdam 2015)`,
      outputWh: scaled(slice(data.pvEastWest, YEARS.weather, false), PARK.pvLogisticsKWp),
    }),
    pv({
      key: 'pv-carport',
      name: 'Solar carport',
      description: `${PARK.pvCarportKWp} kWp, 75 % south, 25 % east-west (Potsdam 2015)`,
      outputWh: scaled(slice(data.pvMixed, YEARS.weather, false), PARK.pvCarportKWp),
    }),
    chp({
      key: 'chp',
      name: 'CHP unit',
      description: `${PARK.chpKWel} kW electric, ${Math.round(PARK.chpKWel * PARK.chpHeatRatio)} kW heat, heat-led (2015 profile)`,
      electricityWh: chpElectricity,
      heatWh: chpElectricity.map((wh) => Math.round(wh * PARK.chpHeatRatio)),
    }),
    battery({
      key: 'battery',
      name: 'Battery storage',
      description: `${PARK.batteryKWh} kWh of capacity rented out per interval`,
      capacityWh: PARK.batteryKWh * 1000,
    }),
    consumer({
      key: 'ev',
      name: 'EV charging hub',
      kind: 'ev',
      description: `${PARK.chargePoints} workplace charge points (calibrated on workplace sessions)`,
      electricityWh: workplaceChargingWh(PARK.chargePoints, date, startQuarter, count),
      bids: FLEXIBLE_BIDS,
    }),
  ];
}

/** Local date and hour of a quarter-hour of the run. */
export function localTime(
  window: RunWindow,
  index: number,
): { date: LocalDate; hour: number; minute: number } {
  const quarter = window.startQuarter + index;
  return {
    date: addDays(window.date, Math.floor(quarter / 96)),
    hour: Math.floor((quarter % 96) / 4),
    minute: (quarter % 4) * 15,
  };
}

export function intervalContext(window: RunWindow, index: number): IntervalContext {
  const { date, hour } = localTime(window, index);
  return { index, hour, prices: priceContext(seasonOf(date.month), hour) };
}

/** BDEW G5 (bakery) from the typical days: period by date, weekday, quarter-hour. */
function bakeryWh(data: ParkData, window: RunWindow): number[] {
  const values: number[] = [];
  for (let i = 0; i < window.count; i++) {
    const { date } = localTime(window, i);
    const quarter = (window.startQuarter + i) % 96;
    const kwPer1000 = data.typicalDays.value(bdewPeriod(date), isoWeekday(date), quarter, 'g5');
    // kW per 1,000 kWh/a × MWh/a = kW; × 1000 / 4 → Wh per quarter-hour.
    values.push(quarterHourWh(kwPer1000 * PARK.bakeryMWh * 1000));
  }
  return values;
}

/** BDEW periods: winter 1 Nov – 20 Mar, summer 15 May – 14 Sep, transition otherwise. */
export function bdewPeriod(date: LocalDate): 'winter' | 'summer' | 'transition' {
  const md = date.month * 100 + date.day;
  if (md >= 1101 || md <= 320) return 'winter';
  if (md >= 515 && md <= 914) return 'summer';
  return 'transition';
}
