import { roundScaled } from '../market/decimal';
import {
  FEED_IN_PRICE,
  GAS_BOILER_HEAT_PRICE,
  GRID_IMPORT_TARIFF,
  HEAT_DUMP_PRICE,
} from '../market/tariffs';
import type { ProductKey, Side } from '../tenants/types';

/**
 * The demo's end-of-run arithmetic, exact: energy in integer Wh, prices in ticks of 0.0001
 * EUR/kWh, so Wh × ticks counts units of 10^-7 EUR ("nano" here); money from the ledger comes
 * in cents. Everything becomes cents (half away from zero) only at the end.
 */

/** A tenant's physical need in one interval: what it would buy from / sell to the grid. */
export interface Need {
  tenant: string;
  product: ProductKey;
  side: Side;
  index: number;
  quantityWh: number;
}

/** A tenant's ledger statement for one product-interval (from `settlements`). */
export interface Statement {
  tenant: string;
  product: ProductKey;
  index: number;
  /** > 0 received, < 0 delivered. */
  netEnergyWh: bigint;
  /** Energy money and fees; > 0 received, < 0 paid. */
  netAmountCents: bigint;
  feesCents: bigint;
}

export interface ClearedInterval {
  product: ProductKey;
  index: number;
  /** Null when nothing traded. */
  priceTicks: number | null;
  volumeWh: bigint;
}

export interface ProductSummary {
  product: ProductKey;
  /** Intervals with any order of the run. */
  intervals: number;
  /** Of those, how many traded. */
  traded: number;
  tradedWh: bigint;
  /** Volume-weighted clearing price (ticks), null when nothing traded. */
  averagePriceTicks: number | null;
  minPriceTicks: number | null;
  maxPriceTicks: number | null;
  /** Demand of the product over the run (Wh), to show the share covered in the park. */
  demandWh: bigint;
}

export interface TenantSummary {
  key: string;
  name: string;
  boughtWh: bigint;
  soldWh: bigint;
  /** Electricity and heat: net cost with the grid and boilers only (< 0: net income), cents. */
  baselineCents: bigint;
  /** Electricity and heat: net cost with the park market and the grid for the rest, cents. */
  actualCents: bigint;
  savedCents: bigint;
  /**
   * Money for storage capacity (> 0 earned by the battery, < 0 paid by renters). Kept apart:
   * the demo trades the capacity but does not simulate what renters store in it.
   */
  storageRentCents: bigint;
}

export interface Summary {
  products: ProductSummary[];
  tenants: TenantSummary[];
  savedCents: bigint;
  baselineCents: bigint;
  actualCents: bigint;
  storageRentCents: bigint;
  /** Network fees the tenants paid to the utility (≥ 0), cents. */
  feesCents: bigint;
}

/** What a unit not traded in the park costs (BUY) or earns (SELL) outside it, ticks. */
export function outsidePrice(product: ProductKey, side: Side): number {
  switch (product) {
    case 'electricity':
      return side === 'BUY' ? GRID_IMPORT_TARIFF : FEED_IN_PRICE;
    case 'heat':
      return side === 'BUY' ? GAS_BOILER_HEAT_PRICE : HEAT_DUMP_PRICE;
    case 'storage':
      return 0;
  }
}

const NANO_PER_CENT = 100_000n;

export function summarize(input: {
  tenants: readonly { key: string; name: string }[];
  needs: readonly Need[];
  statements: readonly Statement[];
  clearings: readonly ClearedInterval[];
  products: readonly ProductKey[];
}): Summary {
  const key = (tenant: string, product: ProductKey, index: number) =>
    `${tenant}|${product}|${index}`;
  const received = new Map<string, bigint>();
  const money = new Map<string, bigint>();
  let feesCents = 0n;
  const rent = new Map<string, bigint>();
  for (const s of input.statements) {
    const k = key(s.tenant, s.product, s.index);
    received.set(k, (received.get(k) ?? 0n) + s.netEnergyWh);
    const account = s.product === 'storage' ? rent : money;
    account.set(s.tenant, (account.get(s.tenant) ?? 0n) + s.netAmountCents);
    feesCents += s.feesCents;
  }

  // A tenant's orders of one product, side and interval add up to its need there.
  const needs = new Map<string, Need>();
  for (const need of input.needs) {
    const k = `${key(need.tenant, need.product, need.index)}|${need.side}`;
    const same = needs.get(k);
    if (same) same.quantityWh += need.quantityWh;
    else needs.set(k, { ...need });
  }

  const tenants = input.tenants.map((tenant) => {
    let baseline = 0n;
    let actual = -(money.get(tenant.key) ?? 0n) * NANO_PER_CENT;
    let boughtWh = 0n;
    let soldWh = 0n;
    for (const need of needs.values()) {
      if (need.tenant !== tenant.key || need.product === 'storage') continue;
      const price = BigInt(outsidePrice(need.product, need.side));
      const quantity = BigInt(need.quantityWh);
      const net = received.get(key(need.tenant, need.product, need.index)) ?? 0n;
      const traded = need.side === 'BUY' ? max(0n, net) : max(0n, -net);
      const residual = max(0n, quantity - traded);
      const sign = need.side === 'BUY' ? 1n : -1n;
      baseline += sign * quantity * price;
      actual += sign * residual * price;
      if (need.side === 'BUY') boughtWh += traded;
      else soldWh += traded;
    }
    const baselineCents = roundScaled(baseline, 7, 2);
    const actualCents = roundScaled(actual, 7, 2);
    return {
      key: tenant.key,
      name: tenant.name,
      boughtWh,
      soldWh,
      baselineCents,
      actualCents,
      savedCents: baselineCents - actualCents,
      storageRentCents: rent.get(tenant.key) ?? 0n,
    };
  });

  const products = input.products.map((product) => {
    const indexes = new Set(input.needs.filter((n) => n.product === product).map((n) => n.index));
    const demandWh = input.needs
      .filter((n) => n.product === product && n.side === 'BUY')
      .reduce((sum, n) => sum + BigInt(n.quantityWh), 0n);
    const cleared = input.clearings.filter((c) => c.product === product && indexes.has(c.index));
    const trading = cleared.filter((c) => c.priceTicks !== null && c.volumeWh > 0n);
    const tradedWh = trading.reduce((sum, c) => sum + c.volumeWh, 0n);
    const weighted = trading.reduce((sum, c) => sum + c.volumeWh * BigInt(c.priceTicks!), 0n);
    const prices = trading.map((c) => c.priceTicks!);
    return {
      product,
      intervals: indexes.size,
      traded: trading.length,
      tradedWh,
      averagePriceTicks: tradedWh > 0n ? Number(divideRounded(weighted, tradedWh)) : null,
      minPriceTicks: prices.length ? Math.min(...prices) : null,
      maxPriceTicks: prices.length ? Math.max(...prices) : null,
      demandWh,
    };
  });

  const sum = (pick: (t: TenantSummary) => bigint) => tenants.reduce((s, t) => s + pick(t), 0n);
  return {
    products,
    tenants,
    baselineCents: sum((t) => t.baselineCents),
    actualCents: sum((t) => t.actualCents),
    savedCents: sum((t) => t.savedCents),
    storageRentCents: sum((t) => t.storageRentCents),
    feesCents: feesCents < 0n ? -feesCents : feesCents,
  };
}

/** a / b (b > 0) rounded to the nearest integer, an exact half away from zero. */
export function divideRounded(a: bigint, b: bigint): bigint {
  const negative = a < 0n;
  const magnitude = negative ? -a : a;
  let quotient = magnitude / b;
  if ((magnitude % b) * 2n >= b) quotient += 1n;
  return negative ? -quotient : quotient;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
