import { randomBytes } from 'node:crypto';
import type { JournalLine } from '@parkex/market';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  closeGate,
  createParticipants,
  createProduct,
  nextDeliveryStart,
  placeOrders,
  unitBook,
} from '@parkex/test-support/market-factory';
import { connectTestDatabase, testDatabaseUrl } from '@parkex/test-support/test-database';
import { DEFAULT_DB_CONNECTION } from '../connection-settings';
import { createDataSource } from '../data-source';
import { ClearingRepository, type ClaimOptions, type ClearingSession } from './clearing.repository';
import {
  LEDGER_LOCK_WAIT_MS,
  SPEC_HASHES,
  settleNoTrade,
  settleOneFill,
} from './clearing.spec-support';
import { LedgerRepository } from './ledger.repository';

/**
 * The ledger as LedgerRepository reads it and as the database shapes it: a journal written by a
 * clearing verifies and reads back whole; a journal that does not balance, a line added later, a
 * fork of the chain and an old hash version are refused. Nothing here commits a bad journal
 * (other spec files verify the shared chain).
 */
describe('ledger shape (medium)', () => {
  let dataSource: DataSource;
  let ledger: LedgerRepository;
  let admin: Client;
  let product: string;
  /** A cleared interval with one fill and its journal. */
  let cleared: { start: Date; lines: JournalLine[]; accounts: string[] };
  /** A NO_TRADE interval: a clearing result without a journal. */
  let noTrade: Date;

  beforeAll(async () => {
    dataSource = await createDataSource(testDatabaseUrl(), {
      poolSize: 3,
      name: 'parkex-ledger-medium',
    }).initialize();
    ledger = new LedgerRepository(dataSource, DEFAULT_DB_CONNECTION);
    admin = await connectTestDatabase();
    product = await createProduct(admin, { networkFee: '0.02' });
    const clearing = new ClearingRepository(dataSource);
    const claim: ClaimOptions = {
      matcherId: 'ledger-medium',
      claimTimeoutMs: 30_000,
      statementTimeoutMs: 30_000,
      lockTimeoutMs: LEDGER_LOCK_WAIT_MS,
      maxAttempts: 1,
      retryBackoffMs: 0,
      products: [product],
    };

    const [buyer, seller] = await createParticipants(admin, 2);
    const start = nextDeliveryStart();
    await placeOrders(admin, product, start, unitBook(buyer, seller, [7], [1]));
    await closeGate(admin, product, start);
    /** Clears the due interval with `settle`; throws, naming the outcome, unless it cleared. */
    const clear = async <T>(settle: (session: ClearingSession) => Promise<T>): Promise<T> => {
      const outcome = await clearing.clearNextDue(claim, settle);
      if (outcome?.kind !== 'cleared') throw new Error(`not cleared: ${JSON.stringify(outcome)}`);
      return outcome.value;
    };
    cleared = { start, ...(await clear(settleOneFill)) };

    noTrade = nextDeliveryStart();
    await placeOrders(admin, product, noTrade, unitBook(buyer, seller, [1], [7]));
    await closeGate(admin, product, noTrade);
    await clear(settleNoTrade);
  });
  afterAll(async () => {
    await admin?.end();
    await dataSource?.destroy();
  });

  /** Runs `sql` in a transaction of its own as the administrator and commits it. */
  async function committing(statements: [string, unknown[]][]): Promise<void> {
    await admin.query('BEGIN');
    try {
      for (const [sql, values] of statements) await admin.query(sql, values);
      await admin.query('COMMIT');
    } catch (error) {
      await admin.query('ROLLBACK');
      throw error;
    }
  }

  const newJournal = (prevHash: string, hashVersion = 2) =>
    [
      `INSERT INTO journal (product_code, delivery_start, entry_count, debit_minor, prev_hash, hash,
                            hash_version)
       VALUES ($1, $2, 1, 0, $3, $4, $5)`,
      [product, noTrade, prevHash, randomBytes(32).toString('hex'), hashVersion],
    ] as [string, unknown[]];

  it('verifies the journal a clearing wrote, and reads its settlement back whole', async () => {
    const range = { from: cleared.start, to: new Date(cleared.start.getTime() + 900_000) };

    expect(await ledger.verify(range)).toEqual({
      ok: true,
      firstBrokenJournalId: null,
      reasons: [],
      journalsChecked: 1,
    });
    const stored = await ledger.storedSettlement(product, cleared.start);
    expect(stored?.result).toMatchObject({ status: 'CLEARED', ...SPEC_HASHES });
    expect(stored?.fills).toHaveLength(1);
    expect([stored?.fills[0].buyerAccountId, stored?.fills[0].sellerAccountId]).toEqual(
      cleared.accounts,
    );
    expect(stored?.journal).toMatchObject({ hashVersion: 2, entryCount: cleared.lines.length });
    expect(stored?.entries).toEqual(cleared.lines);
    expect(stored?.entries.reduce((sum, e) => sum + e.amountMinor, 0n)).toBe(0n);
    expect(await ledger.storedSettlement(product, nextDeliveryStart())).toBeNull();
  });

  it('refuses a line added to a journal after its transaction committed', async () => {
    const { rows } = await admin.query<{ id: string }>(
      `SELECT id::text AS id FROM journal WHERE product_code = $1 AND delivery_start = $2`,
      [product, cleared.start],
    );
    await expect(
      committing([
        [
          `INSERT INTO ledger_entry (journal_id, line, account_id, kind, fill_seq, energy_wh, amount_minor)
           VALUES ($1, $2, $3, 'ENERGY', NULL, 0, 0)`,
          [rows[0].id, cleared.lines.length, cleared.accounts[0]],
        ],
      ]),
    ).rejects.toMatchObject({ code: '23000' });
  });

  it('refuses, at COMMIT, a journal whose lines do not balance', async () => {
    await expect(
      committing([
        newJournal(randomBytes(32).toString('hex')),
        [
          `INSERT INTO ledger_entry (journal_id, line, account_id, kind, fill_seq, energy_wh, amount_minor)
           SELECT id, 0, $3, 'ENERGY', NULL, 0, 5 FROM journal
           WHERE product_code = $1 AND delivery_start = $2`,
          [product, noTrade, cleared.accounts[0]],
        ],
      ]),
    ).rejects.toMatchObject({ code: '23514', message: expect.stringMatching(/does not balance/) });
  });

  it('refuses a fork of the chain: a second journal after the same predecessor', async () => {
    const { rows } = await admin.query<{ prev_hash: string }>(
      `SELECT prev_hash FROM journal WHERE product_code = $1 AND delivery_start = $2`,
      [product, cleared.start],
    );
    await expect(committing([newJournal(rows[0].prev_hash)])).rejects.toMatchObject({
      code: '23505',
      constraint: 'journal_prev_hash',
    });
  });

  it('refuses a new journal of hash version 1', async () => {
    await expect(
      committing([newJournal(randomBytes(32).toString('hex'), 1)]),
    ).rejects.toMatchObject({ code: '23514', constraint: 'journal_hash_version_2' });
  });
});
