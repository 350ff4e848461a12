import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  createParticipants,
  createProduct,
  nextDeliveryStart,
} from '@parkex/test-support/market-factory';
import { insertFixtureReadings } from '@parkex/test-support/meter-fixtures';
import { connectTestDatabase, testDatabaseUrl } from '@parkex/test-support/test-database';
import { DEFAULT_DB_CONNECTION } from '../connection-settings';
import { createDataSource } from '../data-source';
import { AuditLogRepository } from './audit-log.repository';
import { MeterReadingRepository } from './meter-reading.repository';

/** Rows written per list, and the page size that reads them. */
const ROWS = 10;
const PAGE = 3;

/**
 * Keyset pages (`id < beforeId`, newest first) of the lists that return their bigint ids as text:
 * ordered by the number, not by the text (as text, "10000" sorts before "9999", and a page
 * ending at "9999" would skip every id from 10000 up). Each list's identity is moved to just
 * below the next power of ten, so that the spec's rows cross it.
 */
describe('id-ordered pages across a power of ten', () => {
  let dataSource: DataSource;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await createDataSource(testDatabaseUrl(), {
      poolSize: 2,
      name: 'parkex-id-pages-medium',
    }).initialize();
    admin = await connectTestDatabase();
  });
  afterAll(async () => {
    await admin?.end();
    await dataSource?.destroy();
  });

  /** Moves `table`'s identity to a few ids below the next power of ten (forward only). */
  async function nearPowerOfTen(table: 'audit_log' | 'meter_reading'): Promise<bigint> {
    const { rows } = await admin.query<{ last: string }>(
      `SELECT greatest((SELECT coalesce(max(id), 0) FROM ${table}),
                       (SELECT last_value FROM pg_sequences
                        WHERE schemaname = 'public' AND sequencename = '${table}_id_seq'))::text AS last`,
    );
    const power = 10n ** BigInt(rows[0].last.length);
    await admin.query(`ALTER TABLE ${table} ALTER COLUMN id RESTART WITH ${power - 4n}`);
    return power;
  }

  /** Every page of `list` from the newest on, each at most PAGE long. */
  async function allPages(list: (beforeId?: string) => Promise<{ id: string }[]>) {
    const pages: string[][] = [];
    for (let beforeId: string | undefined; ;) {
      const page = (await list(beforeId)).map((row) => row.id);
      if (!page.length) return pages;
      pages.push(page);
      beforeId = page[page.length - 1];
    }
  }

  function expectNewestFirstAcross(power: bigint, written: string[], pages: string[][]) {
    const ids = written.map(BigInt);
    expect(ids.some((id) => id < power) && ids.some((id) => id >= power)).toBe(true);
    expect(pages.flat()).toEqual([...written].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1)));
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(PAGE);
  }

  it('lists the audit log by number', async () => {
    const audit = new AuditLogRepository(dataSource, DEFAULT_DB_CONNECTION);
    const [actor] = await createParticipants(admin, 1);
    const power = await nearPowerOfTen('audit_log');
    const { rows } = await admin.query<{ id: string }>(
      `INSERT INTO audit_log (actor_id, action, outcome)
       SELECT $1, 'test:id-pages', 'OK' FROM generate_series(1, ${ROWS})
       RETURNING id::text AS id`,
      [actor],
    );

    const pages = await allPages((beforeId) =>
      audit.list({ actorId: actor }, beforeId ?? null, PAGE),
    );

    expectNewestFirstAcross(
      power,
      rows.map((r) => r.id),
      pages,
    );
  });

  it('lists meter readings by number', async () => {
    const readings = new MeterReadingRepository(dataSource);
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const power = await nearPowerOfTen('meter_reading');
    await insertFixtureReadings(
      admin,
      Array.from({ length: ROWS }, (_, n) => ({
        readingId: `id-pages-${participant}-${n}`,
        participantId: participant,
        productCode: product,
        deliveryStart: nextDeliveryStart(),
        importWh: 1000,
        submittedBy: participant,
      })),
    );
    const { rows } = await admin.query<{ id: string }>(
      `SELECT id::text AS id FROM meter_reading WHERE participant_id = $1`,
      [participant],
    );

    const pages = await allPages((beforeId) =>
      readings.list({ participantId: participant, beforeId, limit: PAGE }),
    );

    expectNewestFirstAcross(
      power,
      rows.map((r) => r.id),
      pages,
    );
  });
});
