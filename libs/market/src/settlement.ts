import { createHash } from 'node:crypto';
import { InvariantViolation } from './invariant';
import { networkFeeMinor } from './money';

/**
 * Settlement arithmetic: the journal lines of one clearing and the hash chain of journals.
 *
 * Per fill the buyer's account is debited (amount < 0, energy > 0: it receives energy) and
 * the seller's credited with the same amount (energy < 0). The network fee (currency per
 * kWh, paid by buyers) is charged per buyer on its total bought quantity of the clearing,
 * rounded once (half away from zero), and credited to the utility in one line. Every
 * journal therefore sums to exactly zero, and so does the whole ledger.
 */
export type EntryKind = 'ENERGY' | 'NETWORK_FEE' | 'IMBALANCE';

export interface SettlementFill {
  /** Position of the fill in walk order (0-based), as stored. */
  readonly seq: number;
  readonly buyerAccountId: string;
  readonly sellerAccountId: string;
  readonly quantityWh: bigint;
  readonly amountMinor: bigint;
}

export interface JournalLine {
  /** 0-based position in the journal. */
  readonly line: number;
  readonly accountId: string;
  readonly kind: EntryKind;
  readonly fillSeq: number | null;
  /** Energy received (> 0) or delivered (< 0), Wh; 0 for fees. */
  readonly energyWh: bigint;
  /** Credit (> 0) or debit (< 0), minor units. */
  readonly amountMinor: bigint;
}

export interface JournalHeader {
  readonly productCode: string;
  /** ISO-8601 UTC, e.g. `2026-11-27T10:15:00.000Z`. */
  readonly deliveryStart: string;
  /** SHA-256 of the clearing's frozen book and terms (`hashBook`); hashed from version 2 on. */
  readonly inputHash: string;
  /** SHA-256 of the clearing's result (`hashBookClearing`); hashed from version 2 on. */
  readonly resultHash: string;
}

/** `prevHash` of the first journal. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Journal hash versions: 1 covered the predecessor, the interval and the lines; 2 also covers the
 * clearing's input and result hashes, so a journal vouches for the clearing it settles. New
 * journals are version 2; version 1 stays for the journals written before it.
 */
export type JournalHashVersion = 1 | 2;
export const JOURNAL_HASH_VERSION: JournalHashVersion = 2;
export const JOURNAL_FORMATS: Readonly<Record<JournalHashVersion, string>> = {
  1: 'parkex.journal.v1',
  2: 'parkex.journal.v2',
};

/** True for a version `journalHash` knows (a stored one may be anything). */
export function isJournalHashVersion(version: number): version is JournalHashVersion {
  return version === 1 || version === 2;
}

/** The lines of a clearing's journal: two per fill, then fee debits per buyer and the utility's credit. */
export function journalLines(
  fills: readonly SettlementFill[],
  utilityAccountId: string,
  networkFeePerKwh: string,
): JournalLine[] {
  const lines: JournalLine[] = [];
  const boughtWh = new Map<string, bigint>();
  for (const fill of fills) {
    if (fill.quantityWh <= 0n) throw new InvariantViolation(`fill ${fill.seq} has no quantity`);
    lines.push({
      line: lines.length,
      accountId: fill.buyerAccountId,
      kind: 'ENERGY',
      fillSeq: fill.seq,
      energyWh: fill.quantityWh,
      amountMinor: -fill.amountMinor,
    });
    lines.push({
      line: lines.length,
      accountId: fill.sellerAccountId,
      kind: 'ENERGY',
      fillSeq: fill.seq,
      energyWh: -fill.quantityWh,
      amountMinor: fill.amountMinor,
    });
    boughtWh.set(fill.buyerAccountId, (boughtWh.get(fill.buyerAccountId) ?? 0n) + fill.quantityWh);
  }
  let feeTotal = 0n;
  for (const accountId of [...boughtWh.keys()].sort()) {
    const fee = networkFeeMinor(boughtWh.get(accountId)!, networkFeePerKwh);
    if (fee === 0n) continue;
    feeTotal += fee;
    lines.push({
      line: lines.length,
      accountId,
      kind: 'NETWORK_FEE',
      fillSeq: null,
      energyWh: 0n,
      amountMinor: -fee,
    });
  }
  if (feeTotal !== 0n) {
    lines.push({
      line: lines.length,
      accountId: utilityAccountId,
      kind: 'NETWORK_FEE',
      fillSeq: null,
      energyWh: 0n,
      amountMinor: feeTotal,
    });
  }
  return lines;
}

/** Sum of the debits (as a positive number); equals the sum of the credits. */
export function journalDebitMinor(lines: readonly JournalLine[]): bigint {
  let debit = 0n;
  let balance = 0n;
  for (const line of lines) {
    balance += line.amountMinor;
    if (line.amountMinor < 0n) debit -= line.amountMinor;
  }
  if (balance !== 0n) throw new InvariantViolation(`journal does not balance: ${balance}`);
  return debit;
}

/** The network fees a journal books: the sum of its positive NETWORK_FEE lines (the utility's credit). */
export function journalFeeMinor(lines: readonly JournalLine[]): bigint {
  return lines
    .filter((line) => line.kind === 'NETWORK_FEE' && line.amountMinor > 0n)
    .reduce((sum, line) => sum + line.amountMinor, 0n);
}

/**
 * SHA-256 (hex) linking a journal to its predecessor: over `prevHash`, the header (version 2: with
 * the clearing's input and result hashes) and every line in order, one `|`-separated text line
 * each. Recomputing it from stored rows verifies that no journal or line was changed, added or
 * removed, and (version 2) that the journal settles the stored clearing.
 */
export function journalHash(
  version: JournalHashVersion,
  prevHash: string,
  header: JournalHeader,
  lines: readonly JournalLine[],
): string {
  const hash = createHash('sha256');
  const clearing = version === 1 ? '' : `${header.inputHash}|${header.resultHash}|`;
  hash.update(
    `${JOURNAL_FORMATS[version]}|${prevHash}|${header.productCode}|${header.deliveryStart}|${clearing}${lines.length}\n`,
  );
  let chunk = '';
  for (const line of lines) {
    chunk += `${line.line}|${line.accountId}|${line.kind}|${line.fillSeq ?? ''}|${line.energyWh}|${line.amountMinor}\n`;
    if (chunk.length > 65_536) {
      hash.update(chunk);
      chunk = '';
    }
  }
  hash.update(chunk);
  return hash.digest('hex');
}
