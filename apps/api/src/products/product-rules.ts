import type { ProductSettings } from '@parkex/db';
import { validatePriceGrid } from '@parkex/market';

export interface Problem {
  field: keyof ProductSettings;
  message: string;
}

const MAX_DECIMALS = 8;

/** The cross-field rules of a product's settings; each problem names its field. */
export function checkProductSettings(s: ProductSettings): Problem[] {
  const problems: Problem[] = [];
  const fail = (field: keyof ProductSettings, message: string) => problems.push({ field, message });

  const tick = scaled(s.priceTick);
  const min = scaled(s.minPrice);
  const max = scaled(s.maxPrice);
  const k = scaled(s.k);
  const fee = scaled(s.networkFee);
  for (const [field, value] of [
    ['priceTick', tick],
    ['minPrice', min],
    ['maxPrice', max],
    ['k', k],
    ['networkFee', fee],
  ] as const) {
    if (value === undefined) fail(field, `${field} may have at most ${MAX_DECIMALS} decimals`);
  }
  if (tick !== undefined && tick <= 0n) fail('priceTick', 'priceTick must be greater than 0');
  if (min !== undefined && max !== undefined && min >= max) {
    fail('minPrice', `minPrice ${s.minPrice} must be below maxPrice ${s.maxPrice}`);
  }
  if (tick !== undefined && tick > 0n) {
    if (min !== undefined && min % tick !== 0n) {
      fail('minPrice', `minPrice ${s.minPrice} is not a multiple of the tick ${s.priceTick}`);
    }
    if (max !== undefined && max % tick !== 0n) {
      fail('maxPrice', `maxPrice ${s.maxPrice} is not a multiple of the tick ${s.priceTick}`);
    }
  }
  if (!problems.length) {
    // What the clearing itself requires of a grid (e.g. every price a safe number of ticks).
    const grid = validatePriceGrid({
      priceTick: s.priceTick,
      minPrice: s.minPrice,
      maxPrice: s.maxPrice,
    });
    if (!grid.ok) fail('priceTick', grid.rejection.message);
  }
  if (k !== undefined && (k < 0n || k > ONE)) fail('k', `k must lie in [0, 1], got ${s.k}`);
  if (fee !== undefined && fee < 0n) fail('networkFee', 'networkFee must not be negative');
  if (s.horizonSeconds < s.intervalSeconds) {
    fail('horizonSeconds', 'horizonSeconds must be at least one interval (intervalSeconds)');
  }
  if (s.gateClosureSeconds > s.horizonSeconds) {
    fail('gateClosureSeconds', 'gateClosureSeconds must not exceed horizonSeconds');
  }
  return problems;
}

const ONE = 10n ** BigInt(MAX_DECIMALS);

/** A decimal string as an integer count of 10^-8; undefined when it has more decimals. */
function scaled(text: string): bigint | undefined {
  const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
  if (fraction.length > MAX_DECIMALS) return undefined;
  const magnitude = BigInt(whole) * ONE + BigInt(fraction.padEnd(MAX_DECIMALS, '0'));
  return text.startsWith('-') ? -magnitude : magnitude;
}
