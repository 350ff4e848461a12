import { STORAGE_ASK_HIGH, STORAGE_ASK_LOW } from '../market/tariffs';
import { ladder } from './ladder';
import type { OrderIntent, Tenant } from './types';

export interface BatterySpec {
  key: string;
  name: string;
  description: string;
  /** Usable capacity (Wh) offered every interval. */
  capacityWh: number;
}

/**
 * A stationary battery that rents out its capacity interval by interval (product STORAGE: kWh
 * of capacity usable in the interval): half at a price that covers wear, half higher.
 */
export function battery(spec: BatterySpec): Tenant {
  return {
    key: spec.key,
    name: spec.name,
    kind: 'battery',
    description: spec.description,
    orders(): OrderIntent[] {
      return ladder('storage', 'SELL', spec.capacityWh, [
        { share: 0.5, priceTicks: STORAGE_ASK_LOW },
        { share: 0.5, priceTicks: STORAGE_ASK_HIGH },
      ]);
    },
  };
}
