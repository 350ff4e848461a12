import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSeries, parseTable, type Series } from './csv';
import { heatProfile, type SigmoidParameters } from './heat-slp';

/** `data/` at the repository root: the profile files and their README (sources, licences). */
export const DATA_DIR = join(__dirname, '..', '..', '..', '..', 'data');

export const FILES = {
  metal: 'load_industry_metal_processing_15min_2018_norm1000kWh.csv',
  plating: 'load_industry_electroplating_15min_2017_norm1000kWh.csv',
  furniture: 'load_commercial_furniture_store_15min_2015_norm1000kWh.csv',
  office: 'load_office_administration_medium_15min_2015_norm1000kWh.csv',
  pv: 'pv_TRY04_potsdam_2015_15min_W_per_kWp.csv',
  chp: 'chp_TRY04_2015_15min_W_per_kWel.csv',
  hotWater: 'heat_dhw_50persons_60min.csv',
  weather: 'weather_TRY04_potsdam_2015_60min.csv',
  heatSigmoid: 'bdew_heat_slp_sigmoid_parameters.csv',
  heatWeekday: 'bdew_heat_slp_weekday_factors.csv',
  heatHour: 'bdew_heat_slp_hour_factors.csv',
  typicalDays: 'bdew_slp_electric_typical_days_H0_G0-G6_L0-L2.csv',
} as const;

/** The profile years (the year of each file's data). */
export const YEARS = {
  metal: 2018,
  plating: 2017,
  furniture: 2015,
  office: 2015,
  weather: 2015,
  hotWater: 2019,
};

/** BDEW typical-day profile rows: kW per 1,000 kWh/a, 96 per (period, weekday). */
export interface TypicalDays {
  value(
    period: 'winter' | 'summer' | 'transition',
    weekday: number,
    quarter: number,
    column: string,
  ): number;
}

export interface ParkData {
  /** W per MWh/a. */
  metal: Series;
  plating: Series;
  furniture: Series;
  office: Series;
  /** W per kWp: south 35°, east-west, 25 % east-west + 75 % south. */
  pvSouth: Series;
  pvEastWest: Series;
  pvMixed: Series;
  /** W per kW_el, modulating operation. */
  chp: Series;
  /** W, hot water of 50 persons (hourly). */
  hotWater50: Series;
  /** Space and process heat, W per MWh/a (hourly), for BDEW types GMK (metal) and GKO (offices). */
  heatMetal: Series;
  heatOffice: Series;
  typicalDays: TypicalDays;
  /** Outside air, °C (hourly, Potsdam 2015). */
  temperature: Series;
}

export function loadParkData(dir = DATA_DIR): ParkData {
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const series = (file: string, column = 1) => parseSeries(read(file), column, file);
  const temperatures = series(FILES.weather, 1);
  const sigmoids = parseTable(read(FILES.heatSigmoid));
  const weekdays = parseTable(read(FILES.heatWeekday));
  const hours = parseTable(read(FILES.heatHour));
  const heat = (type: string) =>
    heatProfile({
      parameters: sigmoidOf(sigmoids, type),
      weekdayFactors: weekdays
        .filter((r) => r.shlp_type === type)
        .map((r) => Number(r.wochentagsfaktor)),
      hourFactor: hourFactors(hours, type),
      temperatures,
      firstWeekday: 4, // 2015-01-01 was a Thursday
      annualKWh: 1000, // per MWh/a, like the electricity profiles
    });
  return {
    metal: series(FILES.metal),
    plating: series(FILES.plating),
    furniture: series(FILES.furniture),
    office: series(FILES.office),
    pvSouth: series(FILES.pv, 1),
    pvEastWest: series(FILES.pv, 2),
    pvMixed: series(FILES.pv, 3),
    chp: series(FILES.chp, 2),
    hotWater50: series(FILES.hotWater, 2),
    heatMetal: heat('GMK'),
    heatOffice: heat('GKO'),
    typicalDays: typicalDays(read(FILES.typicalDays)),
    temperature: temperatures,
  };
}

/** The non-residential parameters without wind impact. */
function sigmoidOf(rows: Record<string, string>[], type: string): SigmoidParameters {
  const row = rows.find((r) => r.shlp_type === type && r.wind_impact === '0');
  if (!row) throw new Error(`no SigLinDe parameters for ${type}`);
  return {
    a: Number(row.parameter_a),
    b: Number(row.parameter_b),
    c: Number(row.parameter_c),
    d: Number(row.parameter_d),
  };
}

function hourFactors(rows: Record<string, string>[], type: string) {
  const table = new Map<string, number[]>();
  for (const r of rows) {
    if (r.shlp_type !== type) continue;
    const bands = Array.from({ length: 10 }, (_, i) =>
      Number(r[`temp_intervall_${String(i + 1).padStart(2, '0')}`]),
    );
    table.set(`${r.weekday}/${Number(r.hour_of_day) - 1}`, bands);
  }
  return (weekday: number, hour: number, band: number): number => {
    const bands = table.get(`${weekday}/${hour}`);
    if (!bands) throw new Error(`no hour factor for ${type} weekday ${weekday} hour ${hour}`);
    return bands[band - 1];
  };
}

function typicalDays(text: string): TypicalDays {
  const rows = parseTable(text);
  const index = new Map<string, Record<string, string>[]>();
  for (const row of rows) {
    const key = `${row.period}/${row.weekday}`;
    let list = index.get(key);
    if (!list) index.set(key, (list = []));
    list.push(row);
  }
  return {
    value(period, weekday, quarter, column) {
      const row = index.get(`${period}/${weekday}`)?.[quarter];
      const value = Number(row?.[column]);
      if (!row || !Number.isFinite(value))
        throw new Error(`no ${column} value for ${period} ${weekday} ${quarter}`);
      return value;
    },
  };
}
