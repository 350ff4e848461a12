import { GENESIS_HASH, journalHash, journalLines, type JournalLine } from '@parkex/market';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { testAdminDatabaseUrl } from '@parkex/test-support/test-database';
import { createDatabaseIfMissing, dropDatabase, withDatabase } from '../postgres/database';
import { createDataSource, migrate } from '../data-source';
import { MIGRATIONS } from '../migrations';
import { verifyJournalChain } from './ledger.repository';

/** The migration that gave journals a hash version and the ledger its database-enforced shape. */
const ENFORCE_LEDGER_SHAPE = 1764300200000;
const timestampOf = (migration: { name: string }) => Number(migration.name.match(/\d+$/)![0]);

/**
 * Journals written before EnforceLedgerShape (hash version 1, no keys, no balance trigger) stay
 * valid: the migration applies over them, marks them version 1, and verifyLedger's chain walk
 * recomputes them with the version 1 hash. A database of its own, migrated in two steps.
 */
describe('EnforceLedgerShape over journals written before it', () => {
  const server = withDatabase(testAdminDatabaseUrl(), 'postgres');
  const name = `parkex_ledger_shape_${process.pid}_${Date.now()}`;
  const url = withDatabase(testAdminDatabaseUrl(), name);
  let db: Client;

  beforeAll(async () => {
    await createDatabaseIfMissing(server, name);
    const before = new DataSource({
      ...createDataSource(url, { poolSize: 1, name: 'parkex-migrate-before' }).options,
      migrations: MIGRATIONS.filter((m) => timestampOf(m) < ENFORCE_LEDGER_SHAPE),
    });
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
    await before.destroy();
    db = new Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await dropDatabase(server, name);
  });

  it('keeps old journals at hash version 1, verified with that version', async () => {
    const { rows: people } = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role)
       VALUES ('buyer', 'PARTICIPANT'), ('seller', 'PARTICIPANT') RETURNING id`,
    );
    const accountOf = async (participant: { id: string }) =>
      (
        await db.query<{ id: string }>(`SELECT id::text FROM account WHERE participant_id = $1`, [
          participant.id,
        ])
      ).rows[0].id;
    const { rows: utility } = await db.query<{ id: string }>(
      `SELECT id::text FROM account WHERE kind = 'UTILITY'`,
    );
    const [buyer, seller] = [await accountOf(people[0]), await accountOf(people[1])];
    let prevHash = GENESIS_HASH;
    for (const start of ['2030-01-01T00:00:00.000Z', '2030-01-01T00:15:00.000Z']) {
      const lines = journalLines(
        [
          {
            seq: 0,
            buyerAccountId: buyer,
            sellerAccountId: seller,
            quantityWh: 1000n,
            amountMinor: 350n,
          },
        ],
        utility[0].id,
        '0.125',
      );
      prevHash = await writeVersion1Journal(db, start, prevHash, lines);
    }

    expect(await migrate(url)).toContain(`EnforceLedgerShape${ENFORCE_LEDGER_SHAPE}`);
    const { rows } = await db.query(`SELECT hash_version FROM journal ORDER BY id`);
    expect(rows).toEqual([{ hash_version: 1 }, { hash_version: 1 }]);
    expect(await verifyJournalChain(db, {})).toEqual({
      ok: true,
      firstBrokenJournalId: null,
      reasons: [],
      journalsChecked: 2,
    });
  });
});

/** What the matcher wrote before hash version 2: a result, its journal and lines, chained. */
async function writeVersion1Journal(
  db: Client,
  deliveryStart: string,
  prevHash: string,
  lines: JournalLine[],
): Promise<string> {
  const header = { productCode: 'ELECTRICITY', deliveryStart, inputHash: 'in', resultHash: 'out' };
  const hash = journalHash(1, prevHash, header, lines);
  await db.query(
    `INSERT INTO product_interval (product_code, delivery_start, gate_closure_at)
     VALUES ('ELECTRICITY', $1, now() + interval '1 hour')`,
    [deliveryStart],
  );
  await db.query(
    `INSERT INTO clearing_result (product_code, delivery_start, status, price, volume_wh, amount_minor,
       fee_minor, mechanism, k, price_tick, min_price, max_price, network_fee, bid_count, offer_count,
       fill_count, input_hash, result_hash, demand_curve, supply_curve, matcher_version, matcher_id, timings)
     VALUES ('ELECTRICITY', $1, 'CLEARED', 0.35, 1000, 350, 13, 'UNIFORM_PRICE', 0.5, 0.0001, -0.5, 4,
             0.125, 1, 1, 1, 'in', 'out', '[]', '[]', 'parkex-matcher/1', 'spec', '{}')`,
    [deliveryStart],
  );
  const debit = lines.reduce((sum, l) => (l.amountMinor < 0n ? sum - l.amountMinor : sum), 0n);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO journal (product_code, delivery_start, entry_count, debit_minor, prev_hash, hash)
     VALUES ('ELECTRICITY', $1, $2, $3, $4, $5) RETURNING id::text`,
    [deliveryStart, lines.length, debit.toString(), prevHash, hash],
  );
  for (const line of lines) {
    await db.query(
      `INSERT INTO ledger_entry (journal_id, line, account_id, kind, fill_seq, energy_wh, amount_minor)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        rows[0].id,
        line.line,
        line.accountId,
        line.kind,
        line.fillSeq,
        line.energyWh.toString(),
        line.amountMinor.toString(),
      ],
    );
  }
  return hash;
}
