import { STORAGE_ROUND_TRIP } from '../market/tariffs';
import { ladder } from './ladder';
import { around, type OffsetStep } from './pricing';
import type { IntervalContext, OrderIntent, Tenant } from './types';

/** A seller's ladder: most energy a little below the reference, some a little above. */
export const STANDARD_OFFERS: readonly OffsetStep[] = [
  { share: 0.4, offset: -300 },
  { share: 0.3, offset: -100 },
  { share: 0.3, offset: 100 },
];

/** Share of its output a PV owner tries to park in the battery while the park is cheap. */
export const PV_STORAGE_SHARE = 0.2;

export interface PvSpec {
  key: string;
  name: string;
  description: string;
  /** Output per quarter-hour of the run (Wh). */
  outputWh: readonly number[];
}

/**
 * Rooftop PV: offers its whole output each interval (what does not sell is fed in at the
 * feed-in price). While the reference price is below the day's peak by more than the storage
 * losses, it also bids for battery capacity for a fifth of its output, at a quarter of that
 * spread (storing now and selling at the evening peak is worth the spread; it keeps the rest).
 */
export function pv(spec: PvSpec): Tenant {
  return {
    key: spec.key,
    name: spec.name,
    kind: 'pv',
    description: spec.description,
    orders({ index, prices }: IntervalContext): OrderIntent[] {
      const { electricity } = prices;
      const outputWh = spec.outputWh[index] ?? 0;
      const offers = ladder(
        'electricity',
        'SELL',
        outputWh,
        around(electricity.reference, STANDARD_OFFERS, electricity.askFloor, electricity.bidCap),
      );
      const spread = Math.floor(
        (electricity.dailyPeak * STORAGE_ROUND_TRIP - electricity.reference) / 4,
      );
      const storageWh = Math.floor(outputWh * PV_STORAGE_SHARE);
      const storage =
        spread > 0 ? ladder('storage', 'BUY', storageWh, [{ share: 1, priceTicks: spread }]) : [];
      return [...offers, ...storage];
    },
  };
}
