import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { auditSealHash, GENESIS_HASH, type SealedAuditRow } from '@parkex/market';
import type { ClientBase, Pool } from 'pg';
import QueryStream from 'pg-query-stream';
import { DataSource } from 'typeorm';
import { DB_CONNECTION, type DbConnectionSettings } from '../connection-settings';
import { pgPool, transaction, withPoolClient } from '../pg-pool';

export interface AuditRecord {
  actorId: string | null;
  action: string;
  args: unknown;
  outcome: 'OK' | 'ERROR';
  errorCode?: string | null;
  message?: string | null;
}

const INSERT_AUDIT_ROW = `INSERT INTO audit_log (actor_id, action, args, outcome, error_code, message)
  VALUES ($1, $2, $3::jsonb, $4, $5, $6)`;

function auditRowValues(record: AuditRecord): unknown[] {
  return [
    record.actorId,
    record.action,
    record.args === undefined ? null : JSON.stringify(record.args),
    record.outcome,
    record.errorCode ?? null,
    record.message ?? null,
  ];
}

/**
 * Audit rows as six parallel arrays (actor, action, args as JSON text, outcome, error code,
 * message) for an INSERT from `unnest($…::uuid[], $…::text[], $…::jsonb[], $…::text[], …)`.
 */
export function auditColumns(records: readonly AuditRecord[]): unknown[][] {
  const columns: unknown[][] = [[], [], [], [], [], []];
  for (const record of records) {
    auditRowValues(record).forEach((value, i) => columns[i].push(value));
  }
  return columns;
}

/** Runs one statement in the caller's transaction (a `pg` client's or an EntityManager's `query`). */
export type TransactionQuery = (text: string, values: unknown[]) => Promise<unknown>;

/** Inserts one audit row with the caller's `query` (in its transaction, if it has one). */
export async function insertAuditRow(query: TransactionQuery, record: AuditRecord): Promise<void> {
  await query(INSERT_AUDIT_ROW, auditRowValues(record));
}

/** The audit row of the mutation being run, waiting to be written in its transaction. */
export interface PendingAudit {
  readonly record: AuditRecord;
  /** Set once a transaction has inserted the row (it may still roll back: then the mutation fails). */
  written: boolean;
}

const pendingAudit = new AsyncLocalStorage<PendingAudit>();

/**
 * Runs `work` (an allowed-or-refused mutation) with its audit row pending: the repository that
 * makes the mutation's change writes the row in the same transaction (`appendPendingAudit`), so
 * the change and its audit row commit together or not at all.
 */
export function runWithPendingAudit<T>(pending: PendingAudit, work: () => T): T {
  return pendingAudit.run(pending, work);
}

/**
 * The pending audit row of the current mutation, if there is one: for a repository that writes
 * it later, from another async context (a group commit), and sets `written` itself.
 */
export function currentPendingAudit(): PendingAudit | undefined {
  return pendingAudit.getStore();
}

/**
 * Writes the pending audit row of the current mutation, if there is one, in the caller's
 * transaction. Call it where the change has succeeded, before COMMIT; a transaction retried as a
 * whole calls it again (only the committed attempt's row remains).
 */
export async function appendPendingAudit(query: TransactionQuery): Promise<void> {
  const pending = pendingAudit.getStore();
  if (!pending) return;
  await insertAuditRow(query, pending.record);
  pending.written = true;
}

/** Arbitrary constant: the transaction-level advisory lock that lets one sealer run at a time. */
export const AUDIT_SEAL_LOCK = 7_305_004;

/** Audit rows sealed per transaction (one INSERT of seals); a pass repeats until caught up. */
export const AUDIT_SEAL_BATCH = 1000;

export interface SealOptions {
  /** Rows per transaction; at most AUDIT_SEAL_BATCH. */
  batch?: number;
  /**
   * How far back (by `at`, on the database's clock) the sealer looks for rows that committed after
   * a higher id was sealed. Older rows below the newest sealed id are never sealed: they count as
   * `unsealed` in a verification (a row inserted behind the sealer's back).
   */
  lateWindowMs: number;
  /**
   * Look for late rows at all (default true). The look re-checks every row of the window, so a
   * sealer does it now and then, and only seals the rows above the newest sealed id in between.
   */
  lateScan?: boolean;
}

/** The columns of an audit row in the seal's canonical text form. */
const SEALED_COLUMNS = `a.id::text AS id,
  to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
  a.actor_id::text AS "actorId", a.action, a.args::text AS args, a.outcome,
  a.error_code AS "errorCode", a.message`;

/**
 * Seals, in one transaction, up to `batch` committed audit rows that have no seal, in id order:
 * the rows above the newest sealed id (whatever their age), and (with `lateScan`) those below it
 * that committed late (within `lateWindowMs`). Runs only while holding AUDIT_SEAL_LOCK (a
 * try-lock: returns null at once when another sealer holds it); returns how many rows it sealed.
 * Needs a client that is not in a transaction.
 */
export async function sealAuditRows(
  client: ClientBase,
  options: SealOptions,
): Promise<number | null> {
  const batch = Math.min(options.batch ?? AUDIT_SEAL_BATCH, AUDIT_SEAL_BATCH);
  await client.query('BEGIN');
  try {
    const lock = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [AUDIT_SEAL_LOCK],
    );
    if (!lock.rows[0].locked) {
      await client.query('ROLLBACK');
      return null;
    }
    const head = await client.query<{ seq: string; hash: string }>(
      // Ordered by the column, not by its text alias ('9' sorts after '10').
      'SELECT s.seq::text AS seq, s.hash FROM audit_seal s ORDER BY s.seq DESC LIMIT 1',
    );
    const late = options.lateScan ?? true;
    const rows = await client.query<SealedAuditRow>(
      // The newest sealed id as a scalar subquery: an index condition on audit_log's key.
      `SELECT * FROM (
         (SELECT ${SEALED_COLUMNS}, a.id AS sort FROM audit_log a
          WHERE a.id > (SELECT coalesce(max(audit_id), 0) FROM audit_seal)
          ORDER BY a.id LIMIT $1)
         UNION ALL
         (SELECT ${SEALED_COLUMNS}, a.id AS sort FROM audit_log a
          WHERE $3 AND a.id < (SELECT coalesce(max(audit_id), 0) FROM audit_seal)
            AND a.at >= clock_timestamp() - $2 * interval '1 millisecond'
            AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.audit_id = a.id)
          ORDER BY a.id LIMIT $1)
       ) pending ORDER BY sort LIMIT $1`,
      [batch, options.lateWindowMs, late],
    );
    if (!rows.rows.length) {
      await client.query('COMMIT');
      return 0;
    }
    let seq = BigInt(head.rows[0]?.seq ?? 0);
    let prevHash = head.rows[0]?.hash ?? GENESIS_HASH;
    const seqs: string[] = [];
    const prevHashes: string[] = [];
    const hashes: string[] = [];
    for (const row of rows.rows) {
      seq += 1n;
      const hash = auditSealHash(prevHash, row);
      seqs.push(seq.toString());
      prevHashes.push(prevHash);
      hashes.push(hash);
      prevHash = hash;
    }
    await client.query(
      `INSERT INTO audit_seal (seq, audit_id, audit_at, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[])`,
      [seqs, rows.rows.map((r) => r.id), rows.rows.map((r) => r.at), prevHashes, hashes],
    );
    await client.query('COMMIT');
    return rows.rows.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export interface AuditVerifyOptions {
  /** Rows older than this (database clock) without a seal count as `unsealed`. */
  graceMs: number;
  /** Broken seals described in `reasons` before they are only counted (default 20). */
  maxListed?: number;
}

export interface AuditSealCheck {
  ok: boolean;
  sealsChecked: number;
  /** The lowest seq that fails a check; null when none does. */
  firstBrokenSeq: string | null;
  /** One line per broken seal (a changed row, a missing row, a broken link), in seq order. */
  reasons: string[];
  /** Rows in the range older than the grace that have no seal. */
  unsealed: number;
}

interface SealCheckRow extends SealedAuditRow {
  seq: string;
  audit_id: string;
  prev_hash: string;
  hash: string;
  /** The hash of seal seq − 1 (genesis for seq 1); null when that seal is gone. */
  predecessor_hash: string | null;
  present: boolean;
}

/** Seals read per round trip of the cursor. */
const VERIFY_BATCH = 2000;

/**
 * Verifies the seals whose audit rows lie in [from, to) (by the `at` each seal recorded), in seq
 * order, through a server-side cursor (constant memory): each seal's prev_hash must be the hash of
 * seal seq − 1 whatever its time (genesis for seq 1), and its hash must be recomputed from the
 * stored audit row, which must still exist. Then counts the rows in the range older than the
 * grace that have no seal. Run it in one REPEATABLE READ transaction to see a single snapshot.
 */
export async function verifyAuditSeals(
  client: ClientBase,
  range: { from: Date; to: Date },
  options: AuditVerifyOptions,
): Promise<AuditSealCheck> {
  const maxListed = options.maxListed ?? 20;
  const result: AuditSealCheck = {
    ok: true,
    sealsChecked: 0,
    firstBrokenSeq: null,
    reasons: [],
    unsealed: 0,
  };
  let broken = 0;
  const stream = client.query(
    new QueryStream(
      `SELECT s.seq::text AS seq, s.audit_id::text AS audit_id, s.prev_hash, s.hash,
              CASE WHEN s.seq = 1 THEN $3 ELSE p.hash END AS predecessor_hash,
              a.id IS NOT NULL AS present, ${SEALED_COLUMNS}
       FROM audit_seal s
       LEFT JOIN audit_seal p ON p.seq = s.seq - 1
       LEFT JOIN audit_log a ON a.id = s.audit_id
       WHERE s.audit_at >= $1 AND s.audit_at < $2
       ORDER BY s.seq`,
      [range.from, range.to, GENESIS_HASH],
      { batchSize: VERIFY_BATCH },
    ),
  );
  for await (const chunk of stream) {
    const seal = chunk as SealCheckRow;
    result.sealsChecked += 1;
    const reasons = checkSeal(seal);
    if (!reasons.length) continue;
    broken += 1;
    result.firstBrokenSeq ??= seal.seq;
    if (broken <= maxListed) result.reasons.push(...reasons);
  }
  if (broken > maxListed) result.reasons.push(`… ${broken - maxListed} more broken seals`);
  const unsealed = await client.query<{ count: string }>(
    `SELECT count(*)::text AS count FROM audit_log a
     WHERE a.at >= $1 AND a.at < $2 AND a.at < clock_timestamp() - $3 * interval '1 millisecond'
       AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.audit_id = a.id)`,
    [range.from, range.to, options.graceMs],
  );
  result.unsealed = Number(unsealed.rows[0].count);
  result.ok = broken === 0 && result.unsealed === 0;
  return result;
}

function checkSeal(seal: SealCheckRow): string[] {
  const reasons: string[] = [];
  const previous = BigInt(seal.seq) - 1n;
  const linked = seal.prev_hash === seal.predecessor_hash;
  if (seal.predecessor_hash === null) {
    reasons.push(`seal ${seal.seq}: broken link, seal ${previous} is missing`);
  } else if (!linked) {
    reasons.push(
      `seal ${seal.seq}: broken link, prev_hash ${seal.prev_hash} is not the hash of seal ${previous} (${seal.predecessor_hash})`,
    );
  }
  if (!seal.present) {
    reasons.push(`seal ${seal.seq}: audit row ${seal.audit_id} is missing`);
    return reasons;
  }
  // A seal whose own prev_hash was altered still matches its row under the true predecessor.
  const matches =
    auditSealHash(seal.prev_hash, seal) === seal.hash ||
    (!linked &&
      seal.predecessor_hash !== null &&
      auditSealHash(seal.predecessor_hash, seal) === seal.hash);
  if (!matches) {
    reasons.push(`seal ${seal.seq}: audit row ${seal.audit_id} was changed after it was sealed`);
  }
  return reasons;
}

@Injectable()
export class AuditLogRepository {
  private readonly pool: Pool;

  constructor(
    db: DataSource,
    @Inject(DB_CONNECTION) private readonly connection: DbConnectionSettings,
  ) {
    this.pool = pgPool(db);
  }

  /** `sealAuditRows` on a connection of its own from the pool. */
  async sealPending(options: SealOptions): Promise<number | null> {
    return withPoolClient(this.pool, (client) => sealAuditRows(client, options));
  }

  /** Seals whose audit rows lie in [from, to), counted up to `limit` (an index-only count). */
  async countSeals(range: { from: Date; to: Date }, limit: number): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM (
         SELECT 1 FROM audit_seal WHERE audit_at >= $1 AND audit_at < $2 LIMIT $3) s`,
      [range.from, range.to, limit],
    );
    return Number(rows[0].count);
  }

  /**
   * `verifyAuditSeals` in one read-only REPEATABLE READ transaction on a connection of its own,
   * with the statement timeout of long reads (the cursor lives as long as the walk).
   */
  async verifySeals(
    range: { from: Date; to: Date },
    options: AuditVerifyOptions,
  ): Promise<AuditSealCheck> {
    return transaction(
      this.pool,
      {
        isolation: 'REPEATABLE READ',
        readOnly: true,
        statementTimeoutMs: this.connection.longReadTimeoutMs,
      },
      (client) => verifyAuditSeals(client, range, options),
    );
  }

  /** One row in a statement (and a transaction) of its own. */
  async append(record: AuditRecord): Promise<void> {
    await insertAuditRow((text, values) => this.pool.query(text, values), record);
  }

  /** Appends records in one statement (one commit), ids in the given order. */
  async appendMany(records: readonly AuditRecord[]): Promise<void> {
    if (!records.length) return;
    await this.pool.query(
      `INSERT INTO audit_log (actor_id, action, args, outcome, error_code, message)
       SELECT actor_id, action, args, outcome, error_code, message
       FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[])
         WITH ORDINALITY AS r(actor_id, action, args, outcome, error_code, message, ord)
       ORDER BY ord`,
      [
        records.map((r) => r.actorId),
        records.map((r) => r.action),
        records.map((r) => (r.args === undefined ? null : JSON.stringify(r.args))),
        records.map((r) => r.outcome),
        records.map((r) => r.errorCode ?? null),
        records.map((r) => r.message ?? null),
      ],
    );
  }

  /** Entries with id < `beforeId` (when given) matching the filter, newest first; at most `limit`. */
  async list(
    filter: AuditLogFilter,
    beforeId: string | null,
    limit: number,
  ): Promise<AuditLogRow[]> {
    const { rows } = await this.pool.query<AuditLogRow>(
      `SELECT id::text AS id, at, actor_id AS "actorId", action, args::text AS args, outcome,
              error_code AS "errorCode", message
       FROM audit_log
       WHERE ($1::uuid IS NULL OR actor_id = $1)
         AND ($2::text IS NULL OR action = $2)
         AND ($3::text IS NULL OR outcome = $3)
         AND ($4::timestamptz IS NULL OR at >= $4)
         AND ($5::timestamptz IS NULL OR at < $5)
         AND ($6::bigint IS NULL OR id < $6)
       ORDER BY audit_log.id DESC
       LIMIT $7`,
      [
        filter.actorId ?? null,
        filter.action ?? null,
        filter.outcome ?? null,
        filter.from ?? null,
        filter.to ?? null,
        beforeId,
        limit,
      ],
    );
    return rows;
  }
}

/** Filter of the audit log; every field optional. `from`/`to` bound `at` as [from, to). */
export interface AuditLogFilter {
  actorId?: string | null;
  action?: string | null;
  outcome?: 'OK' | 'ERROR' | null;
  from?: Date | null;
  to?: Date | null;
}

export interface AuditLogRow {
  id: string;
  at: Date;
  actorId: string | null;
  action: string;
  /** The stored arguments as JSON text (null when none were stored). */
  args: string | null;
  outcome: 'OK' | 'ERROR';
  errorCode: string | null;
  message: string | null;
}
