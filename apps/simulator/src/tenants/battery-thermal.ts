/**
 * A simple thermal model of the demo's battery (500 kWh, air-conditioned container), enough to
 * make its battery management samples plausible and to inject an internal fault:
 *
 *   C · dT/dt = I² · R + Q_fault − UA · (T − T_ambient)
 *
 * - lumped heat capacity C = 3 MJ/K (about 3 t of cells and racks at ~1 kJ/(kg·K));
 * - Joule heating of the pack current I (= power / pack voltage) through R = 50 mΩ;
 * - cooling to the container's air at UA = 400 W/K, ambient 25 °C;
 * - an internal fault (`--fault battery@HH:MM`) adds heat that grows by a quarter every
 *   simulated quarter-hour (4 kW at first), pulls one cell's voltage away from the others, and
 *   once the hottest cell passes 58 °C it vents: the off-gas detector reads 20 ppm per °C above.
 * The hottest cell runs 2 K above the pack (the spread of a cooled rack), the coolest 1 K below.
 * Integrated with explicit Euler steps of one simulated minute; the samples are integers in the
 * API's units (mV, mA, deci-°C, ppm, per-mille).
 */

import type { TelemetryReading } from '@parkex/market';

const HEAT_CAPACITY_J_PER_K = 3_000_000;
const RESISTANCE_OHM = 0.05;
const COOLING_W_PER_K = 400;
const AMBIENT_C = 25;
const PACK_VOLTAGE_V = 768;
const CELL_VOLTAGE_MV = 3300;
const FAULT_HEAT_W = 4000;
const FAULT_GROWTH = 1.25;
const FAULT_HEAT_MAX_W = 80_000;
const VENT_C = 58;
const OFF_GAS_PPM_PER_K = 20;
const STEP_S = 60;

export interface BatteryThermalState {
  /** Mean pack temperature, °C (the model's own float; samples are rounded). */
  packC: number;
  /** State of charge, per-mille. */
  socPermille: number;
  /** Quarter-hours since the fault began; null while healthy. */
  faultIntervals: number | null;
}

export const INITIAL_THERMAL_STATE: BatteryThermalState = {
  packC: 27,
  socPermille: 300,
  faultIntervals: null,
};

/** One battery management sample in the API's integer units (without asset and time). */
export type BmsReading = Omit<TelemetryReading, 'atMs'>;

/**
 * Power the battery charges (+) or discharges (−) with in this hour, W: charging from the PV
 * surplus around noon, discharging into the evening peak, idle otherwise; never past 5–95 %.
 */
export function batteryPowerW(hour: number, socPermille: number, capacityWh: number): number {
  const power = capacityWh / 8; // 0.125 C
  if (hour >= 10 && hour < 16 && socPermille < 900) return power;
  if (hour >= 17 && hour < 22 && socPermille > 150) return -power;
  return 0;
}

/** Advances the model by one simulated quarter-hour; `fault` starts the fault now. */
export function stepThermal(
  state: BatteryThermalState,
  input: { hour: number; capacityWh: number; fault: boolean },
): { state: BatteryThermalState; reading: BmsReading } {
  const faultIntervals =
    state.faultIntervals !== null ? state.faultIntervals + 1 : input.fault ? 0 : null;
  const powerW = batteryPowerW(input.hour, state.socPermille, input.capacityWh);
  const currentA = powerW / PACK_VOLTAGE_V;
  const faultW =
    faultIntervals === null
      ? 0
      : Math.min(FAULT_HEAT_MAX_W, FAULT_HEAT_W * FAULT_GROWTH ** faultIntervals);
  let packC = state.packC;
  for (let t = 0; t < 900; t += STEP_S) {
    const heat =
      currentA * currentA * RESISTANCE_OHM + faultW - COOLING_W_PER_K * (packC - AMBIENT_C);
    packC += (heat * STEP_S) / HEAT_CAPACITY_J_PER_K;
  }
  const socPermille = Math.min(
    1000,
    Math.max(0, state.socPermille + Math.round((powerW * 250) / input.capacityWh)),
  );
  const hottestC = packC + 2 + (faultW > 0 ? faultW / 4000 : 0);
  const pulled = faultIntervals === null ? 0 : Math.min(600, 25 * (faultIntervals + 1));
  const reading: BmsReading = {
    socPermille,
    sohPermille: 960,
    packVoltageMv: Math.round((PACK_VOLTAGE_V + (socPermille - 500) / 20) * 1000),
    packCurrentMa: Math.round(currentA * 1000),
    cellVoltageMinMv: CELL_VOLTAGE_MV - 8 - pulled,
    cellVoltageMaxMv: CELL_VOLTAGE_MV + 8,
    cellTempMinDeciC: Math.round((packC - 1) * 10),
    cellTempMaxDeciC: Math.round(hottestC * 10),
    ambientTempDeciC: AMBIENT_C * 10,
    offGasPpm: hottestC > VENT_C ? Math.round((hottestC - VENT_C) * OFF_GAS_PPM_PER_K) : 0,
    faultFlags: 0,
  };
  return { state: { packC, socPermille, faultIntervals }, reading };
}
