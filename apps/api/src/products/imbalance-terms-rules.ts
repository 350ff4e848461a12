import type { ImbalanceTerms } from '@parkex/db';
import { formatScaled, parseScaled } from '@parkex/market';
import type { ImbalanceTermsInput } from './dto/imbalance-terms.input';

/** Longest metering window: 31 days (the database's bound). */
export const MAX_METERING_WINDOW_SECONDS = 2_678_400;
/** Longest correction window: 366 days (the database's bound). */
export const MAX_CORRECTION_WINDOW_SECONDS = 31_622_400;
/** Decimals of a tariff (as of a product's prices). */
const TARIFF_DECIMALS = 8;
/** Largest tariff, either sign: 1,000,000 currency per kWh. */
const MAX_TARIFF = 1_000_000n * 10n ** BigInt(TARIFF_DECIMALS);

export interface TermsProblem {
  field: keyof ImbalanceTermsInput;
  message: string;
}

/**
 * The rules of a product's imbalance terms; each problem names its field. Returns the terms as
 * stored (tariffs as canonical decimal text) when there is none. The auction series' existence is
 * checked by the repository.
 */
export function checkImbalanceTerms(input: ImbalanceTermsInput): {
  problems: TermsProblem[];
  terms: ImbalanceTerms;
} {
  const problems: TermsProblem[] = [];
  const fail = (field: keyof ImbalanceTermsInput, message: string) =>
    problems.push({ field, message });
  const metering = input.meteringWindowSeconds;
  const correction = input.correctionWindowSeconds;
  if (!Number.isInteger(metering) || metering < 0 || metering > MAX_METERING_WINDOW_SECONDS) {
    fail(
      'meteringWindowSeconds',
      `meteringWindowSeconds must be 0 to ${MAX_METERING_WINDOW_SECONDS} (31 days), got ${metering}`,
    );
  }
  if (
    !Number.isInteger(correction) ||
    correction < 0 ||
    correction > MAX_CORRECTION_WINDOW_SECONDS
  ) {
    fail(
      'correctionWindowSeconds',
      `correctionWindowSeconds must be 0 to ${MAX_CORRECTION_WINDOW_SECONDS} (366 days), got ${correction}`,
    );
  } else if (correction < metering) {
    fail(
      'correctionWindowSeconds',
      `correctionWindowSeconds ${correction} must not be shorter than meteringWindowSeconds ${metering}: corrections are accepted at least until the interval is settled`,
    );
  }
  const tariff = (field: 'importTariff' | 'feedInTariff'): bigint | null => {
    const text = input[field];
    if (text === null || text === undefined) return null;
    const parsed = parseScaled(text, TARIFF_DECIMALS, { what: field });
    if (!parsed.ok) {
      fail(
        field,
        `${field} must be a decimal with at most ${TARIFF_DECIMALS} decimals, got ${text}`,
      );
      return null;
    }
    if (parsed.value > MAX_TARIFF || parsed.value < -MAX_TARIFF) {
      fail(field, `${field} must be between -1000000 and 1000000 per kWh, got ${text}`);
      return null;
    }
    return parsed.value;
  };
  const importGiven = input.importTariff !== null && input.importTariff !== undefined;
  const feedInGiven = input.feedInTariff !== null && input.feedInTariff !== undefined;
  if (importGiven !== feedInGiven) {
    fail(
      importGiven ? 'feedInTariff' : 'importTariff',
      'importTariff and feedInTariff go together: give both (the product is imbalance-settled) or neither (it is not)',
    );
  }
  const importTariff = tariff('importTariff');
  const feedInTariff = tariff('feedInTariff');
  if (importTariff !== null && feedInTariff !== null && feedInTariff > importTariff) {
    fail(
      'feedInTariff',
      `feedInTariff ${input.feedInTariff} must not be above importTariff ${input.importTariff}`,
    );
  }
  const series = input.auctionSeries ?? null;
  return {
    problems,
    terms: {
      meteringWindowSeconds: metering,
      correctionWindowSeconds: correction,
      importTariff: importTariff === null ? null : formatScaled(importTariff, TARIFF_DECIMALS),
      feedInTariff: feedInTariff === null ? null : formatScaled(feedInTariff, TARIFF_DECIMALS),
      auctionSeries: series,
    },
  };
}
