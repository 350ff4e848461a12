import { InvariantViolation } from '../invariant';
import { ratio, type Ratio } from '../ratio';

/**
 * Emission factors. Every factor is an exact fraction of **milligrams CO2e per kWh** (a `Ratio`):
 * operators enter whole milligrams (grams with 3 decimals), and derived factors (a CHP's outputs,
 * a heat pump's heat) stay exact fractions of them. Energy is integer Wh, so energy × factor is an
 * exact count of micrograms (1 Wh × 1 mg/kWh = 1 µg); reports round to grams once per figure.
 */

/** The carriers carbon is accounted for; other products (STORAGE, test products) carry none. */
export const CARBON_CARRIERS = ['ELECTRICITY', 'HEAT'] as const;
export type CarbonCarrier = (typeof CARBON_CARRIERS)[number];

export function isCarbonCarrier(code: string): code is CarbonCarrier {
  return (CARBON_CARRIERS as readonly string[]).includes(code);
}

/**
 * How an asset kind's output gets its factor:
 * - `FIXED`: the row's own factor per kWh of output (PV: 0);
 * - `CHP_EFFICIENCY`: the fuel's factor per kWh of fuel, shared between electricity and heat by
 *   the efficiency method (GHG Protocol CHP allocation tool): each output is charged the fuel a
 *   separate reference plant would have burnt for it;
 * - `ELECTRIC_INPUT`: the grid's factor of the interval divided by the efficiency (a heat pump's
 *   COP, an electric boiler's efficiency);
 * - `STORAGE`: no row; a battery or EV hub discharges at the grid's factor, a heat tank at the
 *   heat reference factor (the charge is not traced: see README).
 */
export type FactorMethod = 'FIXED' | 'CHP_EFFICIENCY' | 'ELECTRIC_INPUT' | 'STORAGE';

export const FACTOR_METHOD: Record<string, FactorMethod> = {
  PV: 'FIXED',
  CHP: 'CHP_EFFICIENCY',
  HEAT_PUMP: 'ELECTRIC_INPUT',
  BOILER: 'ELECTRIC_INPUT',
  ELECTROLYSER: 'ELECTRIC_INPUT',
  BATTERY: 'STORAGE',
  EV_HUB: 'STORAGE',
  HEAT_TANK: 'STORAGE',
};

/** What each kind's output carrier is; a sale of another carrier gets the carrier's default. */
export const OUTPUT_CARRIERS: Record<string, readonly CarbonCarrier[]> = {
  PV: ['ELECTRICITY'],
  CHP: ['ELECTRICITY', 'HEAT'],
  HEAT_PUMP: ['HEAT'],
  BOILER: ['HEAT'],
  ELECTROLYSER: [],
  BATTERY: ['ELECTRICITY'],
  EV_HUB: ['ELECTRICITY'],
  HEAT_TANK: ['HEAT'],
};

/** The fuel an asset burns or takes unless the operator names another (`asset_fuel`). */
export const DEFAULT_FUEL: Record<string, string> = {
  PV: 'SUN',
  CHP: 'NATURAL_GAS',
  HEAT_PUMP: 'ELECTRICITY',
  BOILER: 'ELECTRICITY',
  ELECTROLYSER: 'ELECTRICITY',
  BATTERY: 'STORED',
  EV_HUB: 'STORED',
  HEAT_TANK: 'STORED',
};

/** One version of an asset kind's factor for one fuel, valid from `validFromMs` on. */
export interface FactorVersion {
  readonly assetKind: string;
  readonly fuel: string;
  readonly validFromMs: number;
  /** FIXED: mg per kWh of output; CHP_EFFICIENCY: mg per kWh of fuel (net calorific value). */
  readonly mgPerKwh: bigint | null;
  /** CHP: kWh of electricity and of heat per kWh of fuel. */
  readonly electricalEfficiency: Ratio | null;
  readonly thermalEfficiency: Ratio | null;
  /** CHP, efficiency method: the separate power plant's and boiler's efficiencies. */
  readonly referenceElectricalEfficiency: Ratio | null;
  readonly referenceThermalEfficiency: Ratio | null;
  /** ELECTRIC_INPUT: kWh out per kWh of electricity in (COP 3.2 = 16/5). */
  readonly efficiency: Ratio | null;
  /** Output counted as renewable (PV; a CHP on biomethane). */
  readonly renewable: boolean;
}

export type DefaultName = 'GRID_ELECTRICITY' | 'HEAT';

/** A version of a default factor: the grid's where no interval factor was uploaded, and heat's. */
export interface DefaultVersion {
  readonly name: DefaultName;
  readonly validFromMs: number;
  readonly mgPerKwh: bigint;
}

/** Everything a factor is taken from: versions, defaults and the uploaded grid factors. */
export interface CarbonFactors {
  readonly versions: readonly FactorVersion[];
  readonly defaults: readonly DefaultVersion[];
  /** The grid's factor (mg/kWh) uploaded for an interval, by its delivery start (ms). */
  readonly grid: ReadonlyMap<number, bigint>;
}

/** Who supplied energy: a seller's asset (by kind and fuel), or a seller without one / the grid. */
export type Supply =
  | { readonly kind: 'ASSET'; readonly assetKind: string; readonly fuel: string }
  | { readonly kind: 'DEFAULT' };

export interface SupplyFactor {
  /** mg CO2e per kWh, exact. */
  readonly factor: Ratio;
  readonly renewable: boolean;
}

/** The newest version of `items` valid at `atMs` (its `validFromMs` ≤ `atMs`), or undefined. */
function validAt<T extends { validFromMs: number }>(
  items: readonly T[],
  atMs: number,
  matches: (item: T) => boolean,
): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (item.validFromMs <= atMs && matches(item) && (!best || item.validFromMs > best.validFromMs))
      best = item;
  }
  return best;
}

function defaultAt(factors: CarbonFactors, name: DefaultName, atMs: number): bigint {
  const found = validAt(factors.defaults, atMs, (d) => d.name === name);
  if (!found) throw new InvariantViolation(`no ${name} default factor valid at ${atMs}`);
  return found.mgPerKwh;
}

/** The grid's factor (mg/kWh) of the interval starting at `atMs`: uploaded, else the default. */
export function gridFactor(factors: CarbonFactors, atMs: number): bigint {
  return factors.grid.get(atMs) ?? defaultAt(factors, 'GRID_ELECTRICITY', atMs);
}

/**
 * The reference factor of a carrier in an interval: the grid's for electricity, the heat default
 * for heat. Location-based emissions, residual (grid and imbalance) energy, sellers without an
 * asset and storage use it.
 */
export function referenceFactor(
  factors: CarbonFactors,
  carrier: CarbonCarrier,
  atMs: number,
): bigint {
  return carrier === 'ELECTRICITY' ? gridFactor(factors, atMs) : defaultAt(factors, 'HEAT', atMs);
}

/**
 * A CHP's factors per kWh of electricity and of heat by the efficiency method. With fuel factor
 * F, outputs η_el and η_th per kWh of fuel and reference efficiencies e_el and e_th:
 *   d = η_el/e_el + η_th/e_th,  f_el = F / (e_el·d),  f_th = F / (e_th·d),
 * so η_el·f_el + η_th·f_th = F: the fuel's emissions are shared out exactly.
 * Natural gas 201 g/kWh, 7/20 and 1/2, references 7/20 and 4/5: d = 13/8,
 * f_el = 201000 · 160/91 mg/kWh (≈ 353.4 g), f_th = 201000 · 10/13 mg/kWh (≈ 154.6 g).
 */
export function chpFactors(
  fuelMgPerKwh: bigint,
  electrical: Ratio,
  thermal: Ratio,
  referenceElectrical: Ratio,
  referenceThermal: Ratio,
): { electricity: Ratio; heat: Ratio } {
  // d = (η_el·e_th + η_th·e_el) / (e_el·e_th), over a common denominator
  const dNum =
    electrical.num * referenceElectrical.den * referenceThermal.num * thermal.den +
    thermal.num * referenceThermal.den * referenceElectrical.num * electrical.den;
  const dDen = electrical.den * referenceElectrical.num * thermal.den * referenceThermal.num;
  // f_el = F / (e_el · d) = F · e_el.den · dDen / (e_el.num · dNum)
  return {
    electricity: ratio(
      fuelMgPerKwh * referenceElectrical.den * dDen,
      referenceElectrical.num * dNum,
    ),
    heat: ratio(fuelMgPerKwh * referenceThermal.den * dDen, referenceThermal.num * dNum),
  };
}

/**
 * The factor energy of `carrier` delivered in the interval starting at `atMs` carries, by who
 * supplied it (see `FactorMethod`). A seller without an asset, an asset selling a carrier it does
 * not produce, or a kind and fuel without a factor valid then: the carrier's reference factor
 * (resale of grid energy cannot be shown to be cleaner than the grid).
 */
export function supplyFactor(
  factors: CarbonFactors,
  supply: Supply,
  carrier: CarbonCarrier,
  atMs: number,
): SupplyFactor {
  const fallback = (): SupplyFactor => ({
    factor: ratio(referenceFactor(factors, carrier, atMs), 1n),
    renewable: false,
  });
  if (supply.kind === 'DEFAULT') return fallback();
  const method = FACTOR_METHOD[supply.assetKind];
  if (!method || !(OUTPUT_CARRIERS[supply.assetKind] ?? []).includes(carrier)) return fallback();
  if (method === 'STORAGE') return fallback();
  const version = validAt(
    factors.versions,
    atMs,
    (v) => v.assetKind === supply.assetKind && v.fuel === supply.fuel,
  );
  if (!version) return fallback();
  const renewable = version.renewable;
  switch (method) {
    case 'FIXED':
      if (version.mgPerKwh === null) return fallback();
      return { factor: ratio(version.mgPerKwh, 1n), renewable };
    case 'CHP_EFFICIENCY': {
      const { mgPerKwh, electricalEfficiency, thermalEfficiency } = version;
      const { referenceElectricalEfficiency, referenceThermalEfficiency } = version;
      if (
        mgPerKwh === null ||
        !electricalEfficiency ||
        !thermalEfficiency ||
        !referenceElectricalEfficiency ||
        !referenceThermalEfficiency
      ) {
        return fallback();
      }
      const shares = chpFactors(
        mgPerKwh,
        electricalEfficiency,
        thermalEfficiency,
        referenceElectricalEfficiency,
        referenceThermalEfficiency,
      );
      return { factor: carrier === 'ELECTRICITY' ? shares.electricity : shares.heat, renewable };
    }
    case 'ELECTRIC_INPUT': {
      if (!version.efficiency) return fallback();
      const grid = gridFactor(factors, atMs);
      return {
        factor: ratio(grid * version.efficiency.den, version.efficiency.num),
        renewable,
      };
    }
  }
}
