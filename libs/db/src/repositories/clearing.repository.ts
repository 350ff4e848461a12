import { Injectable } from '@nestjs/common';
import { GENESIS_HASH, type EntryKind, type JournalLine } from '@parkex/market';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { pgPool, withPoolClient } from '../pg-pool';
import { runClaim } from './claim';
import { insertAuditRow } from './audit-log.repository';
import {
  ACCOUNTS_OF,
  CLAIM,
  COPY_FILLS,
  COPY_LEDGER_ENTRIES,
  COPY_ORDER_RESULTS,
  COUNT_DUE,
  END_STUCK_LEDGER_HOLDER,
  INSERT_ATTEMPT,
  INSERT_FAILURE,
  INSERT_JOURNAL,
  INSERT_RESULT,
  JOURNAL_HEAD,
  LAST_ATTEMPT_ERROR,
  LEDGER_LOCK,
  MARK_CLEARED,
  MARK_FAILED,
  NOTIFY,
  OPEN_BOOK,
  SHORTEN_LOCK_TIMEOUT,
  STORED_BOOK,
  STORED_TERMS,
  TAKE_LEDGER_LOCK,
  type ClaimRow,
  type TermsRow,
} from './clearing.sql';
import { pgError } from './pg-errors';

/** The product-interval a matcher has claimed, with the product terms it clears under. */
export interface ClaimedInterval {
  productCode: string;
  deliveryStart: Date;
  gateClosureAt: Date;
  /** How many FAILED results the interval had when claimed (0 unless it is a re-run). */
  run: number;
  terms: {
    priceTick: string;
    minPrice: string;
    maxPrice: string;
    mechanism: 'UNIFORM_PRICE' | 'PAY_AS_BID';
    k: string;
    networkFee: string;
  };
}

/** The frozen book as columns of text (pg's int8 and numeric), in time-priority order. */
export interface FrozenBookRows {
  id: string[];
  side: ('BUY' | 'SELL')[];
  priceTicks: string[];
  quantityWh: string[];
  acceptedAtUs: string[];
  participantId: string[];
}

export interface ClearingRecord {
  status: 'CLEARED' | 'NO_TRADE';
  price: string | null;
  volumeWh: string;
  amountMinor: string;
  feeMinor: string;
  bidCount: number;
  offerCount: number;
  inputHash: string;
  resultHash: string;
  demandCurve: unknown;
  supplyCurve: unknown;
  matcherVersion: string;
  matcherId: string;
  timings: Record<string, number>;
}

/** Fills as parallel columns (walk order; `seq` is the index). */
export interface FillRows {
  buyOrderId: string[];
  sellOrderId: string[];
  buyerId: string[];
  sellerId: string[];
  quantityWh: string[];
  price: string[];
  amountMinor: string[];
}

/** The final state of every order of the frozen book. */
export interface OrderStateRows {
  id: string[];
  status: ('FILLED' | 'PARTIALLY_FILLED' | 'UNFILLED')[];
  filledWh: string[];
}

export interface JournalRows {
  accountId: string[];
  kind: EntryKind[];
  fillSeq: (number | null)[];
  energyWh: string[];
  amountMinor: string[];
  debitMinor: string;
  /** The `journalHash` version `hash` computes (libs/market; new journals: 2). */
  hashVersion: number;
  /** The journal's chain hash, given its predecessor's (read under the ledger lock). */
  hash(prevHash: string): string;
}

export interface ClearingWrite {
  record: ClearingRecord;
  fills: FillRows;
  orderStates: OrderStateRows;
  /** Absent when nothing traded. */
  journal?: JournalRows;
}

/** SQLSTATE of a lock wait that ran out of `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';
export const CLEARING_CHANNEL = 'parkex_clearing';

/** Steps inside the ledger write where a test may inject a failure. */
export type LedgerStep = 'ledger-locked' | 'ledger-copy';

/** What a clearing session needs besides its connection. */
interface SessionContext {
  lockTimeoutMs: number;
  onLedgerStep?: (step: LedgerStep, interval: ClaimedInterval) => Promise<void>;
  /** Ends the ledger lock's holder when it is stuck (see `ClearingRepository.endStuckLedgerHolder`). */
  endStuckLedgerHolder(): Promise<number | null>;
}

/** The matcher's transaction: claim one due product-interval, read its book, write its settlement. */
export class ClearingSession {
  constructor(
    private readonly client: PoolClient,
    readonly interval: ClaimedInterval,
    private readonly context: SessionContext,
  ) {}

  /** The OPEN orders of the claimed interval, in time priority. */
  loadBook(): Promise<FrozenBookRows> {
    const { productCode, deliveryStart, terms } = this.interval;
    return readBook(this.client, productCode, deliveryStart, terms.priceTick, 'open');
  }

  /** Ledger accounts of these participants, and the utility's. */
  accounts(participantIds: readonly string[]): Promise<LedgerAccounts> {
    return ledgerAccounts(this.client, participantIds);
  }

  /** Writes result, fills, order states and journal; marks the interval cleared; NOTIFY on commit. */
  async write(data: ClearingWrite): Promise<void> {
    const { productCode, deliveryStart, terms } = this.interval;
    const key = [productCode, deliveryStart] as const;
    const r = data.record;
    await this.client.query(INSERT_RESULT, [
      ...key,
      r.status,
      r.price,
      r.volumeWh,
      r.amountMinor,
      r.feeMinor,
      terms.mechanism,
      terms.k,
      terms.priceTick,
      terms.minPrice,
      terms.maxPrice,
      terms.networkFee,
      r.bidCount,
      r.offerCount,
      data.fills.buyOrderId.length,
      r.inputHash,
      r.resultHash,
      JSON.stringify(r.demandCurve),
      JSON.stringify(r.supplyCurve),
      r.matcherVersion,
      r.matcherId,
      JSON.stringify(r.timings),
    ]);

    const f = data.fills;
    const keyText = `${productCode}\t${deliveryStart.toISOString()}`;
    await this.copy(
      COPY_FILLS,
      f.buyOrderId.length,
      (i) =>
        `${keyText}\t${i}\t${f.buyOrderId[i]}\t${f.sellOrderId[i]}\t${f.buyerId[i]}\t${f.sellerId[i]}\t${f.quantityWh[i]}\t${f.price[i]}\t${f.amountMinor[i]}\n`,
    );
    const o = data.orderStates;
    await this.copy(
      COPY_ORDER_RESULTS,
      o.id.length,
      (i) => `${o.id[i]}\t${o.status[i]}\t${o.filledWh[i]}\n`,
    );
    if (data.journal) await this.writeJournal(data.journal);
    await this.client.query(MARK_CLEARED, [...key]);
    await notifyOutcome(this.client, productCode, deliveryStart, this.interval.run);
  }

  private async writeJournal(journal: JournalRows): Promise<void> {
    const { productCode, deliveryStart } = this.interval;
    await this.lockLedger();
    await this.context.onLedgerStep?.('ledger-locked', this.interval);
    const last = await this.client.query<{ hash: string }>(JOURNAL_HEAD);
    const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
    const inserted = await this.client.query<{ id: string }>(INSERT_JOURNAL, [
      productCode,
      deliveryStart,
      journal.accountId.length,
      journal.debitMinor,
      prevHash,
      journal.hash(prevHash),
      journal.hashVersion,
    ]);
    const id = inserted.rows[0].id;
    await this.copy(
      COPY_LEDGER_ENTRIES,
      journal.accountId.length,
      (i) =>
        `${id}\t${i}\t${journal.accountId[i]}\t${journal.kind[i]}\t${journal.fillSeq[i] ?? '\\N'}\t${journal.energyWh[i]}\t${journal.amountMinor[i]}\n`,
      async () => this.context.onLedgerStep?.('ledger-copy', this.interval),
    );
  }

  /**
   * The ledger lock orders journals into one chain. Its wait is bounded (`lock_timeout`): a
   * matcher stopped while holding it must not block every other one. On a timeout the holder is
   * ended if it is stuck (see `endStuckLedgerHolder`), and this attempt fails, to be retried.
   * The statement that takes the lock restores the previous `lock_timeout` (the function in FROM
   * holds the lock before the select list runs): no round trip of its own under the global lock,
   * and the head read, whose relation locks are taken before its expressions run, does not wait
   * under the short bound.
   */
  private lockLedger(): Promise<void> {
    return takeLedgerLock(this.client, this.context.lockTimeoutMs, () =>
      this.context.endStuckLedgerHolder(),
    );
  }

  /**
   * Bulk write with COPY (text format): the fastest way into PostgreSQL for 100k rows. The
   * values are ids, uuids, decimals, instants and enum words: nothing to escape. Checks that
   * every row arrived.
   */
  private copy(
    sql: string,
    rows: number,
    line: (i: number) => string,
    afterFirstChunk?: () => Promise<void>,
  ): Promise<void> {
    return copyRows(this.client, sql, rows, line, afterFirstChunk);
  }
}

/** Ledger account ids: by participant id, and the utility's. */
export interface LedgerAccounts {
  byParticipant: Map<string, string>;
  utility: string;
}

/** The ledger accounts of these participants and the utility's, on the caller's connection. */
export async function ledgerAccounts(
  client: PoolClient,
  participantIds: readonly string[],
): Promise<LedgerAccounts> {
  const { rows } = await client.query<{ participant_id: string | null; id: string }>(ACCOUNTS_OF, [
    participantIds,
  ]);
  const byParticipant = new Map<string, string>();
  let utility: string | undefined;
  for (const row of rows) {
    if (row.participant_id === null) utility = row.id;
    else byParticipant.set(row.participant_id, row.id);
  }
  if (!utility) throw new Error('the utility account is missing');
  return { byParticipant, utility };
}

/** NOTIFY (sent on commit) that an outcome of the interval's run `run` is stored. */
async function notifyOutcome(
  client: PoolClient,
  productCode: string,
  deliveryStart: Date,
  run: number,
): Promise<void> {
  await client.query(NOTIFY, [
    CLEARING_CHANNEL,
    JSON.stringify({ productCode, deliveryStart: deliveryStart.toISOString(), run }),
  ]);
}

/**
 * Takes the ledger lock, which orders journals into one chain, within `lockTimeoutMs`: a matcher
 * stopped while holding it must not block every other one. On a timeout the holder is ended if
 * it is stuck (`endStuck`), and the caller's attempt fails, to be retried. The statement that
 * takes the lock restores the previous `lock_timeout` (the function in FROM holds the lock before
 * the select list runs): no round trip of its own under the global lock, and the head read,
 * whose relation locks are taken before its expressions run, does not wait under the short bound.
 */
export async function takeLedgerLock(
  client: PoolClient,
  lockTimeoutMs: number,
  endStuck: () => Promise<number | null>,
): Promise<void> {
  const { rows } = await client.query<{ previous: string }>(SHORTEN_LOCK_TIMEOUT, [
    String(lockTimeoutMs),
  ]);
  try {
    await client.query(TAKE_LEDGER_LOCK, [LEDGER_LOCK, rows[0].previous]);
  } catch (error) {
    if (pgError(error).code !== LOCK_NOT_AVAILABLE) throw error;
    const ended = await endStuck().catch(() => null);
    throw new Error(
      `the ledger lock was not free within ${lockTimeoutMs} ms` +
        (ended === null ? '' : `; its holder (pid ${ended}) was stuck and has been ended`),
      { cause: error },
    );
  }
}

/** A journal's lines and how its hash follows from its predecessor's. */
export interface JournalToAppend {
  lines: JournalLine[];
  debitMinor: string;
  hashVersion: number;
  hash(prevHash: string): string;
}

export interface AppendJournalSteps {
  lockTimeoutMs: number;
  endStuckLedgerHolder(): Promise<number | null>;
  /** The ledger lock just taken. */
  onLocked?: () => Promise<void>;
  /** The entries' COPY under way: its first rows sent, the rest not. */
  onCopy?: () => Promise<void>;
}

/**
 * Appends a journal of lines (an auction's, an imbalance revision's) to the chain: takes the
 * ledger lock, reads the head, inserts the journal row with `insert` (its key in `key`, then
 * entry count, debits, prev hash, hash and hash version as the next parameters) and COPYs its
 * entries. Returns the journal's id.
 */
export async function appendJournal(
  client: PoolClient,
  steps: AppendJournalSteps,
  insert: { sql: string; key: readonly unknown[] },
  journal: JournalToAppend,
): Promise<string> {
  await takeLedgerLock(client, steps.lockTimeoutMs, () => steps.endStuckLedgerHolder());
  await steps.onLocked?.();
  const last = await client.query<{ hash: string }>(JOURNAL_HEAD);
  const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
  const inserted = await client.query<{ id: string }>(insert.sql, [
    ...insert.key,
    journal.lines.length,
    journal.debitMinor,
    prevHash,
    journal.hash(prevHash),
    journal.hashVersion,
  ]);
  const id = inserted.rows[0].id;
  const lines = journal.lines;
  await copyRows(
    client,
    COPY_LEDGER_ENTRIES,
    lines.length,
    (i) =>
      `${id}\t${i}\t${lines[i].accountId}\t${lines[i].kind}\t${lines[i].fillSeq ?? '\\N'}\t${lines[i].energyWh}\t${lines[i].amountMinor}\n`,
    steps.onCopy,
  );
  return id;
}

/** Bulk write with COPY (text format), checking that every row arrived; see `ClearingSession.copy`. */
export async function copyRows(
  client: PoolClient,
  sql: string,
  rows: number,
  line: (i: number) => string,
  afterFirstChunk?: () => Promise<void>,
): Promise<void> {
  if (rows === 0) return;
  const stream = client.query(copyFrom(sql));
  const chunks = afterFirstChunk
    ? thenAfterFirst(textChunks(rows, line), afterFirstChunk)
    : textChunks(rows, line);
  await pipeline(chunks, stream);
  if (stream.rowCount !== rows) {
    throw new Error(`${sql.split(' (')[0]}: ${stream.rowCount} of ${rows} rows written`);
  }
}

/** The lines in chunks of about 256 KiB, so the COPY stream can apply backpressure. */
function* textChunks(rows: number, line: (i: number) => string): Generator<string> {
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += line(i);
    if (chunk.length >= 262_144) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The chunks, with `after` awaited once the first has been handed on. */
async function* thenAfterFirst(
  chunks: Iterable<string>,
  after: () => Promise<void>,
): AsyncGenerator<string> {
  let first = true;
  for (const chunk of chunks) {
    yield chunk;
    if (first) {
      first = false;
      await after();
    }
  }
}

/**
 * A book of one product-interval as columns of text, in time priority, with prices in ticks of
 * `priceTick`. An order off that tick is an error, or, with `keepOffTick`, kept with the
 * price text `off-tick` (which no clearing accepts) so that a verification can report it.
 */
async function readBook(
  client: PoolClient,
  productCode: string,
  deliveryStart: Date,
  priceTick: string,
  orders: 'open' | 'not cancelled',
  options: { keepOffTick?: boolean } = {},
): Promise<FrozenBookRows> {
  const { rows } = await client.query<
    [string, 'BUY' | 'SELL', string | null, string, string, string]
  >({
    text: orders === 'open' ? OPEN_BOOK : STORED_BOOK,
    values: [productCode, deliveryStart, priceTick],
    rowMode: 'array',
  });
  const book: FrozenBookRows = {
    id: [],
    side: [],
    priceTicks: [],
    quantityWh: [],
    acceptedAtUs: [],
    participantId: [],
  };
  for (const [id, side, ticks, quantity, acceptedAt, participant] of rows) {
    if (ticks === null && !options.keepOffTick) {
      throw new Error(`order ${id} is not on the tick ${priceTick}`);
    }
    book.id.push(id);
    book.side.push(side);
    book.priceTicks.push(ticks ?? 'off-tick');
    book.quantityWh.push(quantity);
    book.acceptedAtUs.push(acceptedAt);
    book.participantId.push(participant);
  }
  return book;
}

export interface ClaimOptions {
  matcherId: string;
  /** A claim whose session stays idle in its transaction longer than this is dropped by the server. */
  claimTimeoutMs: number;
  /** Server-side bound on each statement of the clearing transaction. */
  statementTimeoutMs: number;
  /** Bound on the wait for the ledger lock. */
  lockTimeoutMs: number;
  /** Failed attempts before the interval's result is FAILED (a re-run gets one). */
  maxAttempts: number;
  /** Wait after the first failed attempt of an interval; doubles with each further one. */
  retryBackoffMs: number;
  /** Only these products (a replica per product group); all when absent. */
  products?: readonly string[];
  /** Called at steps of the ledger write, with the interval being written (failure tests). */
  onLedgerStep?: (step: LedgerStep, interval: ClaimedInterval) => Promise<void>;
  /** Called before an interval's FAILED result is written (failure tests). */
  beforeFailureWrite?: (interval: ClaimedInterval) => Promise<void>;
  /** Intervals this replica leaves alone for now (their FAILED result could not be written). */
  skip?: readonly { productCode: string; deliveryStart: Date }[];
}

/** Longest error text kept per attempt and per FAILED result (characters). */
export const MAX_FAILURE_TEXT = 2_000;

/** What one claim came to. */
export type ClaimOutcome<T> =
  | { kind: 'cleared'; value: T }
  /** This attempt failed and is recorded; the interval is retried after its backoff. */
  | { kind: 'attempt-failed'; interval: ClaimedInterval; attempt: number; error: unknown }
  /** The attempts are used up: the FAILED result is written, committed and published. */
  | { kind: 'failed'; interval: ClaimedInterval; attempts: number; reason: string }
  /** The attempts are used up but writing the FAILED result failed (rolled back). */
  | { kind: 'failure-write-failed'; interval: ClaimedInterval; error: unknown };

@Injectable()
export class ClearingRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /**
   * Claims the due product-interval with the earliest gate (see `CLAIM`), in one transaction that
   * holds its row lock: other matchers skip it, order inserts wait for it. Records the attempt
   * (on another connection, so that it outlives a rollback), runs `work`, then commits. When
   * `work` throws, rolls back and records the failure: the caller goes on with other intervals.
   * When the interval's attempts are used up, writes its FAILED result instead. Null when
   * nothing is due.
   */
  async clearNextDue<T>(
    options: ClaimOptions,
    work: (session: ClearingSession) => Promise<T>,
  ): Promise<ClaimOutcome<T> | null> {
    let claimedRow: ClaimRow | undefined;
    const outcome = await runClaim<ClaimedInterval, ClearingSession, T>(
      this.pool,
      {
        matcherId: options.matcherId,
        claimTimeoutMs: options.claimTimeoutMs,
        statementTimeoutMs: options.statementTimeoutMs,
        claim: async (client) => {
          const { rows } = await client.query<ClaimRow>(CLAIM, [
            options.products ?? null,
            options.maxAttempts,
            options.retryBackoffMs,
            (options.skip ?? []).map((k) => k.productCode),
            (options.skip ?? []).map((k) => k.deliveryStart),
          ]);
          if (!rows.length) return null;
          claimedRow = rows[0];
          return {
            key: claimedInterval(rows[0]),
            attempts: rows[0].attempts,
            allowed: rows[0].state === 'RETRYING' ? 1 : options.maxAttempts,
          };
        },
        recordAttempt: (interval, event, error) =>
          this.recordAttempt(interval, options.matcherId, event, error),
        writeFailure: (client) => this.writeFailure(client, claimedRow!, options.matcherId),
        beforeFailureWrite: options.beforeFailureWrite,
        session: (client, interval) =>
          new ClearingSession(client, interval, {
            lockTimeoutMs: options.lockTimeoutMs,
            onLedgerStep: options.onLedgerStep,
            endStuckLedgerHolder: () => this.endStuckLedgerHolder(options.statementTimeoutMs),
          }),
        describe: describeError,
      },
      work,
    );
    if (outcome === null || outcome.kind === 'cleared') return outcome;
    const { key, ...rest } = outcome;
    return { ...rest, interval: key };
  }

  /** Appends one attempt event of `interval.run`, autocommitted on a pool connection of its own. */
  private async recordAttempt(
    interval: ClaimedInterval,
    matcherId: string,
    event: 'STARTED' | 'FAILED',
    error: string | null,
  ): Promise<void> {
    await this.pool.query(INSERT_ATTEMPT, [
      interval.productCode,
      interval.deliveryStart,
      interval.run,
      matcherId.slice(0, 200),
      event,
      error,
    ]);
  }

  /**
   * The FAILED result of a run whose attempts are used up, under the claim: the result (no
   * fills, no journal) with the last error as its reason, the interval FAILED, an audit row and
   * the NOTIFY, all in the claim's transaction. Returns the reason.
   */
  private async writeFailure(
    client: PoolClient,
    row: ClaimRow,
    matcherId: string,
  ): Promise<string> {
    const key = [row.product_code, row.delivery_start] as const;
    const last = await client.query<{ error: string | null }>(LAST_ATTEMPT_ERROR, [
      ...key,
      row.run,
    ]);
    const lastError =
      last.rows[0]?.error ?? 'the matcher stopped during the clearing (no error recorded)';
    const reason = bounded(
      `${row.attempts} attempt${row.attempts === 1 ? '' : 's'} failed; the last: ${lastError}`,
    );
    await client.query(INSERT_FAILURE, [...key, row.run, row.attempts, reason, matcherId]);
    await client.query(MARK_FAILED, [...key]);
    await insertAuditRow((text, values) => client.query(text, values), {
      actorId: null,
      action: 'clearing:failed',
      args: {
        productCode: row.product_code,
        deliveryStart: row.delivery_start.toISOString(),
        run: row.run,
        attempts: row.attempts,
        matcherId,
      },
      outcome: 'ERROR',
      errorCode: 'CLEARING_FAILED',
      message: reason,
    });
    await notifyOutcome(client, row.product_code, row.delivery_start, row.run);
    return reason;
  }

  /**
   * Ends the session that holds the ledger lock when it is stuck: in a statement for longer than
   * the statement timeout while the server waits for the client (a COPY whose client stopped
   * sending; `statement_timeout` cannot end that, as the server only notices it when the client
   * sends again). A holder idle in its transaction is ended by the server itself
   * (`idle_in_transaction_session_timeout`). Returns the ended pid, or null.
   */
  async endStuckLedgerHolder(statementTimeoutMs: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ pid: number }>(END_STUCK_LEDGER_HOLDER, [
      LEDGER_LOCK,
      statementTimeoutMs,
    ]);
    return rows[0]?.pid ?? null;
  }

  /**
   * The frozen book of a cleared interval, as stored (every order not cancelled before the
   * gate), priced in the ticks of the stored clearing terms; null when not cleared.
   */
  async loadClearedBook(
    productCode: string,
    deliveryStart: Date,
  ): Promise<{
    book: FrozenBookRows;
    terms: ClaimedInterval['terms'];
    inputHash: string;
    resultHash: string;
  } | null> {
    const { rows: stored } = await this.pool.query<
      TermsRow & { input_hash: string; result_hash: string }
    >(STORED_TERMS, [productCode, deliveryStart]);
    if (!stored.length) return null;
    const s = stored[0];
    // Orders cancelled before the gate are not in the book; nothing else changes after it.
    const book = await withPoolClient(this.pool, (client) =>
      readBook(client, productCode, deliveryStart, s.price_tick, 'not cancelled', {
        keepOffTick: true,
      }),
    );
    return {
      book,
      terms: toTerms(s),
      inputHash: s.input_hash,
      resultHash: s.result_hash,
    };
  }

  /** Product-intervals whose gate has closed and that are not cleared (or re-run) yet. */
  async countDue(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(COUNT_DUE);
    return rows[0].n;
  }
}

function claimedInterval(row: ClaimRow): ClaimedInterval {
  return {
    productCode: row.product_code,
    deliveryStart: row.delivery_start,
    gateClosureAt: row.gate_closure_at,
    run: row.run,
    terms: toTerms(row),
  };
}

function toTerms(row: TermsRow): ClaimedInterval['terms'] {
  return {
    priceTick: row.price_tick,
    minPrice: row.min_price,
    maxPrice: row.max_price,
    mechanism: row.mechanism,
    k: row.k,
    networkFee: row.network_fee,
  };
}

function bounded(text: string): string {
  return text.length <= MAX_FAILURE_TEXT ? text : `${text.slice(0, MAX_FAILURE_TEXT - 1)}…`;
}

/** An error as one bounded line of text for the attempt log. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return bounded(text.trim() || 'unknown error');
}
