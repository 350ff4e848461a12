import { createHash } from 'node:crypto';
import { divideRoundHalfAwayFromZero, formatDecimal, parseDecimal, pow10 } from '../decimal';
import { InvariantViolation } from '../invariant';
import { MONEY_DECIMALS } from '../money';
import { QUANTITY_DECIMALS } from '../quantity';
import type { JournalHeader, JournalLine } from '../settlement';

/**
 * Imbalance settlement: what flowed (the meter) against what was traded (the position), settled
 * with the utility once a product-interval's metering window has closed.
 *
 * - position = bought − sold (interval fills and integrated-auction awards), Wh;
 * - imbalance = (metered import − metered export) − position, Wh: > 0 a shortfall (the participant
 *   took more than it bought: the utility supplied the rest), < 0 a surplus (it delivered more
 *   than it sold, or took less than it bought: the utility took the rest);
 * - a shortfall is bought from the utility at max(clearing price, import tariff), a surplus sold
 *   to it at min(clearing price, feed-in tariff); without a clearing price at the tariffs. Neither
 *   side can profit from deviating instead of trading: a shortfall never costs less than the
 *   market or the grid would have charged, a surplus never earns more than either would have paid;
 * - amount (to the participant, minor units) = −imbalance (kWh) × price, rounded to 0.01 with an
 *   exact half away from zero (as fills are);
 * - a participant without a reading is estimated: metered = position, imbalance 0, flagged.
 *
 * Revision 0 settles every participant with a position or a reading. A later revision (a late
 * reading or a correction) settles the participants whose line changed: a REVERSAL of the line in
 * force (imbalance and amount negated) and a NEW line. Prices are frozen at revision 0.
 */

export type ImbalanceLineKind = 'NEW' | 'REVERSAL';

/** The prices of one product-interval's settlement (decimal text, currency per kWh). */
export interface ImbalancePrices {
  /** The interval's clearing price; null when it did not clear with a price. */
  readonly clearingPrice: string | null;
  readonly importTariff: string;
  readonly feedInTariff: string;
  /** max(clearing price, import tariff). */
  readonly shortfallPrice: string;
  /** min(clearing price, feed-in tariff). */
  readonly surplusPrice: string;
}

/** One participant's traded and metered energy in the product-interval (Wh). */
export interface ImbalanceParty {
  readonly participantId: string;
  readonly boughtWh: bigint;
  readonly soldWh: bigint;
  /** Null (with `meteredExportWh`): no reading. */
  readonly meteredImportWh: bigint | null;
  readonly meteredExportWh: bigint | null;
}

export interface ImbalanceLine {
  /** 0-based position in its revision. */
  readonly line: number;
  readonly kind: ImbalanceLineKind;
  readonly participantId: string;
  /** bought − sold, Wh. */
  readonly positionWh: bigint;
  readonly meteredImportWh: bigint | null;
  readonly meteredExportWh: bigint | null;
  readonly estimated: boolean;
  readonly imbalanceWh: bigint;
  /** Decimal text, currency per kWh; `0` for a line without imbalance. */
  readonly price: string;
  /** To the participant: > 0 credit, < 0 debit (minor units). */
  readonly amountMinor: bigint;
}

export interface ImbalanceRevision {
  readonly lines: readonly ImbalanceLine[];
  /** Participants with a reading / estimated, among the lines in force after this revision. */
  readonly readings: number;
  readonly estimated: number;
  /** Shortfalls and surpluses (Wh, ≥ 0) of the lines in force after this revision. */
  readonly shortfallWh: bigint;
  readonly surplusWh: bigint;
  /** Paid by the participants to the utility in this revision, net (minor units). */
  readonly amountMinor: bigint;
}

export const IMBALANCE_FORMAT = 'parkex.imbalance.v1';

/** The prices of a settlement from the interval's clearing price and the product's tariffs. */
export function imbalancePrices(
  clearingPrice: string | null,
  importTariff: string,
  feedInTariff: string,
): ImbalancePrices {
  const clearing = clearingPrice === null ? null : canonical(clearingPrice, 'clearing price');
  const importText = canonical(importTariff, 'import tariff');
  const feedIn = canonical(feedInTariff, 'feed-in tariff');
  return {
    clearingPrice: clearing,
    importTariff: importText,
    feedInTariff: feedIn,
    shortfallPrice: clearing === null || compare(importText, clearing) >= 0 ? importText : clearing,
    surplusPrice: clearing === null || compare(feedIn, clearing) <= 0 ? feedIn : clearing,
  };
}

/** A participant's line (numbered and kinded by `settleImbalance`). */
export function imbalanceLine(
  party: ImbalanceParty,
  prices: ImbalancePrices,
): Omit<ImbalanceLine, 'line' | 'kind'> {
  if ((party.meteredImportWh === null) !== (party.meteredExportWh === null)) {
    throw new InvariantViolation(`participant ${party.participantId}: half a reading`);
  }
  const positionWh = party.boughtWh - party.soldWh;
  const estimated = party.meteredImportWh === null;
  const imbalanceWh = estimated ? 0n : party.meteredImportWh - party.meteredExportWh! - positionWh;
  const price =
    imbalanceWh > 0n ? prices.shortfallPrice : imbalanceWh < 0n ? prices.surplusPrice : '0';
  return {
    participantId: party.participantId,
    positionWh,
    meteredImportWh: party.meteredImportWh,
    meteredExportWh: party.meteredExportWh,
    estimated,
    imbalanceWh,
    price,
    amountMinor: -energyAmountMinor(imbalanceWh, price),
  };
}

/**
 * The next revision of a product-interval's settlement. `inForce`: per participant the line in
 * force from the earlier revisions (its last NEW line); empty for revision 0, which settles every
 * party. A later revision settles only the parties whose line differs from the one in force; it
 * has no lines when nothing changed.
 */
export function settleImbalance(
  parties: readonly ImbalanceParty[],
  prices: ImbalancePrices,
  inForce: ReadonlyMap<string, ImbalanceLine>,
): ImbalanceRevision {
  const sorted = [...parties].sort((a, b) => compareText(a.participantId, b.participantId));
  const lines: ImbalanceLine[] = [];
  const current = new Map(inForce);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].participantId === sorted[i - 1].participantId) {
      throw new InvariantViolation(`participant ${sorted[i].participantId} is listed twice`);
    }
  }
  for (const party of sorted) {
    const next = imbalanceLine(party, prices);
    const previous = inForce.get(party.participantId);
    if (previous && sameLine(previous, next)) continue;
    if (previous) {
      lines.push({
        ...previous,
        line: lines.length,
        kind: 'REVERSAL',
        imbalanceWh: -previous.imbalanceWh,
        amountMinor: -previous.amountMinor,
      });
    }
    const line: ImbalanceLine = { ...next, line: lines.length, kind: 'NEW' };
    lines.push(line);
    current.set(party.participantId, line);
  }
  let readings = 0;
  let shortfallWh = 0n;
  let surplusWh = 0n;
  for (const line of current.values()) {
    if (!line.estimated) readings += 1;
    if (line.imbalanceWh > 0n) shortfallWh += line.imbalanceWh;
    else surplusWh -= line.imbalanceWh;
  }
  return {
    lines,
    readings,
    estimated: current.size - readings,
    shortfallWh,
    surplusWh,
    amountMinor: -lines.reduce((sum, line) => sum + line.amountMinor, 0n),
  };
}

/** The lines in force after a sequence of revisions' lines (each participant's last NEW line). */
export function linesInForce(lines: Iterable<ImbalanceLine>): Map<string, ImbalanceLine> {
  const inForce = new Map<string, ImbalanceLine>();
  for (const line of lines) if (line.kind === 'NEW') inForce.set(line.participantId, line);
  return inForce;
}

/**
 * SHA-256 of a revision's inputs: the interval, revision, prices, the parties (position and
 * readings: what the stored lines in force after the revision show) and the lines in force before.
 */
export function hashImbalanceInput(
  productCode: string,
  /** ISO-8601 UTC. */
  deliveryStart: string,
  revision: number,
  prices: ImbalancePrices,
  parties: readonly ImbalanceParty[],
  inForce: ReadonlyMap<string, ImbalanceLine>,
): string {
  const hash = createHash('sha256');
  hash.update(
    `${IMBALANCE_FORMAT}|input|${productCode}|${deliveryStart}|${revision}|` +
      `${prices.clearingPrice ?? ''}|${prices.importTariff}|${prices.feedInTariff}|` +
      `${prices.shortfallPrice}|${prices.surplusPrice}\n`,
  );
  const sorted = [...parties].sort((a, b) => compareText(a.participantId, b.participantId));
  for (const p of sorted) {
    hash.update(
      `party|${p.participantId}|${p.boughtWh - p.soldWh}|${p.meteredImportWh ?? ''}|${p.meteredExportWh ?? ''}\n`,
    );
  }
  const held = [...inForce.values()].sort((a, b) => compareText(a.participantId, b.participantId));
  for (const line of held) hash.update(`in-force|${lineText(line)}\n`);
  return hash.digest('hex');
}

/** SHA-256 of a revision's lines and totals. */
export function hashImbalanceResult(revision: ImbalanceRevision): string {
  const hash = createHash('sha256');
  hash.update(
    `${IMBALANCE_FORMAT}|result|${revision.readings}|${revision.estimated}|` +
      `${revision.shortfallWh}|${revision.surplusWh}|${revision.amountMinor}|${revision.lines.length}\n`,
  );
  for (const line of revision.lines) hash.update(`${lineText(line)}\n`);
  return hash.digest('hex');
}

/** The journal header of an imbalance revision: `imbalance <PRODUCT> r<revision>`. */
export function imbalanceJournalHeader(
  productCode: string,
  /** ISO-8601 UTC. */
  deliveryStart: string,
  revision: number,
  inputHash: string,
  resultHash: string,
): JournalHeader {
  return {
    productCode: `imbalance ${productCode} r${revision}`,
    deliveryStart,
    inputHash,
    resultHash,
  };
}

/**
 * The ledger entries of a revision: per line with energy or money, the participant's entry
 * (energy = imbalance: received from the utility > 0, delivered to it < 0; the line's amount) and
 * the utility's opposite one; `fillSeq` is the imbalance line. Sums to zero by construction.
 */
export function imbalanceJournalLines(
  lines: readonly ImbalanceLine[],
  accounts: ReadonlyMap<string, string>,
  utilityAccountId: string,
): JournalLine[] {
  const entries: JournalLine[] = [];
  for (const line of lines) {
    if (line.imbalanceWh === 0n && line.amountMinor === 0n) continue;
    const accountId = accounts.get(line.participantId);
    if (accountId === undefined) {
      throw new InvariantViolation(`participant ${line.participantId} has no ledger account`);
    }
    for (const [account, sign] of [
      [accountId, 1n],
      [utilityAccountId, -1n],
    ] as const) {
      entries.push({
        line: entries.length,
        accountId: account,
        kind: 'IMBALANCE',
        fillSeq: line.line,
        energyWh: sign * line.imbalanceWh,
        amountMinor: sign * line.amountMinor,
      });
    }
  }
  return entries;
}

/** round(energyWh / 1000 × price × 100), half away from zero: minor units of an energy amount. */
export function energyAmountMinor(energyWh: bigint, price: string): bigint {
  const parsed = parseDecimal(price, { what: 'price' });
  if (!parsed.ok) throw new InvariantViolation(`invalid price: ${parsed.rejection.message}`);
  return divideRoundHalfAwayFromZero(
    energyWh * parsed.value.coefficient * pow10(MONEY_DECIMALS),
    pow10(QUANTITY_DECIMALS + parsed.value.scale),
  );
}

function sameLine(
  a: Omit<ImbalanceLine, 'line' | 'kind'>,
  b: Omit<ImbalanceLine, 'line' | 'kind'>,
) {
  return (
    a.positionWh === b.positionWh &&
    a.meteredImportWh === b.meteredImportWh &&
    a.meteredExportWh === b.meteredExportWh &&
    a.imbalanceWh === b.imbalanceWh &&
    a.amountMinor === b.amountMinor &&
    compare(a.price, b.price) === 0
  );
}

function lineText(l: ImbalanceLine): string {
  return (
    `${l.line}|${l.kind}|${l.participantId}|${l.positionWh}|${l.meteredImportWh ?? ''}|` +
    `${l.meteredExportWh ?? ''}|${l.estimated}|${l.imbalanceWh}|${canonical(l.price, 'price')}|${l.amountMinor}`
  );
}

function canonical(text: string, what: string): string {
  const parsed = parseDecimal(text, { what });
  if (!parsed.ok) throw new InvariantViolation(`invalid ${what}: ${parsed.rejection.message}`);
  return formatDecimal(parsed.value);
}

/** Exact comparison of two decimal texts. */
function compare(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x.ok || !y.ok) throw new InvariantViolation(`cannot compare ${a} and ${b}`);
  const scale = Math.max(x.value.scale, y.value.scale);
  const l = x.value.coefficient * pow10(scale - x.value.scale);
  const r = y.value.coefficient * pow10(scale - y.value.scale);
  return l < r ? -1 : l > r ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
