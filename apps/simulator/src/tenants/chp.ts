import { ladder } from './ladder';
import { around, type OffsetStep } from './pricing';
import type { IntervalContext, OrderIntent, Tenant } from './types';

/** The CHP's electricity: half just below, half just above the reference. */
export const CHP_OFFERS: readonly OffsetStep[] = [
  { share: 0.5, offset: -100 },
  { share: 0.5, offset: 100 },
];
/** CHP heat: the unit runs anyway (heat-led), unsold heat is cooled away. */
export const CHP_HEAT_ASKS = [
  { share: 0.5, priceTicks: 300 },
  { share: 0.5, priceTicks: 500 },
] as const;

export interface ChpSpec {
  key: string;
  name: string;
  description: string;
  electricityWh: readonly number[];
  heatWh: readonly number[];
}

/** A combined heat-and-power unit: sells its electricity and its heat output each interval. */
export function chp(spec: ChpSpec): Tenant {
  return {
    key: spec.key,
    name: spec.name,
    kind: 'chp',
    description: spec.description,
    orders({ index, prices }: IntervalContext): OrderIntent[] {
      const { electricity, heat } = prices;
      return [
        ...ladder(
          'electricity',
          'SELL',
          spec.electricityWh[index] ?? 0,
          around(electricity.reference, CHP_OFFERS, electricity.askFloor, electricity.bidCap),
        ),
        ...ladder(
          'heat',
          'SELL',
          spec.heatWh[index] ?? 0,
          CHP_HEAT_ASKS.map((step) => ({
            share: step.share,
            priceTicks: Math.min(heat.bidCap, Math.max(heat.askFloor, step.priceTicks)),
          })),
          'hs',
        ),
      ];
    },
  };
}
