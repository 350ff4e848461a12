/**
 * Integrated-auction devices and the assets they come from: a STORAGE order is a BATTERY's or a
 * HEAT_TANK's, a CONVERSION order a CHP's, HEAT_PUMP's, BOILER's or ELECTROLYSER's. The order's
 * limits per interval stay within what the asset's power gives in one of the auction's intervals
 * (derated at WARNING): a storage's charge within the charge power, its discharge within the
 * discharge power, its capacity within the asset's energy capacity; a conversion's input within
 * the charge power (an input rating: electricity into a heat pump, fuel into a CHP).
 */
import { intervalEnergyWh } from './hysteresis';

export const STORAGE_ASSET_KINDS = ['BATTERY', 'HEAT_TANK'] as const;
export const CONVERSION_ASSET_KINDS = ['CHP', 'HEAT_PUMP', 'BOILER', 'ELECTROLYSER'] as const;

/** The limits of a device order, Wh per interval (a conversion: one value or one per interval). */
export type DeviceLimits =
  | { kind: 'STORAGE'; capacityWh: bigint; maxChargeWh: bigint; maxDischargeWh: bigint }
  | { kind: 'CONVERSION'; maxInputWh: bigint | readonly bigint[] };

export interface AssetRatings {
  kind: string;
  energyCapacityWh: bigint;
  chargePowerW: bigint;
  dischargePowerW: bigint;
}

/** Whether an asset of `assetKind` may stand behind a device order of `deviceKind`. */
export function assetFitsDevice(assetKind: string, deviceKind: DeviceLimits['kind']): boolean {
  const kinds: readonly string[] =
    deviceKind === 'STORAGE' ? STORAGE_ASSET_KINDS : CONVERSION_ASSET_KINDS;
  return kinds.includes(assetKind);
}

/** The first limit of the order beyond the asset's ratings, or null when all are within. */
export function deviceBeyondRatings(
  device: DeviceLimits,
  asset: AssetRatings,
  intervalSeconds: number,
  permille: number,
): { field: string; wh: bigint; limitWh: bigint } | null {
  const charge = intervalEnergyWh(asset.chargePowerW, intervalSeconds, permille);
  if (device.kind === 'STORAGE') {
    const discharge = intervalEnergyWh(asset.dischargePowerW, intervalSeconds, permille);
    if (device.capacityWh > asset.energyCapacityWh) {
      return { field: 'capacity', wh: device.capacityWh, limitWh: asset.energyCapacityWh };
    }
    if (device.maxChargeWh > charge) {
      return { field: 'maxCharge', wh: device.maxChargeWh, limitWh: charge };
    }
    if (device.maxDischargeWh > discharge) {
      return { field: 'maxDischarge', wh: device.maxDischargeWh, limitWh: discharge };
    }
    return null;
  }
  const inputs = typeof device.maxInputWh === 'bigint' ? [device.maxInputWh] : device.maxInputWh;
  const most = inputs.reduce((a, b) => (a > b ? a : b), 0n);
  return most > charge ? { field: 'maxInput', wh: most, limitWh: charge } : null;
}
