import { auditSealHash, GENESIS_HASH } from '@parkex/market';
import type { Client } from 'pg';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { AUDIT_SEAL_LOCK, sealAuditRows, verifyAuditSeals } from './audit-log.repository';

/**
 * The sealer against the run's real PostgreSQL. Each test holds the sealer's advisory lock at
 * session level on `sealer`, so the API replicas of other specs skip their ticks meanwhile and
 * only this test seals (its own try-lock succeeds: the session already holds the lock).
 */
describe('sealAuditRows', () => {
  let sealer: Client;
  let writer: Client;
  beforeEach(async () => {
    sealer = await connectTestDatabase();
    writer = await connectTestDatabase();
    await sealer.query('SELECT pg_advisory_lock($1)', [AUDIT_SEAL_LOCK]);
  });
  afterEach(async () => {
    await writer.end();
    await sealer.end(); // ends the session and its lock
  });

  const append = async (client: Client, action: string): Promise<string> => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO audit_log (action, outcome) VALUES ($1, 'OK') RETURNING id::text AS id`,
      [action],
    );
    return rows[0].id;
  };
  const sealAll = async () => {
    while ((await sealAuditRows(sealer, { lateWindowMs: 60_000 }))! > 0);
  };
  const seqOf = async (id: string): Promise<bigint | null> => {
    const { rows } = await sealer.query<{ seq: string }>(
      `SELECT seq::text AS seq FROM audit_seal WHERE audit_id = $1`,
      [id],
    );
    return rows.length ? BigInt(rows[0].seq) : null;
  };

  it('seals a row that commits after a higher id was sealed, later in the chain', async () => {
    await writer.query('BEGIN');
    const late = await append(writer, 'late-commit');
    const early = await append(sealer, 'early-commit');
    expect(BigInt(late)).toBeLessThan(BigInt(early));
    await sealAll();
    expect(await seqOf(early)).not.toBeNull();
    expect(await seqOf(late)).toBeNull();
    await writer.query('COMMIT');
    await sealAll();
    const lateSeq = await seqOf(late);
    expect(lateSeq).toBeGreaterThan((await seqOf(early))!);
    const { rows } = await sealer.query<{ at: Date }>(`SELECT at FROM audit_log WHERE id = $1`, [
      late,
    ]);
    const check = await verifyAuditSeals(
      sealer,
      { from: rows[0].at, to: new Date(Date.now() + 60_000) },
      { graceMs: 60_000 },
    );
    expect(check).toMatchObject({ ok: true, firstBrokenSeq: null, unsealed: 0 });
  });

  it('seals at most one batch per transaction, in id order, each linked to the one before', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await append(writer, `batch-${i}`));
    await sealAll();
    for (let i = 0; i < 3; i++) await append(writer, `bounded-${i}`);
    expect(await sealAuditRows(sealer, { lateWindowMs: 60_000, batch: 2 })).toBe(2);
    expect(await sealAuditRows(sealer, { lateWindowMs: 60_000, batch: 2 })).toBeGreaterThanOrEqual(
      1,
    );
    await sealAll();
    const { rows } = await sealer.query<{
      seq: string;
      prev_hash: string;
      hash: string;
      previous: string | null;
      id: string;
      at: string;
      actorId: string | null;
      action: string;
      args: string | null;
      outcome: string;
      errorCode: string | null;
      message: string | null;
    }>(
      `SELECT s.seq::text AS seq, s.prev_hash, s.hash,
              CASE WHEN s.seq = 1 THEN $2 ELSE p.hash END AS previous,
              a.id::text AS id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
              a.actor_id::text AS "actorId", a.action, a.args::text AS args, a.outcome,
              a.error_code AS "errorCode", a.message
       FROM audit_seal s JOIN audit_log a ON a.id = s.audit_id
       LEFT JOIN audit_seal p ON p.seq = s.seq - 1
       WHERE a.id >= $1 ORDER BY s.seq`,
      [ids[0], GENESIS_HASH],
    );
    const mine = rows.filter((row) => /^(batch|bounded)-/.test(row.action));
    expect(mine.map((row) => row.action)).toEqual([
      'batch-0',
      'batch-1',
      'batch-2',
      'batch-3',
      'batch-4',
      'bounded-0',
      'bounded-1',
      'bounded-2',
    ]);
    for (const row of rows) {
      expect(row.prev_hash).toBe(row.previous);
      expect(row.hash).toBe(auditSealHash(row.prev_hash, row));
    }
  });

  it('leaves the turn to whoever holds the lock', async () => {
    await append(writer, 'waiting');
    expect(await sealAuditRows(writer, { lateWindowMs: 60_000 })).toBeNull();
  });

  it('is refused by the database when a seal does not follow the previous one', async () => {
    const id = await append(writer, 'forged');
    const { rows } = await sealer.query<{ seq: string; at: Date }>(
      `SELECT (SELECT coalesce(max(seq), 0) + 1 FROM audit_seal)::text AS seq,
              (SELECT at FROM audit_log WHERE id = $1) AS at`,
      [id],
    );
    await expect(
      writer.query(
        `INSERT INTO audit_seal (seq, audit_id, audit_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5)`,
        [rows[0].seq, id, rows[0].at, 'a'.repeat(64), 'b'.repeat(64)],
      ),
    ).rejects.toThrow(/does not follow seal/);
    const other = await append(writer, 'forged-too');
    const { rows: head } = await sealer.query<{ seq: string; hash: string }>(
      `SELECT coalesce(max(seq), 0)::text AS seq,
              coalesce((SELECT hash FROM audit_seal ORDER BY seq DESC LIMIT 1), $1) AS hash
       FROM audit_seal`,
      [GENESIS_HASH],
    );
    const next = BigInt(head[0].seq) + 1n;
    const insert = (values: unknown[][]) =>
      writer.query(
        `INSERT INTO audit_seal (seq, audit_id, audit_at, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[])`,
        [0, 1, 2, 3, 4].map((column) => values.map((row) => row[column])),
      );
    const at = (audit: string) =>
      sealer
        .query<{ at: string }>(`SELECT at::text AS at FROM audit_log WHERE id = $1`, [audit])
        .then((result) => result.rows[0].at);
    // A run of two whose second seal does not follow the first.
    await expect(
      insert([
        [next, id, await at(id), head[0].hash, 'd'.repeat(64)],
        [next + 1n, other, await at(other), 'e'.repeat(64), 'f'.repeat(64)],
      ]),
    ).rejects.toThrow(`audit seal ${next + 1n} does not follow seal ${next}`);
    // A well-linked seal that names another instant than its row's.
    await expect(
      insert([[next, id, '2000-01-01T00:00:00Z', head[0].hash, 'd'.repeat(64)]]),
    ).rejects.toThrow(/audit_at is not the sealed row's at/);
    await sealAll();
    await expect(writer.query(`DELETE FROM audit_seal WHERE audit_id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(
      writer.query(`UPDATE audit_seal SET hash = $2 WHERE audit_id = $1`, [id, 'c'.repeat(64)]),
    ).rejects.toThrow(/append-only/);
  });
});
