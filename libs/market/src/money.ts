import {
  divideRoundHalfAwayFromZero,
  formatFixed,
  formatScaled,
  gcd,
  parseDecimal,
  pow10,
} from './decimal';
import { InvariantViolation } from './invariant';
import { MAX_SAFE_BIGINT, toBigInt, type IntegerLike } from './integers';
import { compilePriceGrid, type CompiledPriceGrid, type PriceGrid } from './price-grid';
import { QUANTITY_DECIMALS } from './quantity';
import { ok, reject, type Result } from './result';

/** Money is integer minor units of the currency: 1 minor unit = 0.01. */
export const MONEY_DECIMALS = 2;

/**
 * Amount of a fill in minor units: quantity (kWh) × price (currency/kWh), rounded to
 * 0.01 with an exact half away from zero (also for negative prices).
 * Tick `0.0001`: 1500 Wh at 4215 ticks = 1.5 kWh × 0.4215 = 0.63225 → `63n` (0.63);
 * 1000 Wh at 125 ticks = 0.0125 → `1n`; at -125 ticks → `-1n`.
 * The buyer is debited and the seller credited this same amount.
 */
export function fillAmountMinor(
  quantityWh: IntegerLike,
  priceTicks: IntegerLike,
  grid: PriceGrid,
): bigint {
  const rule = amountRule(compilePriceGrid(grid));
  const q = toBigInt(quantityWh, 'quantityWh');
  const p = toBigInt(priceTicks, 'priceTicks');
  return divideRoundHalfAwayFromZero(q * p * rule.numerator, rule.denominator);
}

/** `"12.34"`, `"-0.05"`, `"0.00"`: always two decimals. */
export function formatMoney(amountMinor: IntegerLike): string {
  return formatFixed(toBigInt(amountMinor, 'amountMinor'), MONEY_DECIMALS);
}

/**
 * Checks an operator-supplied network fee (decimal string, currency per kWh, not
 * negative, at most 18 decimals) and returns its canonical text (`"0.0100"` → `"0.01"`).
 */
export function parseFeePerKwh(text: string): Result<string> {
  const parsed = parseDecimal(text, { what: 'network fee' });
  if (!parsed.ok) return parsed;
  if (parsed.value.coefficient < 0n) {
    return reject('FEE_NEGATIVE', `network fee must not be negative, got ${text}`);
  }
  return ok(formatScaled(parsed.value.coefficient, parsed.value.scale));
}

/**
 * Network fee in minor units for a quantity: quantity (kWh) × fee (currency/kWh),
 * rounded like `fillAmountMinor`. 1500 Wh at `"0.0125"` = 0.01875 → `2n`.
 * Throws `InvariantViolation` for a fee that is not a decimal (validate it with
 * `parseFeePerKwh` when the product is configured).
 */
export function networkFeeMinor(quantityWh: IntegerLike, feePerKwh: string): bigint {
  const fee = parseDecimal(feePerKwh, { what: 'network fee' });
  if (!fee.ok) throw new InvariantViolation(`invalid network fee: ${fee.rejection.message}`);
  const q = toBigInt(quantityWh, 'quantityWh');
  return divideRoundHalfAwayFromZero(
    q * fee.value.coefficient * pow10(MONEY_DECIMALS),
    pow10(QUANTITY_DECIMALS + fee.value.scale),
  );
}

/**
 * `amountMinor = round(quantityWh × priceTicks × numerator / denominator)`:
 * Wh → kWh is /10^3, ticks → currency is × tickUnits / 10^scale, currency → minor is × 10^2.
 * Reduced by their gcd so the common case stays small (tick 0.0001 → 1 / 100000).
 */
export interface AmountRule {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export function amountRule(grid: CompiledPriceGrid): AmountRule {
  const numerator = grid.tickUnits * pow10(MONEY_DECIMALS);
  const denominator = pow10(QUANTITY_DECIMALS + grid.scale);
  const divisor = gcd(numerator, denominator);
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

/** Below 2^52 the number path's intermediates (product, quotient × denominator) stay exact. */
const NUMBER_PATH_LIMIT = 2 ** 52;

/**
 * The rule as numbers for the clearing's hot loop, or `null` when its terms are too large
 * for the exact number path (then use `amountMinorOf` with `numerator = 0`).
 */
export function numericAmountRule(
  rule: AmountRule,
): { readonly numerator: number; readonly denominator: number } | null {
  const limit = BigInt(NUMBER_PATH_LIMIT);
  if (rule.numerator > limit || rule.denominator > limit) return null;
  return { numerator: Number(rule.numerator), denominator: Number(rule.denominator) };
}

/**
 * `fillAmountMinor` on safe-integer numbers without allocating: exact integer division
 * on doubles while every intermediate stays below 2^52 (the normal case), bigint
 * otherwise. `numerator`/`denominator` come from `numericAmountRule(rule)`; pass
 * `numerator = 0` to force the bigint path. Throws if the amount exceeds 2^53.
 */
export function amountMinorOf(
  quantityWh: number,
  priceTicks: number,
  numerator: number,
  denominator: number,
  rule: AmountRule,
): number {
  const negative = priceTicks < 0;
  const product = quantityWh * (negative ? -priceTicks : priceTicks) * numerator;
  if (numerator !== 0 && product <= NUMBER_PATH_LIMIT) {
    // The float quotient is off by at most one; product, quotient × denominator and the
    // remainder are exact integers below 2^53, so the correction makes it exact.
    let quotient = Math.floor(product / denominator);
    let remainder = product - quotient * denominator;
    if (remainder < 0) {
      quotient -= 1;
      remainder += denominator;
    } else if (remainder >= denominator) {
      quotient += 1;
      remainder -= denominator;
    }
    if (2 * remainder >= denominator) quotient += 1;
    return negative && quotient !== 0 ? -quotient : quotient;
  }
  return bigAmountMinor(quantityWh, priceTicks, rule);
}

function bigAmountMinor(quantityWh: number, priceTicks: number, rule: AmountRule): number {
  const exact = divideRoundHalfAwayFromZero(
    BigInt(quantityWh) * BigInt(priceTicks) * rule.numerator,
    rule.denominator,
  );
  if (exact > MAX_SAFE_BIGINT || exact < -MAX_SAFE_BIGINT) {
    throw new InvariantViolation(`fill amount ${exact} minor units exceeds 2^53`);
  }
  return Number(exact);
}
