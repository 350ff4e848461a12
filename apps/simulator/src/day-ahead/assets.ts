import { readScaled, scaledToText } from '../market/decimal';
import type { AuctionOrderInput } from './orders';

/**
 * The assets behind a tenant's day-ahead device orders: the API requires a storage order to name
 * its BATTERY or HEAT_TANK and a conversion order its CHP or HEAT_PUMP, with ratings that cover
 * the order's limits in one of the auction's (compressed) intervals. One asset per tenant and
 * kind, rated for the largest of its orders.
 */
export interface DeviceAsset {
  kind: 'BATTERY' | 'HEAT_TANK' | 'CHP' | 'HEAT_PUMP';
  /** kWh and kW as decimals with at most 3 places, as `registerAsset` takes them. */
  energyCapacity: string;
  chargePower: string;
  dischargePower: string;
}

export function deviceKind(order: AuctionOrderInput): DeviceAsset['kind'] | null {
  if (order.storage) return order.storage.carrier === 'HEAT' ? 'HEAT_TANK' : 'BATTERY';
  if (order.conversion) return order.conversion.input === null ? 'CHP' : 'HEAT_PUMP';
  return null;
}

/** The assets a tenant's batch needs, by kind, for intervals of `intervalSeconds`. */
export function deviceAssets(
  orders: readonly AuctionOrderInput[],
  intervalSeconds: number,
): Map<DeviceAsset['kind'], DeviceAsset> {
  const wh = (kwh: string) => readScaled(kwh, 3);
  const most = (values: readonly bigint[]) => values.reduce((a, b) => (a > b ? a : b), 0n);
  const needs = new Map<
    DeviceAsset['kind'],
    { capacity: bigint; charge: bigint; discharge: bigint }
  >();
  for (const order of orders) {
    const kind = deviceKind(order);
    if (kind === null) continue;
    const need = needs.get(kind) ?? { capacity: 0n, charge: 0n, discharge: 0n };
    if (order.storage) {
      need.capacity = most([need.capacity, wh(order.storage.capacity)]);
      need.charge = most([need.charge, wh(order.storage.maxCharge)]);
      need.discharge = most([need.discharge, wh(order.storage.maxDischarge)]);
    } else if (order.conversion) {
      need.charge = most([need.charge, ...order.conversion.maxInput.map(wh)]);
    }
    needs.set(kind, need);
  }
  // power (W) that gives `wh` in one interval, rounded up to the W; as kW with 3 decimals
  const seconds = BigInt(intervalSeconds);
  const kw = (energyWh: bigint) =>
    scaledToText((energyWh * 3600n + seconds - 1n) / seconds, 3, false);
  const kwh = (energyWh: bigint) => scaledToText(energyWh, 3, false);
  return new Map(
    [...needs].map(([kind, need]) => [
      kind,
      {
        kind,
        energyCapacity: kwh(need.capacity),
        chargePower: kw(need.charge),
        dischargePower: kw(need.discharge),
      },
    ]),
  );
}
