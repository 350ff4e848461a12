import { roundScaled } from '../market/decimal';
import { divideRounded } from '../run/summary';
import { OUTSIDE, type DayAheadPlan } from './plan';

/**
 * What the park's flexible assets (heat pump, CHP, battery, heat tank) do in each quarter-hour,
 * in Wh from the park's point of view: `electricityWh` > 0 they draw from the park's network,
 * < 0 they feed it; `heatWh` > 0 heat they supply to the heat network (< 0: the tank charging).
 */
export interface Dispatch {
  electricityWh: number[];
  heatWh: number[];
  /** The CHP's electricity (Wh); its gas is this / 0.38. */
  chpElectricityWh: number[];
}

/** The park at its grid connection and its boilers for one day. */
export interface ParkBalance {
  importWh: number[];
  exportWh: number[];
  /** Heat the park's network did not supply: the tenants' own gas boilers. */
  boilerWh: number[];
  /** Highest grid import of a quarter-hour (Wh; × 4 / 1000 = kW). */
  peakImportWh: number;
  /** Gas for the CHP (Wh of fuel, rounded). */
  chpGasWh: bigint;
  /**
   * The park's cost outside itself, cents: grid import at the tariff, less feed-in, plus gas
   * for the CHP and the boilers. Trades between tenants (day-ahead and intraday) move money
   * inside the park and do not change it.
   */
  costCents: bigint;
}

const zeros = (n: number) => Array.from({ length: n }, () => 0);

/** Σ of profiles per quarter-hour. */
function total(count: number, profiles: readonly (readonly number[])[]): number[] {
  const sum = zeros(count);
  for (const p of profiles) for (let t = 0; t < count; t++) sum[t] += p[t] ?? 0;
  return sum;
}

/** Heat a CHP makes with its electricity: × 0.532 / 0.38 = × 1.4, rounded half up. */
export function chpHeatWh(electricityWh: number): number {
  return Number(divideRounded(BigInt(electricityWh) * 532n, 380n));
}

/**
 * Today's operation without the auction: the CHP runs heat-led on its measured profile, the
 * heat pump covers its owner's heat demand (up to its size; the boiler the rest), the battery
 * and the heat tank stay idle (the per-interval market rents the battery's capacity out, but
 * what renters store is not simulated; the tank has no market).
 */
export function baselineDispatch(plan: DayAheadPlan): Dispatch {
  const { count, heatPump, chp } = plan;
  const ownerHeat = total(
    count,
    plan.heatLoads.filter((h) => h.tenantKey === heatPump.ownerKey).map((h) => h.heatWh),
  );
  const electricityWh = zeros(count);
  const heatWh = zeros(count);
  const chpElectricityWh = zeros(count);
  for (let t = 0; t < count; t++) {
    const cop = heatPump.copHundredths[t];
    const heat = Math.min(ownerHeat[t], Math.floor((heatPump.maxInputWh * cop) / 100));
    const input = Math.ceil((heat * 100) / cop);
    const chpEl = chp.heatLedElectricityWh[t] ?? 0;
    electricityWh[t] = input - chpEl;
    heatWh[t] = heat + chpHeatWh(chpEl);
    chpElectricityWh[t] = chpEl;
  }
  return { electricityWh, heatWh, chpElectricityWh };
}

/** One award of a conversion or storage order: signed Wh per carrier (> 0 received by the asset). */
export interface AssetAward {
  chp: boolean;
  flows: { carrier: 'ELECTRICITY' | 'HEAT'; quantitiesWh: number[] }[];
}

/** The day-ahead auction's schedule of the flexible assets. */
export function dispatchFromAwards(count: number, awards: readonly AssetAward[]): Dispatch {
  const electricityWh = zeros(count);
  const heatWh = zeros(count);
  const chpElectricityWh = zeros(count);
  for (const award of awards) {
    for (const flow of award.flows) {
      flow.quantitiesWh.slice(0, count).forEach((wh, t) => {
        if (flow.carrier === 'ELECTRICITY') {
          electricityWh[t] += wh;
          if (award.chp) chpElectricityWh[t] -= wh;
        } else {
          heatWh[t] -= wh;
        }
      });
    }
  }
  return { electricityWh, heatWh, chpElectricityWh };
}

/** The park's grid exchange, boilers and outside cost with a dispatch (pure, exact). */
export function parkBalance(plan: DayAheadPlan, dispatch: Dispatch): ParkBalance {
  const { count } = plan;
  const loads = total(
    count,
    plan.loads.map((l) => l.electricityWh),
  );
  const pv = total(
    count,
    plan.pv.map((p) => p.outputWh),
  );
  const heat = total(
    count,
    plan.heatLoads.map((h) => h.heatWh),
  );
  const importWh = zeros(count);
  const exportWh = zeros(count);
  const boilerWh = zeros(count);
  let nano = 0n; // Wh × ticks = 10^-7 EUR
  let chpElectricity = 0n;
  for (let t = 0; t < count; t++) {
    const net = loads[t] - pv[t] + dispatch.electricityWh[t];
    importWh[t] = Math.max(0, net);
    exportWh[t] = Math.max(0, -net);
    boilerWh[t] = Math.max(0, heat[t] - dispatch.heatWh[t]);
    nano +=
      BigInt(importWh[t]) * BigInt(OUTSIDE.importTicks) -
      BigInt(exportWh[t]) * BigInt(OUTSIDE.exportTicks) +
      BigInt(boilerWh[t]) * BigInt(OUTSIDE.boilerHeatTicks);
    chpElectricity += BigInt(dispatch.chpElectricityWh[t]);
  }
  // gas = electricity / 0.38, exact until the final rounding
  nano += divideRounded(chpElectricity * 100n * BigInt(OUTSIDE.gasTicks), 38n);
  return {
    importWh,
    exportWh,
    boilerWh,
    peakImportWh: Math.max(0, ...importWh),
    chpGasWh: divideRounded(chpElectricity * 100n, 38n),
    costCents: roundScaled(nano, 7, 2),
  };
}
