import type { ProductSettings } from '@parkex/db';
import {
  BOOK_SIDE_LIMIT_WH,
  formatQuantity,
  parseQuantity,
  parseScaled,
  validatePriceGrid,
} from '@parkex/market';

/** A product's settings as the operator sends them: `maxParticipantQuantity` in kWh, optional. */
export type ProductSettingsInput = Omit<ProductSettings, 'maxParticipantQuantityWh'> & {
  maxParticipantQuantity?: string | null;
};

export interface Problem {
  field: keyof ProductSettingsInput;
  message: string;
}

const MAX_DECIMALS = 8;

/**
 * The rules of a product's settings; each problem names its field. Returns the settings in
 * exact units (`maxParticipantQuantityWh`) when there is no problem.
 */
export function checkProductSettings(s: ProductSettingsInput): {
  problems: Problem[];
  settings: ProductSettings;
} {
  const { maxParticipantQuantity, ...rest } = s;
  const settings: ProductSettings = { ...rest };
  const problems = checkGridAndTimes(s);
  if (maxParticipantQuantity !== null && maxParticipantQuantity !== undefined) {
    // Up to the bound of a whole interval-side (10^15 Wh); more could never be used.
    const parsed = parseQuantity(maxParticipantQuantity, BOOK_SIDE_LIMIT_WH);
    if (parsed.ok) settings.maxParticipantQuantityWh = parsed.value.toString();
    else {
      problems.push({
        field: 'maxParticipantQuantity',
        message: `maxParticipantQuantity must be a quantity in kWh with at most 3 decimals, more than 0 and at most ${formatQuantity(BOOK_SIDE_LIMIT_WH)} kWh (the bound of one interval and side), got ${maxParticipantQuantity}`,
      });
    }
  }
  return { problems, settings };
}

/** The cross-field rules of the price grid, k, fee and times. */
function checkGridAndTimes(s: ProductSettingsInput): Problem[] {
  const problems: Problem[] = [];
  const fail = (field: keyof ProductSettingsInput, message: string) =>
    problems.push({ field, message });

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

/** A decimal string as an integer count of 10^-8; undefined when it is finer (or no decimal). */
function scaled(text: string): bigint | undefined {
  const read = parseScaled(text, MAX_DECIMALS);
  return read.ok ? read.value : undefined;
}
