import { Injectable } from '@nestjs/common';
import {
  ClearingRepository,
  LedgerRepository,
  SettlementRepository,
  type FillRow,
  type JournalChainCheck,
} from '@parkex/db';
import { formatPrice, formatQuantity, replayClearing, type Replay } from '@parkex/market';
import { badInput, notFound } from '../common/app-error';
import { canonicalDecimal } from '../products/models/product.model';

export interface ClearingCheck {
  ok: boolean;
  inputHash: string;
  resultHash: string;
  /** Empty when the stored book cannot be cleared again (see `differences`). */
  recomputedInputHash: string;
  recomputedResultHash: string;
  differences: string[];
}

/** Fill differences listed one by one before they are only counted. */
const MAX_LISTED_FILL_DIFFERENCES = 10;

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
   * the stored terms and compares hashes, price, volume, counts and every fill with what is stored.
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
      const compare = (what: string, storedValue: string | number, recomputed: string | number) => {
        if (String(storedValue) !== String(recomputed)) {
          differences.push(`${what} differs: stored ${storedValue}, recomputed ${recomputed}`);
        }
      };
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
      differences.push(...fillDifferences(storedFills, replay, book.id));
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

  /** The journals delivering in [from, to): chain links, hashes and balances. */
  async verifyLedger(from: Date, to: Date): Promise<JournalChainCheck> {
    if (from.getTime() >= to.getTime()) {
      throw badInput('from must be before to', { field: 'to' });
    }
    return this.ledger.verify({ from, to });
  }
}

/** Stored fill rows against the replay's, seq by seq. */
function fillDifferences(stored: FillRow[], replay: Replay, ids: readonly string[]): string[] {
  const { fills } = replay.clearing;
  const found: string[] = [];
  const count = Math.max(stored.length, fills.length);
  let differing = 0;
  for (let seq = 0; seq < count; seq++) {
    const row = stored[seq];
    const recomputed =
      seq < fills.length
        ? `buy ${ids[fills.buyRow[seq]]} sell ${ids[fills.sellRow[seq]]} ${formatQuantity(fills.quantityWh[seq])} kWh at ${formatPrice(fills.priceTicks[seq], replay.grid)} amount ${fills.amountMinor[seq]}`
        : 'none';
    const actual = row
      ? `buy ${row.buyOrderId} sell ${row.sellOrderId} ${formatQuantity(BigInt(row.quantityWh))} kWh at ${canonicalDecimal(row.price)} amount ${row.amountMinor}`
      : 'none';
    if (actual === recomputed) continue;
    differing += 1;
    if (found.length < MAX_LISTED_FILL_DIFFERENCES) {
      found.push(`fill ${seq} differs: stored ${actual}, recomputed ${recomputed}`);
    }
  }
  if (differing > found.length) {
    found.push(`… ${differing - found.length} more fills differ`);
  }
  return found;
}
