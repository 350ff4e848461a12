import type { Client } from 'pg';
import { connectAsRuntimeRole, connectTestDatabase } from '@parkex/test-support/test-database';
import { DROP_PARTITIONS_BEFORE, ENSURE_PARTITIONS } from './safety.sql';

/**
 * The telemetry table's day partitions, made and dropped by SECURITY DEFINER functions that the
 * runtime role may call although it may create and drop nothing itself. Days far from today keep
 * the specs of the same run (whose matchers apply the 90-day retention) out of the way.
 */
describe('telemetry partitions', () => {
  let a: Client;
  let b: Client;
  let admin: Client;
  beforeAll(async () => {
    a = await connectAsRuntimeRole();
    b = await connectAsRuntimeRole();
    admin = await connectTestDatabase();
  });
  afterAll(async () => {
    await a.end();
    await b.end();
    await admin.end();
  });

  const randomDay = (fromYear: number) =>
    `${fromYear + Math.floor(Math.random() * 50)}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
  const exists = async (day: string) => {
    const name = `telemetry_partition.telemetry_sample_${day.replaceAll('-', '')}`;
    // the runtime role has no USAGE on the partitions' schema: it reaches them through the parent
    const { rows } = await admin.query<{ found: boolean }>(
      `SELECT to_regclass($1) IS NOT NULL AS found`,
      [name],
    );
    return rows[0].found;
  };

  it('concurrent ingests of a new day make its partition once, and both go on', async () => {
    const day = randomDay(2100);
    await a.query('BEGIN');
    await b.query('BEGIN');
    const first = await a.query<{ made: number }>(ENSURE_PARTITIONS, [[day]]);
    const second = b.query<{ made: number }>(ENSURE_PARTITIONS, [[day]]); // waits for a
    await a.query('COMMIT');
    const made = (await second).rows[0].made;
    await b.query('COMMIT');
    expect([first.rows[0].made, made]).toEqual([1, 0]);
    expect(await exists(day)).toBe(true);
  });

  it('the retention drops whole days before the cutoff, never the last 7 days', async () => {
    const day = randomDay(1950);
    await a.query(ENSURE_PARTITIONS, [[day]]);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await a.query(DROP_PARTITIONS_BEFORE, [next]);
    expect(await exists(day)).toBe(false);
    const tooLate = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await expect(a.query(DROP_PARTITIONS_BEFORE, [tooLate])).rejects.toThrow(/at least 7 days/);
  });

  it('the runtime role creates no table of its own', async () => {
    await expect(a.query(`CREATE TABLE telemetry_partition.intruder (id int)`)).rejects.toThrow(
      /permission denied/,
    );
  });
});
