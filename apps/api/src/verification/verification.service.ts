import { Injectable } from '@nestjs/common';
import {
  ClearingRepository,
  LedgerRepository,
  SettlementRepository,
  type FillRow,
  type FrozenBookRows,
  type JournalChainCheck,
  type OrderResultRow,
  type StoredSettlement,
} from '@parkex/db';
import {
  canonicalDecimal,
  fillState,
  formatPrice,
  isJournalHashVersion,
  formatQuantity,
  journalDebitMinor,
  journalFeeMinor,
  journalHash,
  journalLines,
  replayClearing,
  type JournalLine,
  type Replay,
} from '@parkex/market';
import { badInput, notFound } from '../common/app-error';

export interface ClearingCheck {
  ok: boolean;
  inputHash: string;
  resultHash: string;
  /** Empty when the stored book cannot be cleared again (see `differences`). */
  recomputedInputHash: string;
  recomputedResultHash: string;
  differences: string[];
}

export interface SettlementCheck {
  ok: boolean;
  /** The interval's stored journal; null when it has none. */
  journalId: string | null;
  /** Line positions compared (the longer of the stored and the recomputed journal). */
  linesChecked: number;
  differences: string[];
}

/** Differences of one kind (fills, order results, journal lines) listed before they are only counted. */
const MAX_LISTED_DIFFERENCES = 10;

/** What auditors re-run: a clearing from its frozen book, and the ledger's hash chain. */
@Injectable()
export class VerificationService {
  constructor(
    private readonly clearings: ClearingRepository,
    private readonly settlements: SettlementRepository,
    private readonly ledger: LedgerRepository,
  ) {}

  /**
   * Re-clears the stored frozen book (every order not cancelled before the gate, as stored) under
   * the stored terms and compares hashes, price, volume, counts, every fill (orders, parties,
   * quantity, price, amount) and every order's final state and filled quantity with what is stored.
   * A book that cannot be cleared again (e.g. an order whose price is off the stored tick) is a
   * difference, not an error.
   */
  async verifyClearing(productCode: string, deliveryStart: Date): Promise<ClearingCheck> {
    const stored = await this.clearings.loadClearedBook(productCode, deliveryStart);
    const result = stored && (await this.settlements.findResult(productCode, deliveryStart));
    if (!stored || !result) {
      throw notFound(
        `${productCode} delivering at ${deliveryStart.toISOString()} has not been cleared`,
      );
    }
    const differences: string[] = [];
    const { book, terms } = stored;
    book.priceTicks.forEach((ticks, row) => {
      if (ticks === 'off-tick') {
        differences.push(
          `order ${book.id[row]}: its price is not a multiple of the stored tick ${canonicalDecimal(terms.priceTick)}`,
        );
      }
    });
    let replay: Replay | null = null;
    try {
      replay = replayClearing(book, terms);
    } catch (error) {
      differences.push(
        `the stored book cannot be cleared again: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (replay) {
      const { clearing, grid } = replay;
      const compare = comparer(differences);
      compare('inputHash', stored.inputHash, replay.inputHash);
      compare('resultHash', stored.resultHash, replay.resultHash);
      compare('status', result.status, clearing.status);
      compare(
        'price',
        result.price === null ? 'none' : canonicalDecimal(result.price),
        clearing.priceTicks === null ? 'none' : formatPrice(clearing.priceTicks, grid),
      );
      compare(
        'volume (kWh)',
        formatQuantity(BigInt(result.volumeWh)),
        formatQuantity(clearing.volumeWh),
      );
      compare('bid count', result.bidCount, clearing.bidCount);
      compare('offer count', result.offerCount, clearing.offerCount);
      compare('fill count', result.fillCount, clearing.fills.length);
      const storedFills = await this.settlements.fills(productCode, deliveryStart);
      differences.push(...fillDifferences(storedFills, replay, book));
      const orderResults = await this.settlements.orderResults(productCode, deliveryStart);
      differences.push(...orderResultDifferences(orderResults, replay, book));
    }
    return {
      ok: differences.length === 0,
      inputHash: stored.inputHash,
      resultHash: stored.resultHash,
      recomputedInputHash: replay?.inputHash ?? '',
      recomputedResultHash: replay?.resultHash ?? '',
      differences,
    };
  }

  /**
   * Recomputes a cleared interval's journal from its stored fills and frozen network fee with the
   * settlement rules of libs/market and compares it line by line with the stored journal and
   * entries, then its totals, its hash (by its version, from its stored `prev_hash` and the
   * result's hashes) and the result's fee total. Fills without a journal, or a journal without
   * fills, is a difference. The chain itself is `verifyLedger`'s.
   */
  async verifySettlement(productCode: string, deliveryStart: Date): Promise<SettlementCheck> {
    const stored = await this.ledger.storedSettlement(productCode, deliveryStart);
    if (!stored) {
      throw notFound(
        `${productCode} delivering at ${deliveryStart.toISOString()} has not been cleared`,
      );
    }
    const { differences, linesChecked } = settlementDifferences(stored, productCode, deliveryStart);
    return {
      ok: differences.length === 0,
      journalId: stored.journal?.id ?? null,
      linesChecked,
      differences,
    };
  }

  /** The journals delivering in [from, to): chain links, hashes and balances. */
  async verifyLedger(from: Date, to: Date): Promise<JournalChainCheck> {
    if (from.getTime() >= to.getTime()) {
      throw badInput('from must be before to', { field: 'to' });
    }
    return this.ledger.verify({ from, to });
  }
}

/** Lists the first differences of one kind, then counts the rest. */
class DifferenceList {
  readonly lines: string[] = [];
  private more = 0;

  add(line: string): void {
    if (this.lines.length < MAX_LISTED_DIFFERENCES) this.lines.push(line);
    else this.more += 1;
  }

  done(what: string): string[] {
    return this.more ? [...this.lines, `… ${this.more} more ${what} differ`] : this.lines;
  }
}

/** Stored fill rows against the replay's, seq by seq: orders, parties, quantity, price, amount. */
function fillDifferences(stored: FillRow[], replay: Replay, book: FrozenBookRows): string[] {
  const { fills } = replay.clearing;
  const found = new DifferenceList();
  const count = Math.max(stored.length, fills.length);
  for (let seq = 0; seq < count; seq++) {
    const row = stored[seq];
    let recomputed = 'none';
    if (seq < fills.length) {
      const buy = fills.buyRow[seq];
      const sell = fills.sellRow[seq];
      recomputed = `buy ${book.id[buy]} by ${book.participantId[buy]} sell ${book.id[sell]} by ${book.participantId[sell]} ${formatQuantity(fills.quantityWh[seq])} kWh at ${formatPrice(fills.priceTicks[seq], replay.grid)} amount ${fills.amountMinor[seq]}`;
    }
    const actual = row
      ? `buy ${row.buyOrderId} by ${row.buyerId} sell ${row.sellOrderId} by ${row.sellerId} ${formatQuantity(BigInt(row.quantityWh))} kWh at ${canonicalDecimal(row.price)} amount ${row.amountMinor}`
      : 'none';
    if (actual !== recomputed) {
      found.add(`fill ${seq} differs: stored ${actual}, recomputed ${recomputed}`);
    }
  }
  return found.done('fills');
}

/**
 * Every order of the frozen book: its stored final state and filled quantity against the replay's;
 * a stored result for an order of the interval outside the book (cancelled) is a difference too.
 */
function orderResultDifferences(
  stored: OrderResultRow[],
  replay: Replay,
  book: FrozenBookRows,
): string[] {
  const byOrder = new Map(stored.map((row) => [row.orderId, row]));
  const found = new DifferenceList();
  const describe = (status: string, filledWh: bigint | number) =>
    `${status} ${formatQuantity(filledWh)} kWh filled`;
  for (let row = 0; row < book.id.length; row++) {
    const id = book.id[row];
    const filledWh = replay.clearing.filledWh[row];
    const recomputed = describe(fillState(BigInt(book.quantityWh[row]), filledWh), filledWh);
    const result = byOrder.get(id);
    byOrder.delete(id);
    const actual = result ? describe(result.status, BigInt(result.filledWh)) : 'none';
    if (actual !== recomputed) {
      found.add(`order ${id} result differs: stored ${actual}, recomputed ${recomputed}`);
    }
  }
  for (const result of byOrder.values()) {
    found.add(
      `order ${result.orderId} is not in the frozen book but has a stored result ${describe(result.status, BigInt(result.filledWh))}`,
    );
  }
  return found.done('order results');
}

/** The journal lines of the stored fills, or why they cannot be recomputed. */
function recomputeJournal(stored: StoredSettlement): { lines: JournalLine[]; problems: string[] } {
  const problems: string[] = [];
  if (!stored.utilityAccountId) problems.push('the utility has no ledger account');
  for (const fill of stored.fills) {
    if (!fill.buyerAccountId) {
      problems.push(`fill ${fill.seq}: buyer ${fill.buyerId} has no ledger account`);
    }
    if (!fill.sellerAccountId) {
      problems.push(`fill ${fill.seq}: seller ${fill.sellerId} has no ledger account`);
    }
  }
  if (problems.length) return { lines: [], problems };
  const lines = journalLines(
    stored.fills.map((fill) => ({
      seq: fill.seq,
      buyerAccountId: fill.buyerAccountId!,
      sellerAccountId: fill.sellerAccountId!,
      quantityWh: BigInt(fill.quantityWh),
      amountMinor: BigInt(fill.amountMinor),
    })),
    stored.utilityAccountId!,
    stored.result.networkFee,
  );
  return { lines, problems };
}

/** The stored journal against the one recomputed from the stored fills and fee, line by line. */
function settlementDifferences(
  stored: StoredSettlement,
  productCode: string,
  deliveryStart: Date,
): { differences: string[]; linesChecked: number } {
  const { journal, fills, result } = stored;
  const differences: string[] = [];
  if (!journal) {
    if (fills.length) differences.push(`the result has ${fills.length} fills but no journal`);
    return { differences, linesChecked: 0 };
  }
  if (!fills.length) {
    differences.push(`journal ${journal.id} settles a result without fills`);
  }
  const { lines, problems } = recomputeJournal(stored);
  differences.push(...problems);
  if (problems.length) return { differences, linesChecked: 0 };

  const text = (line: JournalLine | undefined) =>
    line
      ? `account ${line.accountId} ${line.kind} fill ${line.fillSeq ?? '-'} energy ${formatQuantity(line.energyWh)} kWh amount ${line.amountMinor}`
      : 'none';
  // By line number, so that a missing or an extra line shows as itself, not as a shift.
  const byLine = new Map(stored.entries.map((entry) => [entry.line, entry]));
  const positions = stored.entries.reduce(
    (most, entry) => Math.max(most, entry.line + 1),
    lines.length,
  );
  const found = new DifferenceList();
  for (let i = 0; i < positions; i++) {
    const actual = text(byLine.get(i));
    const recomputed = text(lines[i]);
    if (actual !== recomputed) {
      found.add(`line ${i} differs: stored ${actual}, recomputed ${recomputed}`);
    }
  }
  differences.push(...found.done('lines'));

  const compare = comparer(differences);
  compare('entry_count', journal.entryCount, lines.length);
  compare('debit_minor', journal.debitMinor, journalDebitMinor(lines).toString());
  const feeMinor = journalFeeMinor(lines);
  compare("the result's fee_minor", result.feeMinor, feeMinor.toString());
  if (!isJournalHashVersion(journal.hashVersion)) {
    differences.push(`journal ${journal.id} has an unknown hash_version ${journal.hashVersion}`);
  } else {
    const header = {
      productCode,
      deliveryStart: deliveryStart.toISOString(),
      inputHash: result.inputHash,
      resultHash: result.resultHash,
    };
    compare(
      `hash (version ${journal.hashVersion})`,
      journal.hash,
      journalHash(journal.hashVersion, journal.prevHash, header, lines),
    );
  }
  return { differences, linesChecked: positions };
}

/** `compare(what, stored, recomputed)`: notes "<what> differs: stored …, recomputed …" in `differences`. */
function comparer(differences: string[]) {
  return (what: string, storedValue: string | number, recomputed: string | number): void => {
    if (String(storedValue) !== String(recomputed)) {
      differences.push(`${what} differs: stored ${storedValue}, recomputed ${recomputed}`);
    }
  };
}
