import { clamp } from '../market/reference-price';
import type { Step } from './ladder';

/** A price step relative to a reference price (ticks). */
export interface OffsetStep {
  share: number;
  offset: number;
}

/** Steps at reference + offset, each kept within [floor, cap]. */
export function around(
  reference: number,
  steps: readonly OffsetStep[],
  floor: number,
  cap: number,
): Step[] {
  return steps.map((step) => ({
    share: step.share,
    priceTicks: clamp(reference + step.offset, floor, cap),
  }));
}
