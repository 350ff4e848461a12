import { priceContext, seasonOf } from './market/reference-price';
import { addDays, counterpart, isoWeekday, type LocalDate } from './profiles/calendar';
import { workplaceChargingWh } from './profiles/ev-workplace';
import { YEARS, type ParkData } from './profiles/park-data';
import { quarterHours, quarterHourWh } from './profiles/slice';
import { copHundredths, type DayAheadPlan } from './day-ahead/plan';
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
  /** The battery's power (kW) and one-way efficiency (%) as a day-ahead storage. */
  batteryKW: 250,
  batteryEfficiencyPercent: 95,
  /** Air-source heat pump of the office building, kW electric. */
  heatPumpKWel: 60,
  /** Hot-water tank of the CHP's heat network: kWh thermal, kW in and out, one-way efficiency. */
  heatTankKWh: 400,
  heatTankKW: 200,
  heatTankEfficiencyPercent: 98,
  chargePoints: 24,
  /** The park's grid connection: import contracted up to this (kW), a limit of the day-ahead auction. */
  gridImportKW: 220,
} as const;

/** The tenants whose process loads bid as one all-or-nothing block day-ahead. */
export const BLOCK_LOADS = ['bakery', 'plating'];

/**
 * The tenants of the demo park, each with the real profile of its kind laid over the run's days:
 * weekday-dependent loads use the nearest day of their data year with the same weekday,
 * weather-driven PV and CHP the same calendar day of 2015 (the Potsdam test reference year).
 */
export function buildPark(data: ParkData, window: RunWindow): Tenant[] {
  return assemble(data, window).tenants;
}

/**
 * The park's day-ahead plan for the run: the same profiles as its tenants, plus the flexible
 * assets the auction schedules (heat pump with its COP from the day's outside temperature, CHP,
 * battery, heat tank).
 */
export function buildDayAheadPlan(data: ParkData, window: RunWindow): DayAheadPlan {
  return assemble(data, window).plan;
}

function assemble(data: ParkData, window: RunWindow): { tenants: Tenant[]; plan: DayAheadPlan } {
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
  const profiles = {
    metal: scaled(slice(data.metal, YEARS.metal, true), PARK.metalMWh),
    metalHeat: scaled(heatDay(data.heatMetal), PARK.metalHeatMWh),
    plating: scaled(slice(data.plating, YEARS.plating, true), PARK.platingMWh),
    platingHeat: scaled(heatDay(data.heatMetal), PARK.platingHeatMWh),
    furniture: scaled(slice(data.furniture, YEARS.furniture, true), PARK.furnitureMWh),
    office: scaled(slice(data.office, YEARS.office, true), PARK.officeMWh),
    officeHeat: scaled(heatDay(data.heatOffice), PARK.officeHeatMWh),
    bakery: bakeryWh(data, window),
    canteenHeat: scaled(
      slice(data.hotWater50, YEARS.hotWater, true, '60min'),
      PARK.hotWaterPersons / 50,
    ),
    pvHall: scaled(slice(data.pvSouth, YEARS.weather, false), PARK.pvHallKWp),
    pvLogistics: scaled(slice(data.pvEastWest, YEARS.weather, false), PARK.pvLogisticsKWp),
    pvCarport: scaled(slice(data.pvMixed, YEARS.weather, false), PARK.pvCarportKWp),
    ev: workplaceChargingWh(PARK.chargePoints, date, startQuarter, count),
  };

  const tenants: Tenant[] = [
    consumer({
      key: 'metal',
      name: 'Metal works',
      kind: 'industry',
      description: `metal processing, ${PARK.metalMWh} MWh/a electricity (measured 2018 profile), ${PARK.metalHeatMWh} MWh/a heat (BDEW GMK)`,
      electricityWh: profiles.metal,
      heatWh: profiles.metalHeat,
      premium: 100,
    }),
    consumer({
      key: 'plating',
      name: 'Electroplating plant',
      kind: 'industry',
      description: `electroplating, ${PARK.platingMWh} MWh/a (measured 2017 profile), ${PARK.platingHeatMWh} MWh/a bath and space heat (BDEW GMK)`,
      electricityWh: profiles.plating,
      heatWh: profiles.platingHeat,
      premium: 200,
    }),
    consumer({
      key: 'furniture',
      name: 'Furniture store',
      kind: 'commerce',
      description: `furniture shop, ${PARK.furnitureMWh} MWh/a (measured 2015 profile)`,
      electricityWh: profiles.furniture,
    }),
    consumer({
      key: 'office',
      name: 'Office building',
      kind: 'office',
      description: `administration building, ${PARK.officeMWh} MWh/a (measured 2015 profile), ${PARK.officeHeatMWh} MWh/a heat (BDEW GKO)`,
      electricityWh: profiles.office,
      heatWh: profiles.officeHeat,
    }),
    consumer({
      key: 'bakery',
      name: 'Industrial bakery',
      kind: 'commerce',
      description: `bakery, ${PARK.bakeryMWh} MWh/a (BDEW G5 standard load profile)`,
      electricityWh: profiles.bakery,
      premium: 100,
    }),
    consumer({
      key: 'canteen',
      name: 'Canteen and staff showers',
      kind: 'heat',
      description: `hot water for ${PARK.hotWaterPersons} persons (DHWcalc profile)`,
      electricityWh: [],
      heatWh: profiles.canteenHeat,
    }),
    pv({
      key: 'pv-hall',
      name: 'Rooftop PV production hall',
      description: `${PARK.pvHallKWp} kWp facing south (Potsdam 2015)`,
      outputWh: profiles.pvHall,
    }),
    pv({
      key: 'pv-logistics',
      name: 'Rooftop PV logistics centre',
      description: `${PARK.pvLogisticsKWp} kWp east-west (Potsdam 2015)`,
      outputWh: profiles.pvLogistics,
    }),
    pv({
      key: 'pv-carport',
      name: 'Solar carport',
      description: `${PARK.pvCarportKWp} kWp, 75 % south, 25 % east-west (Potsdam 2015)`,
      outputWh: profiles.pvCarport,
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
      electricityWh: profiles.ev,
      bids: FLEXIBLE_BIDS,
    }),
  ];

  const quarterWh = (kw: number) => (kw * 1000) / 4;
  const storage = (
    ownerKey: string,
    kwh: number,
    kw: number,
    efficiency: number,
    wear: number,
  ) => ({
    ownerKey,
    capacityWh: kwh * 1000,
    initialWh: (kwh * 1000) / 2,
    maxChargeWh: quarterWh(kw),
    maxDischargeWh: quarterWh(kw),
    chargeEfficiencyPercent: efficiency,
    dischargeEfficiencyPercent: efficiency,
    dischargeCostTicks: wear,
  });
  const plan: DayAheadPlan = {
    count,
    forecastLoads: ['ev', 'office', 'furniture'],
    loads: [
      { tenantKey: 'metal', electricityWh: profiles.metal },
      { tenantKey: 'plating', electricityWh: profiles.plating },
      { tenantKey: 'furniture', electricityWh: profiles.furniture },
      { tenantKey: 'office', electricityWh: profiles.office },
      { tenantKey: 'bakery', electricityWh: profiles.bakery },
      { tenantKey: 'ev', electricityWh: profiles.ev },
    ],
    heatLoads: [
      { tenantKey: 'metal', heatWh: profiles.metalHeat },
      { tenantKey: 'plating', heatWh: profiles.platingHeat },
      { tenantKey: 'office', heatWh: profiles.officeHeat },
      { tenantKey: 'canteen', heatWh: profiles.canteenHeat },
    ],
    pv: [
      { tenantKey: 'pv-hall', outputWh: profiles.pvHall },
      { tenantKey: 'pv-logistics', outputWh: profiles.pvLogistics },
      { tenantKey: 'pv-carport', outputWh: profiles.pvCarport },
    ],
    blocks: BLOCK_LOADS,
    heatPump: {
      ownerKey: 'office',
      maxInputWh: quarterWh(PARK.heatPumpKWel),
      copHundredths: slice(data.temperature, YEARS.weather, false, '60min').map(copHundredths),
    },
    chp: {
      ownerKey: 'chp',
      // full load: kW_el / 0.38 of gas for a quarter-hour
      maxFuelWh: Math.floor((PARK.chpKWel * 1000 * 100) / 38 / 4),
      heatLedElectricityWh: chpElectricity,
    },
    // wear: 0.02 EUR per kWh discharged; heat: 0.002 (pumps)
    battery: storage(
      'battery',
      PARK.batteryKWh,
      PARK.batteryKW,
      PARK.batteryEfficiencyPercent,
      200,
    ),
    heatTank: storage('chp', PARK.heatTankKWh, PARK.heatTankKW, PARK.heatTankEfficiencyPercent, 20),
  };
  return { tenants, plan };
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
