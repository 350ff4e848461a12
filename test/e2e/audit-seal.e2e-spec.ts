import { AuditSealer } from '@parkex/api/audit/audit-sealer.service';
import { AUDIT_SEAL_LOCK } from '@parkex/db';
import type { Client } from 'pg';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';

const VERIFY = `query($from: DateTime!, $to: DateTime!) {
  verifyAuditLog(from: $from, to: $to) { ok sealsChecked firstBrokenSeq reasons unsealed } }`;
const CREATE = `mutation($input: CreateParticipantInput!) {
  createParticipant(input: $input) { participant { id } } }`;

interface AuditRow {
  id: string;
  /** `at` with microseconds, as the server prints it. */
  at: string;
  actor_id: string | null;
  action: string;
  args: string | null;
  outcome: string;
  error_code: string | null;
  message: string | null;
}

/**
 * The audit log's seal chain end to end: real API replicas seal what the mutations write, and
 * verifyAuditLog finds what a superuser changed, deleted or slipped in behind the sealer. Every
 * tamper is undone in the same test (other specs share the database and its audit log).
 */
describe('audit log seals and verifyAuditLog', () => {
  let api: TestApi;
  let db: Client;
  let auditor: { id: string; key: string };

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  /** A new operator that creates `count` participants through `apis` (round robin, at once). */
  async function mutations(count: number, apis: TestApi[] = [api]): Promise<AuditRow[]> {
    const operator = await api.createParticipant(uniqueName('Operator'), 'OPERATOR');
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        apis[i % apis.length].gql(
          CREATE,
          { input: { name: uniqueName('Tenant'), role: 'PARTICIPANT' } },
          operator.key,
        ),
      ),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const { rows } = await db.query<AuditRow>(
      `SELECT id::text AS id, at::text AS at, actor_id, action, args::text AS args, outcome,
              error_code, message
       FROM audit_log WHERE actor_id = $1 ORDER BY audit_log.id`,
      [operator.id],
    );
    expect(rows).toHaveLength(count);
    return rows;
  }

  /** Waits until every row has its seal (sealing now on `sealer` as well); returns their seqs. */
  async function sealsOf(rows: AuditRow[], sealer: TestApi | null = api): Promise<string[]> {
    const ids = rows.map((row) => row.id);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (sealer) await sealer.app.get(AuditSealer).sealNow(true);
      const { rows: seals } = await db.query<{ audit_id: string; seq: string }>(
        `SELECT audit_id::text AS audit_id, seq::text AS seq FROM audit_seal WHERE audit_id = ANY($1::bigint[])`,
        [ids],
      );
      if (seals.length === ids.length) {
        const seqOf = new Map(seals.map((seal) => [seal.audit_id, seal.seq]));
        return ids.map((id) => seqOf.get(id)!);
      }
      if (Date.now() > deadline) throw new Error(`${ids.length - seals.length} rows not sealed`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The window [first row's ms, last row's ms + 1) that holds `rows`. */
  function windowOf(rows: AuditRow[]): { from: string; to: string } {
    const ms = rows.map((row) => Math.floor(new Date(row.at).getTime()));
    return {
      from: new Date(Math.min(...ms)).toISOString(),
      to: new Date(Math.max(...ms) + 1).toISOString(),
    };
  }

  const verify = async (window: { from: string; to: string }, on: TestApi = api) => {
    const result = await on.gql(VERIFY, window, auditor.key);
    expect(result.errors).toBeUndefined();
    return result.data.verifyAuditLog;
  };

  /** Runs `sql` with every trigger of audit_log off (foreign keys included), as a superuser can. */
  async function asSuperuser(sql: string, params: unknown[]): Promise<void> {
    await db.query('BEGIN');
    try {
      await db.query('ALTER TABLE audit_log DISABLE TRIGGER ALL');
      const changed = await db.query(sql, params);
      expect(changed.rowCount).toBe(1);
      await db.query('ALTER TABLE audit_log ENABLE TRIGGER ALL');
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    }
  }

  /** Puts a deleted row back exactly as it was (same id, instant and JSON). */
  const putBack = (row: AuditRow) =>
    asSuperuser(
      `INSERT INTO audit_log (id, at, actor_id, action, args, outcome, error_code, message)
       OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)`,
      [
        row.id,
        row.at,
        row.actor_id,
        row.action,
        row.args,
        row.outcome,
        row.error_code,
        row.message,
      ],
    );

  it('seals every mutation in a chain that verifies, for the auditor and the operator', async () => {
    const rows = await mutations(3);
    const seqs = await sealsOf(rows);
    const { rows: chain } = await db.query<{ seq: string; prev_hash: string; previous: string }>(
      `SELECT s.seq::text AS seq, s.prev_hash, coalesce(p.hash, repeat('0', 64)) AS previous
       FROM audit_seal s LEFT JOIN audit_seal p ON p.seq = s.seq - 1
       WHERE s.seq = ANY($1::bigint[])`,
      [seqs],
    );
    for (const link of chain) expect(link.prev_hash).toBe(link.previous);
    const check = await verify(windowOf(rows));
    expect(check).toMatchObject({ ok: true, firstBrokenSeq: null, reasons: [], unsealed: 0 });
    expect(check.sealsChecked).toBeGreaterThanOrEqual(3);
    const asOperator = await api.gql(VERIFY, windowOf(rows), api.operatorKey);
    expect(asOperator.data.verifyAuditLog.ok).toBe(true);
    const tenant = await api.createParticipant(uniqueName('Tenant'));
    const asTenant = await api.gql(VERIFY, windowOf(rows), tenant.key);
    expect(asTenant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('names a sealed row that was changed', async () => {
    const rows = await mutations(3);
    const seqs = await sealsOf(rows);
    const changed = rows[1];
    await asSuperuser(`UPDATE audit_log SET message = 'nothing happened' WHERE id = $1`, [
      changed.id,
    ]);
    try {
      const check = await verify(windowOf(rows));
      expect(check.ok).toBe(false);
      expect(check.firstBrokenSeq).toBe(seqs[1]);
      expect(check.reasons).toEqual([
        `seal ${seqs[1]}: audit row ${changed.id} was changed after it was sealed`,
      ]);
    } finally {
      await asSuperuser(`UPDATE audit_log SET message = $2 WHERE id = $1`, [
        changed.id,
        changed.message,
      ]);
    }
    expect((await verify(windowOf(rows))).ok).toBe(true);
  });

  it('names a sealed row that was deleted', async () => {
    const rows = await mutations(3);
    const seqs = await sealsOf(rows);
    const deleted = rows[0];
    await asSuperuser(`DELETE FROM audit_log WHERE id = $1`, [deleted.id]);
    try {
      const check = await verify(windowOf(rows));
      expect(check.ok).toBe(false);
      expect(check.firstBrokenSeq).toBe(seqs[0]);
      expect(check.reasons).toEqual([`seal ${seqs[0]}: audit row ${deleted.id} is missing`]);
    } finally {
      await putBack(deleted);
    }
    expect((await verify(windowOf(rows))).ok).toBe(true);
  });

  it('names a broken link when a seal no longer points at its predecessor', async () => {
    const rows = await mutations(2);
    const seqs = await sealsOf(rows);
    const { rows: before } = await db.query<{ prev_hash: string }>(
      `SELECT prev_hash FROM audit_seal WHERE seq = $1`,
      [seqs[1]],
    );
    const forged = 'f'.repeat(64);
    const setPrevHash = async (value: string) => {
      await db.query('BEGIN');
      await db.query('ALTER TABLE audit_seal DISABLE TRIGGER USER');
      await db.query(`UPDATE audit_seal SET prev_hash = $2 WHERE seq = $1`, [seqs[1], value]);
      await db.query('ALTER TABLE audit_seal ENABLE TRIGGER USER');
      await db.query('COMMIT');
    };
    await setPrevHash(forged);
    try {
      const check = await verify(windowOf(rows));
      expect(check.ok).toBe(false);
      expect(check.firstBrokenSeq).toBe(seqs[1]);
      expect(check.reasons).toEqual([
        expect.stringMatching(
          new RegExp(
            `^seal ${seqs[1]}: broken link, prev_hash ${forged} is not the hash of seal ${BigInt(seqs[1]) - 1n} \\([0-9a-f]{64}\\)$`,
          ),
        ),
      ]);
    } finally {
      await setPrevHash(before[0].prev_hash);
    }
    expect((await verify(windowOf(rows))).ok).toBe(true);
  });

  it('counts a row slipped in behind the sealer, once it is older than the grace', async () => {
    // Below the newest sealed id and an hour old: no sealer looks there, so it stays unsealed.
    const at = new Date(Date.now() - 3_600_000 - (process.pid % 1000) * 1000);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO audit_log (id, at, action, outcome) OVERRIDING SYSTEM VALUE
       VALUES (-(SELECT coalesce(max(id), 0) + 1 FROM audit_log), $1, 'slipped-in', 'OK')
       RETURNING id::text AS id`,
      [at],
    );
    const window = { from: at.toISOString(), to: new Date(at.getTime() + 1).toISOString() };
    // A replica whose grace (2 h) the row is still within does not count it; it seals nothing.
    const patient = await startTestApi({ auditSealGraceMs: 7_200_000, auditSealIntervalMs: 0 });
    try {
      await api.app.get(AuditSealer).sealNow(true);
      expect(await verify(window)).toEqual({
        ok: false,
        sealsChecked: 0,
        firstBrokenSeq: null,
        reasons: [],
        unsealed: 1,
      });
      expect(await verify(window, patient)).toMatchObject({ ok: true, unsealed: 0 });
    } finally {
      await patient.close();
      await asSuperuser(`DELETE FROM audit_log WHERE id = $1`, [rows[0].id]);
    }
  });

  it('seals the concurrent mutations of several clients on two replicas, and they verify', async () => {
    const second = await startTestApi();
    try {
      const batches = await Promise.all([
        mutations(8, [api, second]),
        mutations(8, [second, api]),
        mutations(8, [api, second]),
      ]);
      const rows = batches.flat();
      // The replicas' own timers seal them (every AUDIT_SEAL_INTERVAL_MS, one replica at a time).
      const seqs = await sealsOf(rows, null);
      expect(new Set(seqs).size).toBe(rows.length);
      const check = await verify(windowOf(rows));
      expect(check).toMatchObject({ ok: true, firstBrokenSeq: null, reasons: [], unsealed: 0 });
      expect(check.sealsChecked).toBeGreaterThanOrEqual(rows.length);
    } finally {
      await second.close();
    }
  });

  it('seals what is left when a replica shuts down, waiting for a sealer that holds the lock', async () => {
    // While this session holds the sealer's lock every replica skips its ticks.
    const holder = await connectTestDatabase();
    const closing = await startTestApi({ auditSealIntervalMs: 60_000 });
    let rows: AuditRow[];
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [AUDIT_SEAL_LOCK]);
      rows = await mutations(3, [closing]);
      expect(await closing.app.get(AuditSealer).sealNow()).toBe(0);
      // Another sealer still holds the lock as the replica begins to shut down: it waits for it.
      const closed = closing.close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.end();
      await closed;
    } finally {
      await holder.end().catch(() => undefined);
    }
    const { rows: seals } = await db.query(
      `SELECT 1 FROM audit_seal WHERE audit_id = ANY($1::bigint[])`,
      [rows.map((row) => row.id)],
    );
    expect(seals).toHaveLength(3);
  });

  it('refuses a window holding more seals than AUDIT_VERIFY_MAX_SEALS, and checks one at it', async () => {
    // Three rows of their own second in 2001 (appended like new rows, so they are sealed).
    const base = Date.UTC(2001, 0, 1) + (process.pid % 10_000) * 1000;
    const { rows } = await db.query<AuditRow>(
      `INSERT INTO audit_log (at, action, outcome)
       SELECT timestamptz 'epoch' + ($1::bigint + g * 100) * interval '1 millisecond', 'bound-check', 'OK'
       FROM generate_series(0, 2) g
       RETURNING id::text AS id, at::text AS at`,
      [base],
    );
    await sealsOf(rows);
    const bounded = await startTestApi({ auditVerifyMaxSeals: 2, auditSealIntervalMs: 0 });
    try {
      const atBound = {
        from: new Date(base).toISOString(),
        to: new Date(base + 200).toISOString(),
      };
      expect(await verify(atBound, bounded)).toMatchObject({ ok: true, sealsChecked: 2 });
      const over = await bounded.gql(
        VERIFY,
        { from: atBound.from, to: new Date(base + 300).toISOString() },
        auditor.key,
      );
      expect(over.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'AUDIT_RANGE_TOO_LARGE',
        field: 'to',
      });
      expect(over.errors?.[0].message).toMatch(/more than 2 sealed audit rows/);
    } finally {
      await bounded.close();
    }
  });

  it('refuses an empty or reversed window', async () => {
    const now = new Date().toISOString();
    const result = await api.gql(VERIFY, { from: now, to: now }, auditor.key);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });
});
