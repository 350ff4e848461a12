import type { OrderIntent, ProductKey, Side } from './types';

export interface Step {
  /** Share of the quantity, > 0; the shares of a ladder are normalised. */
  share: number;
  priceTicks: number;
}

/**
 * Splits an integer quantity (Wh) over price steps: each step gets floor(total × share), the
 * remainder goes to the first steps one Wh at a time, so the parts add up exactly. Steps that
 * end up at the same price are merged; empty parts are dropped. Block names are
 * `<prefix><n>` in step order.
 */
export function ladder(
  product: ProductKey,
  side: Side,
  totalWh: number,
  steps: readonly Step[],
  prefix = side === 'BUY' ? 'b' : 's',
): OrderIntent[] {
  if (!Number.isSafeInteger(totalWh) || totalWh < 0) {
    throw new Error(`quantity must be a non-negative integer Wh, got ${totalWh}`);
  }
  if (totalWh === 0 || steps.length === 0) return [];
  const merged: Step[] = [];
  for (const step of steps) {
    if (!(step.share > 0)) continue;
    if (!Number.isSafeInteger(step.priceTicks)) {
      throw new Error(`price must be integer ticks, got ${step.priceTicks}`);
    }
    const same = merged.find((m) => m.priceTicks === step.priceTicks);
    if (same) same.share += step.share;
    else merged.push({ ...step });
  }
  const shareSum = merged.reduce((sum, step) => sum + step.share, 0);
  const parts = merged.map((step) => Math.floor((totalWh * step.share) / shareSum));
  let rest = totalWh - parts.reduce((sum, part) => sum + part, 0);
  for (let i = 0; rest > 0; i = (i + 1) % parts.length, rest--) parts[i] += 1;
  const intents: OrderIntent[] = [];
  merged.forEach((step, i) => {
    if (parts[i] > 0) {
      intents.push({
        product,
        side,
        priceTicks: step.priceTicks,
        quantityWh: parts[i],
        block: `${prefix}${i + 1}`,
      });
    }
  });
  return intents;
}
