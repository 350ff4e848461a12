import type { OrderIntent, ProductKey, Side } from '../tenants/types';

/**
 * Intraday after day-ahead: a tenant's orders of one quarter-hour less what its day-ahead steps
 * and blocks already bought (BUY) or sold (SELL). The cheapest bids (the dearest asks) go first,
 * so what is left is the part the tenant needs most; quantities stay integer Wh. What the
 * day-ahead awards exceed the need by (the forecast was too high) is offered back: bought
 * energy sold at `resellTicks`, sold energy bought back at `buyBackTicks`.
 */
export function afterDayAhead(
  intents: readonly OrderIntent[],
  awardedWh: (product: ProductKey, side: Side) => number,
  resellTicks: (product: ProductKey) => number,
  buyBackTicks: (product: ProductKey) => number,
): OrderIntent[] {
  const left = new Map<string, number>();
  const keyOf = (i: OrderIntent) => `${i.product}|${i.side}`;
  for (const intent of intents) {
    if (!left.has(keyOf(intent))) {
      left.set(keyOf(intent), Math.max(0, awardedWh(intent.product, intent.side)));
    }
  }
  const order = intents
    .map((intent, position) => ({ intent, position }))
    .sort((a, b) =>
      a.intent.side === 'BUY'
        ? a.intent.priceTicks - b.intent.priceTicks
        : b.intent.priceTicks - a.intent.priceTicks,
    );
  const quantities = intents.map((i) => i.quantityWh);
  for (const { intent, position } of order) {
    const k = keyOf(intent);
    const cut = Math.min(left.get(k)!, quantities[position]);
    quantities[position] -= cut;
    left.set(k, left.get(k)! - cut);
  }
  const corrections: OrderIntent[] = [];
  for (const [k, wh] of left) {
    if (wh <= 0) continue;
    const [product, side] = k.split('|') as [ProductKey, Side];
    corrections.push({
      product,
      side: side === 'BUY' ? 'SELL' : 'BUY',
      priceTicks: side === 'BUY' ? resellTicks(product) : buyBackTicks(product),
      quantityWh: wh,
      block: side === 'BUY' ? 'ds' : 'db',
    });
  }
  return [
    ...intents
      .map((intent, position) => ({ ...intent, quantityWh: quantities[position] }))
      .filter((intent) => intent.quantityWh > 0),
    ...corrections,
  ];
}
