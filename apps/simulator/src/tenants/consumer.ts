import { ladder } from './ladder';
import { around, type OffsetStep } from './pricing';
import type { IntervalContext, OrderIntent, Tenant, TenantKind } from './types';

/**
 * How a consumer's EMS bids for electricity: a ladder around the park's reference price. Most
 * load is bid a little above the reference (it would otherwise cost the import tariff), some a
 * little below (the EMS does not give all its savings to the sellers).
 */
export const STANDARD_BIDS: readonly OffsetStep[] = [
  { share: 0.4, offset: 300 },
  { share: 0.3, offset: 100 },
  { share: 0.3, offset: -100 },
];
/** Shiftable load (EV charging): never pays more than the reference, half only when cheaper. */
export const FLEXIBLE_BIDS: readonly OffsetStep[] = [
  { share: 0.5, offset: 0 },
  { share: 0.5, offset: -200 },
];
/** Heat: half at the boiler's price less fee and margin, half at the reference price + 0.01. */
export const HEAT_BIDS = (reference: number, cap: number): readonly OffsetStep[] => [
  { share: 0.5, offset: cap - reference },
  { share: 0.5, offset: 100 },
];

export interface ConsumerSpec {
  key: string;
  name: string;
  kind: TenantKind;
  description: string;
  /** Electricity demand per quarter-hour of the run (Wh); empty for none. */
  electricityWh: readonly number[];
  /** Heat demand per quarter-hour of the run (Wh thermal); empty for none. */
  heatWh?: readonly number[];
  /** Added to every electricity bid (ticks): inflexible processes pay a little more. */
  premium?: number;
  bids?: readonly OffsetStep[];
}

/** A tenant that only buys: its load each interval, electricity and (optionally) heat. */
export function consumer(spec: ConsumerSpec): Tenant {
  const bids = spec.bids ?? STANDARD_BIDS;
  const premium = spec.premium ?? 0;
  return {
    key: spec.key,
    name: spec.name,
    kind: spec.kind,
    description: spec.description,
    orders({ index, prices }: IntervalContext): OrderIntent[] {
      const { electricity, heat } = prices;
      const electricityWh = spec.electricityWh[index] ?? 0;
      const heatWh = spec.heatWh?.[index] ?? 0;
      return [
        ...ladder(
          'electricity',
          'BUY',
          electricityWh,
          around(electricity.reference + premium, bids, electricity.askFloor, electricity.bidCap),
        ),
        ...ladder(
          'heat',
          'BUY',
          heatWh,
          around(
            heat.reference,
            HEAT_BIDS(heat.reference, heat.bidCap),
            heat.askFloor,
            heat.bidCap,
          ),
          'hb',
        ),
      ];
    },
  };
}
