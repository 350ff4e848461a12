import { formatScaled, parseScaled } from './decimal';
import { toBigInt, type IntegerLike } from './integers';
import { ok, reject, type Result } from './result';

/** Decimal places of a quantity in kWh: the integer unit is 1 Wh = 0.001 kWh. */
export const QUANTITY_DECIMALS = 3;
/** Largest quantity of one order: 10^12 Wh = 1 TWh (= 1000000000 kWh). */
export const MAX_QUANTITY_WH = 1_000_000_000_000n;

const WH_PER_KWH_SCALE = QUANTITY_DECIMALS;

/**
 * Parses a quantity in kWh (decimal string, at most 3 significant decimals) into
 * integer Wh: `"1.5"` → `1500n`, `"0.001"` → `1n`, `"2.5000"` → `2500n`.
 * Rejects `INVALID_DECIMAL`, `TOO_MANY_DECIMALS` (`"0.0005"`), `QUANTITY_NOT_POSITIVE`
 * (zero or negative) and `QUANTITY_TOO_LARGE` (above `maxWh`, by default `MAX_QUANTITY_WH`).
 */
export function parseQuantity(text: string, maxWh: bigint = MAX_QUANTITY_WH): Result<bigint> {
  const parsed = parseScaled(text, WH_PER_KWH_SCALE, { what: 'quantity', unit: 'kWh' });
  if (!parsed.ok) {
    if (parsed.rejection.code === 'TOO_MANY_DECIMALS') {
      return reject(
        'TOO_MANY_DECIMALS',
        `quantity ${text} kWh has more than ${QUANTITY_DECIMALS} decimal places (the smallest unit is 1 Wh = 0.001 kWh)`,
      );
    }
    return parsed;
  }
  const wh = parsed.value;
  if (wh <= 0n) {
    return reject('QUANTITY_NOT_POSITIVE', `quantity must be more than 0 kWh, got ${text}`);
  }
  if (wh > maxWh) {
    return reject(
      'QUANTITY_TOO_LARGE',
      `quantity ${text} kWh is too large: the maximum is ${formatQuantity(maxWh)} kWh`,
    );
  }
  return ok(wh);
}

/**
 * Canonical kWh text of a quantity in Wh: `1500n` → `"1.5"`, `1n` → `"0.001"`,
 * `0n` → `"0"`.
 */
export function formatQuantity(quantityWh: IntegerLike): string {
  return formatScaled(toBigInt(quantityWh, 'quantityWh'), WH_PER_KWH_SCALE);
}
