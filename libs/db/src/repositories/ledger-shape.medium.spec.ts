import { randomBytes } from 'node:crypto';
import { journalHash, journalLines, type JournalLine } from '@parkex/market';
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
import { LedgerRepository } from './ledger.repository';

const HASHES = { inputHash: 'i'.repeat(64), resultHash: 'r'.repeat(64) };

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
      lockTimeoutMs: 5_000,
      maxAttempts: 1,
      retryBackoffMs: 0,
      products: [product],
    };

    const [buyer, seller] = await createParticipants(admin, 2);
    const start = nextDeliveryStart();
    await placeOrders(admin, product, start, unitBook(buyer, seller, [7], [1]));
    await closeGate(admin, product, start);
    const outcome = await clearing.clearNextDue(claim, (session) => settleOneFill(session));
    if (outcome?.kind !== 'cleared') throw new Error(`not cleared: ${outcome?.kind}`);
    cleared = { start, ...outcome.value };

    noTrade = nextDeliveryStart();
    await placeOrders(admin, product, noTrade, unitBook(buyer, seller, [1], [7]));
    await closeGate(admin, product, noTrade);
    await clearing.clearNextDue(claim, (session) => settleNoTrade(session));
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
    expect(stored?.result).toMatchObject({ status: 'CLEARED', ...HASHES });
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

/** Settles the claimed unit book: one fill of 1 kWh for 4.00; returns its journal's lines. */
async function settleOneFill(
  session: ClearingSession,
): Promise<{ lines: JournalLine[]; accounts: string[] }> {
  const book = await session.loadBook();
  const [buy, sell] = [book.side.indexOf('BUY'), book.side.indexOf('SELL')];
  const { byParticipant, utility } = await session.accounts(book.participantId);
  const [buyer, seller] = [book.participantId[buy], book.participantId[sell]];
  const accounts = [byParticipant.get(buyer)!, byParticipant.get(seller)!];
  const lines = journalLines(
    [
      {
        seq: 0,
        buyerAccountId: accounts[0],
        sellerAccountId: accounts[1],
        quantityWh: 1000n,
        amountMinor: 400n,
      },
    ],
    utility,
    session.interval.terms.networkFee,
  );
  const { productCode, deliveryStart } = session.interval;
  await session.write({
    record: record('CLEARED', '4', book),
    fills: {
      buyOrderId: [book.id[buy]],
      sellOrderId: [book.id[sell]],
      buyerId: [buyer],
      sellerId: [seller],
      quantityWh: ['1000'],
      price: ['4'],
      amountMinor: ['400'],
    },
    orderStates: { id: book.id, status: ['FILLED', 'FILLED'], filledWh: ['1000', '1000'] },
    journal: {
      accountId: lines.map((l) => l.accountId),
      kind: lines.map((l) => l.kind),
      fillSeq: lines.map((l) => l.fillSeq),
      energyWh: lines.map((l) => l.energyWh.toString()),
      amountMinor: lines.map((l) => l.amountMinor.toString()),
      debitMinor: lines
        .filter((l) => l.amountMinor < 0n)
        .reduce((sum, l) => sum - l.amountMinor, 0n)
        .toString(),
      hashVersion: 2,
      hash: (prevHash) =>
        journalHash(
          2,
          prevHash,
          { productCode, deliveryStart: deliveryStart.toISOString(), ...HASHES },
          lines,
        ),
    },
  });
  return { lines, accounts };
}

/** Settles the claimed book as NO_TRADE: a result, the orders UNFILLED, no journal. */
async function settleNoTrade(session: ClearingSession): Promise<void> {
  const book = await session.loadBook();
  await session.write({
    record: record('NO_TRADE', null, book),
    fills: {
      buyOrderId: [],
      sellOrderId: [],
      buyerId: [],
      sellerId: [],
      quantityWh: [],
      price: [],
      amountMinor: [],
    },
    orderStates: {
      id: book.id,
      status: book.id.map(() => 'UNFILLED' as const),
      filledWh: book.id.map(() => '0'),
    },
  });
}

function record(
  status: 'CLEARED' | 'NO_TRADE',
  price: string | null,
  book: { side: string[] },
): Parameters<ClearingSession['write']>[0]['record'] {
  const traded = status === 'CLEARED';
  return {
    status,
    price,
    volumeWh: traded ? '1000' : '0',
    amountMinor: traded ? '400' : '0',
    feeMinor: '0',
    bidCount: book.side.filter((s) => s === 'BUY').length,
    offerCount: book.side.filter((s) => s === 'SELL').length,
    ...HASHES,
    demandCurve: [],
    supplyCurve: [],
    matcherVersion: 'ledger-medium',
    matcherId: 'ledger-medium',
    timings: {},
  };
}
