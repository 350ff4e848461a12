import { Inject, Injectable } from '@nestjs/common';
import {
  GENESIS_HASH,
  isJournalHashVersion,
  journalHash,
  type EntryKind,
  type JournalLine,
} from '@parkex/market';
import type { ClientBase, Pool } from 'pg';
import QueryStream from 'pg-query-stream';
import { DataSource } from 'typeorm';
import { DB_CONNECTION, type DbConnectionSettings } from '../connection-settings';
import { pgPool, transaction } from '../pg-pool';

/** Journals whose delivery start lies in [from, to); an absent bound is open. */
export interface JournalRange {
  from?: Date | null;
  to?: Date | null;
}

export interface JournalChainCheck {
  ok: boolean;
  /** The lowest journal id in the range that fails any check; null when all pass. */
  firstBrokenJournalId: string | null;
  /** Why that journal fails (every reason found for it). */
  reasons: string[];
  journalsChecked: number;
}

interface JournalLineRow {
  id: string;
  product_code: string;
  delivery_start: Date;
  entry_count: number;
  debit_minor: string;
  prev_hash: string;
  hash: string;
  hash_version: number;
  input_hash: string;
  result_hash: string;
  predecessor_hash: string;
  line: number | null;
  account_id: string | null;
  kind: EntryKind | null;
  fill_seq: number | null;
  energy_wh: string | null;
  amount_minor: string | null;
}

/**
 * Verifies the journals of a delivery range, one at a time in id order, streaming their lines
 * through a server-side cursor (memory: one journal's lines). Per journal:
 * - its `prev_hash` is the stored `hash` of its actual predecessor in the chain (the journal with
 *   the next lower id, wherever its delivery lies; genesis for the first journal);
 * - its `hash` is `journalHash(hash_version, prev_hash, header, lines)` recomputed from the stored
 *   lines (version 2 with the input and result hashes of the interval's stored clearing result,
 *   or of the auction's result: an auction's journal names `auction <series>` as its product, or
 *   of the imbalance revision: `imbalance <product> r<revision>`);
 * - its lines sum to zero, there are `entry_count` of them numbered 0…n−1, and the debits add up
 *   to `debit_minor`.
 * Works on any pg client (the API's pool, a test's own connection).
 */
export async function verifyJournalChain(
  client: ClientBase,
  range: JournalRange,
): Promise<JournalChainCheck> {
  const stream = client.query(
    new QueryStream(
      `WITH journals AS MATERIALIZED (
         SELECT j.id,
                coalesce(j.product_code, 'auction ' || j.auction_series,
                         'imbalance ' || j.imbalance_product || ' r' || j.imbalance_revision)
                  AS product_code,
                j.delivery_start, j.entry_count, j.debit_minor, j.prev_hash, j.hash,
                j.hash_version, coalesce(r.input_hash, a.input_hash, s.input_hash) AS input_hash,
                coalesce(r.result_hash, a.result_hash, s.result_hash) AS result_hash,
                coalesce((SELECT p.hash FROM journal p WHERE p.id < j.id ORDER BY p.id DESC LIMIT 1),
                         $3) AS predecessor_hash
         FROM journal j
         LEFT JOIN clearing_result r
           ON r.product_code = j.product_code AND r.delivery_start = j.delivery_start
         LEFT JOIN auction_result a
           ON a.series_code = j.auction_series AND a.delivery_start = j.delivery_start
         LEFT JOIN imbalance_settlement s
           ON s.product_code = j.imbalance_product AND s.delivery_start = j.delivery_start
          AND s.revision = j.imbalance_revision
         WHERE ($1::timestamptz IS NULL OR j.delivery_start >= $1)
           AND ($2::timestamptz IS NULL OR j.delivery_start < $2)
       )
       SELECT j.id::text AS id, j.product_code, j.delivery_start, j.entry_count, j.debit_minor::text AS debit_minor,
              j.prev_hash, j.hash, j.hash_version, j.input_hash, j.result_hash, j.predecessor_hash,
              e.line, e.account_id::text AS account_id, e.kind, e.fill_seq,
              e.energy_wh::text AS energy_wh, e.amount_minor::text AS amount_minor
       FROM journals j LEFT JOIN ledger_entry e ON e.journal_id = j.id
       ORDER BY j.id, e.line`,
      [range.from ?? null, range.to ?? null, GENESIS_HASH],
      { batchSize: 2000 },
    ),
  );
  const result: JournalChainCheck = {
    ok: true,
    firstBrokenJournalId: null,
    reasons: [],
    journalsChecked: 0,
  };
  let current: { journal: JournalLineRow; lines: JournalLine[] } | null = null;
  const finish = () => {
    if (!current) return;
    result.journalsChecked += 1;
    const reasons = checkJournal(current.journal, current.lines);
    if (reasons.length && result.ok) {
      result.ok = false;
      result.firstBrokenJournalId = current.journal.id;
      result.reasons = reasons;
    }
    current = null;
  };
  for await (const chunk of stream) {
    const row = chunk as JournalLineRow;
    if (current?.journal.id !== row.id) {
      finish();
      current = { journal: row, lines: [] };
    }
    if (row.line !== null) {
      current.lines.push({
        line: row.line,
        accountId: row.account_id!,
        kind: row.kind!,
        fillSeq: row.fill_seq,
        energyWh: BigInt(row.energy_wh!),
        amountMinor: BigInt(row.amount_minor!),
      });
    }
  }
  finish();
  return result;
}

function checkJournal(journal: JournalLineRow, lines: JournalLine[]): string[] {
  const reasons: string[] = [];
  if (journal.prev_hash !== journal.predecessor_hash) {
    reasons.push(
      `journal ${journal.id}: prev_hash ${journal.prev_hash} is not the hash of its predecessor (${journal.predecessor_hash})`,
    );
  }
  if (!isJournalHashVersion(journal.hash_version)) {
    reasons.push(`journal ${journal.id}: unknown hash_version ${journal.hash_version}`);
  } else {
    const recomputed = journalHash(
      journal.hash_version,
      journal.prev_hash,
      {
        productCode: journal.product_code,
        deliveryStart: journal.delivery_start.toISOString(),
        inputHash: journal.input_hash,
        resultHash: journal.result_hash,
      },
      lines,
    );
    if (recomputed !== journal.hash) {
      reasons.push(
        `journal ${journal.id}: stored hash ${journal.hash} differs from the recomputed ${recomputed}`,
      );
    }
  }
  let sum = 0n;
  let debit = 0n;
  lines.forEach((line, index) => {
    sum += line.amountMinor;
    if (line.amountMinor < 0n) debit -= line.amountMinor;
    if (line.line !== index && reasons.every((r) => !r.includes('numbered'))) {
      reasons.push(`journal ${journal.id}: lines are not numbered 0…${lines.length - 1}`);
    }
  });
  if (sum !== 0n) reasons.push(`journal ${journal.id}: entries sum to ${sum}, not 0`);
  if (lines.length !== journal.entry_count) {
    reasons.push(
      `journal ${journal.id}: ${lines.length} entries, entry_count says ${journal.entry_count}`,
    );
  }
  if (debit.toString() !== journal.debit_minor) {
    reasons.push(
      `journal ${journal.id}: debits add up to ${debit}, debit_minor says ${journal.debit_minor}`,
    );
  }
  return reasons;
}

/** What is stored for one cleared interval's settlement, as `verifySettlement` compares it. */
export interface StoredSettlement {
  result: {
    status: string;
    /** Currency per kWh, the interval's frozen network fee. */
    networkFee: string;
    feeMinor: string;
    inputHash: string;
    resultHash: string;
  };
  /** The stored fills in seq order, with the ledger accounts of their parties (null: none). */
  fills: {
    seq: number;
    buyerId: string;
    sellerId: string;
    buyerAccountId: string | null;
    sellerAccountId: string | null;
    quantityWh: string;
    amountMinor: string;
  }[];
  utilityAccountId: string | null;
  journal: {
    id: string;
    entryCount: number;
    debitMinor: string;
    prevHash: string;
    hash: string;
    /** As stored: `journalHash` knows 1 and 2. */
    hashVersion: number;
  } | null;
  /** The journal's entries in line order (empty without a journal). */
  entries: JournalLine[];
}

/** One snapshot for every read of a settlement, under the session's default statement timeout. */
const READ_ONLY_SNAPSHOT = { isolation: 'REPEATABLE READ', readOnly: true } as const;

/** The ledger as an auditor checks it. */
@Injectable()
export class LedgerRepository {
  private readonly pool: Pool;

  constructor(
    db: DataSource,
    @Inject(DB_CONNECTION) private readonly connection: DbConnectionSettings,
  ) {
    this.pool = pgPool(db);
  }

  /**
   * `verifyJournalChain` on a connection of its own from the pool, in one read-only transaction
   * with the statement timeout of long reads (its cursor lives as long as the walk).
   */
  async verify(range: JournalRange): Promise<JournalChainCheck> {
    return transaction(
      this.pool,
      {
        isolation: 'REPEATABLE READ',
        readOnly: true,
        statementTimeoutMs: this.connection.longReadTimeoutMs,
      },
      (client) => verifyJournalChain(client, range),
    );
  }

  /**
   * The stored result, fills (with their parties' accounts), journal and entries of one
   * interval, read in one read-only snapshot under the session's default statement timeout;
   * null when the interval has no clearing result.
   */
  storedSettlement(productCode: string, deliveryStart: Date): Promise<StoredSettlement | null> {
    return transaction(this.pool, READ_ONLY_SNAPSHOT, async (client) => {
      const key = [productCode, deliveryStart];
      const result = await client.query<StoredSettlement['result']>(
        `SELECT status, network_fee::text AS "networkFee", fee_minor::text AS "feeMinor",
                input_hash AS "inputHash", result_hash AS "resultHash"
         FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`,
        key,
      );
      if (!result.rows.length) return null;
      const fills = await client.query<StoredSettlement['fills'][number]>(
        `SELECT f.seq, f.buyer_id::text AS "buyerId", f.seller_id::text AS "sellerId",
                b.id::text AS "buyerAccountId", s.id::text AS "sellerAccountId",
                f.quantity_wh::text AS "quantityWh", f.amount_minor::text AS "amountMinor"
         FROM fill f
         LEFT JOIN account b ON b.participant_id = f.buyer_id
         LEFT JOIN account s ON s.participant_id = f.seller_id
         WHERE f.product_code = $1 AND f.delivery_start = $2
         ORDER BY f.seq`,
        key,
      );
      const utility = await client.query<{ id: string }>(
        `SELECT id::text AS id FROM account WHERE kind = 'UTILITY'`,
      );
      const journal = await client.query<NonNullable<StoredSettlement['journal']>>(
        `SELECT id::text AS id, entry_count AS "entryCount", debit_minor::text AS "debitMinor",
                prev_hash AS "prevHash", hash, hash_version AS "hashVersion"
         FROM journal WHERE product_code = $1 AND delivery_start = $2`,
        key,
      );
      const entries = journal.rows.length
        ? await client.query<{
            line: number;
            account_id: string;
            kind: EntryKind;
            fill_seq: number | null;
            energy_wh: string;
            amount_minor: string;
          }>(
            `SELECT line, account_id::text AS account_id, kind, fill_seq, energy_wh::text AS energy_wh,
                    amount_minor::text AS amount_minor
             FROM ledger_entry WHERE journal_id = $1 ORDER BY line`,
            [journal.rows[0].id],
          )
        : { rows: [] };
      return {
        result: result.rows[0],
        fills: fills.rows,
        utilityAccountId: utility.rows[0]?.id ?? null,
        journal: journal.rows[0] ?? null,
        entries: entries.rows.map((row) => ({
          line: row.line,
          accountId: row.account_id,
          kind: row.kind,
          fillSeq: row.fill_seq,
          energyWh: BigInt(row.energy_wh),
          amountMinor: BigInt(row.amount_minor),
        })),
      };
    });
  }
}
