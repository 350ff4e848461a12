import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { NEAR_TAMPER_WINDOW } from '@parkex/test-support/ledger-check';
import { closeGate } from '@parkex/test-support/market-factory';
import { orderInput, SUBMIT, type Json } from '@parkex/test-support/orders';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

const VERIFY = `query($product: String!, $start: DateTime!, $from: DateTime!, $to: DateTime!) {
  verifyClearing(productCode: $product, deliveryStart: $start) { ok differences }
  verifySettlement(productCode: $product, deliveryStart: $start) { ok journalId linesChecked differences }
  verifyLedger(from: $from, to: $to) { ok journalsChecked reasons } }`;

/** What each check finds wrong with one interval (empty lists: it passes). */
interface Findings {
  verifyClearing: string[];
  verifySettlement: string[];
  verifyLedger: string[];
}

const CLEAN: Findings = { verifyClearing: [], verifySettlement: [], verifyLedger: [] };

/** A 64-digit hex text no journal has. */
const randomHash = () => randomBytes(32).toString('hex');

/**
 * Every stored table of a cleared interval tampered with in turn, as a superuser could (triggers
 * off with `session_replication_role = replica`, in one transaction), and which of the three
 * checks catches it. Each case builds its own interval through the API and the matcher, tampers,
 * asks all three checks, restores the row and sees all three pass again. The intervals deliver in
 * a day of the reserved near tamper window (about a year ahead), which other specs' whole-chain
 * checks skip.
 */
describe('tampering with the stored clearing and ledger', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let product: string;
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string };
  let auditor: { id: string; key: string };
  // A day of the near tamper window, within the API's horizon (other specs' whole-chain checks
  // skip that window).
  const day = NEAR_TAMPER_WINDOW.from.getTime() + (10 + (process.pid % 40)) * 86_400_000;
  let intervals = 0;

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    product = `TAMPER_${process.pid}_${Date.now().toString(36).toUpperCase()}`;
    const created = await api.gql(
      `mutation($input: ProductInput!) { upsertProduct(input: $input) { code } }`,
      {
        input: {
          code: product,
          name: 'Tamper test energy',
          unit: 'kWh',
          intervalSeconds: 900,
          gateClosureSeconds: 300,
          // The longest the API allows: far enough to reach the near tamper window.
          horizonSeconds: 366 * 86_400,
          priceTick: '0.5',
          minPrice: '-100',
          maxPrice: '1000',
          mechanism: 'UNIFORM_PRICE',
          k: '0.5',
          networkFee: '0.125',
        },
      },
      api.operatorKey,
    );
    expect(created.errors).toBeUndefined();
    buyer = await api.createParticipant(uniqueName('Bakery'));
    seller = await api.createParticipant(uniqueName('Rooftop PV'));
    auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
    matcher = await startTestMatcher([product]);
  });
  afterAll(async () => {
    await matcher.close();
    await db.end();
    await api.close();
  });

  interface Cleared {
    start: Date;
    bids: string[];
    offers: string[];
    journalId: string;
  }

  /**
   * A fresh interval cleared by the matcher from orders placed through the API: bids of 1 kWh at
   * [7, 4, 3] and offers at [1, 1, 5] clear 2 kWh at 3.5 (fills 0 and 1); the buyer pays a network
   * fee of 0.125 × 2 kWh = 0.25. Journal: 6 lines, 725 in debits.
   */
  async function cleared(bidPrices = [7, 4, 3], offerPrices = [1, 1, 5]): Promise<Cleared> {
    intervals += 1;
    const start = new Date(day + intervals * 900_000);
    const place = async (key: string, side: 'BUY' | 'SELL', prices: number[]) => {
      const orders = prices.map((price) =>
        orderInput({ code: product }, start, { side, price: String(price), quantity: '1' }),
      );
      const result = await api.gql(SUBMIT, { orders }, key);
      expect(result.errors).toBeUndefined();
      return result.data.submitOrders.map((order: Json) => order.id as string);
    };
    const bids = await place(buyer.key, 'BUY', bidPrices);
    const offers = await place(seller.key, 'SELL', offerPrices);
    await closeGate(db, product, start);
    await matcher.drain();
    const { rows } = await db.query<{ id: string }>(
      `SELECT id::text FROM journal WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    return { start, bids, offers, journalId: rows[0]?.id ?? '' };
  }

  /** The three checks on one interval (verifyLedger over that interval's delivery alone). */
  async function findings(start: Date): Promise<Findings> {
    const result = await api.gql(
      VERIFY,
      {
        product,
        start: start.toISOString(),
        from: start.toISOString(),
        to: new Date(start.getTime() + 1).toISOString(),
      },
      auditor.key,
    );
    expect(result.errors).toBeUndefined();
    const { verifyClearing, verifySettlement, verifyLedger } = result.data;
    expect(verifyLedger.journalsChecked).toBeLessThanOrEqual(1);
    for (const check of [verifyClearing, verifySettlement, verifyLedger]) {
      expect(check.ok).toBe((check.differences ?? check.reasons).length === 0);
    }
    return {
      verifyClearing: verifyClearing.differences,
      verifySettlement: verifySettlement.differences,
      verifyLedger: verifyLedger.reasons,
    };
  }

  /** A statement, its parameters and how many rows it changes (default 1). */
  type Statement = [sql: string, params: unknown[], rows?: number];

  /** Runs statements with every trigger off (foreign keys included), as a superuser could. */
  async function asSuperuser(...statements: Statement[]): Promise<void> {
    await db.query('BEGIN');
    try {
      await db.query('SET LOCAL session_replication_role = replica');
      for (const [sql, params, rows = 1] of statements) {
        const changed = await db.query(sql, params);
        expect(changed.rowCount).toBe(rows);
      }
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    }
  }

  /** Tampers, reads what the checks find, restores, and sees every check pass again. */
  async function tampered(
    interval: Cleared,
    tamper: Statement[],
    restore: Statement[],
  ): Promise<Findings> {
    expect(await findings(interval.start)).toEqual(CLEAN);
    await asSuperuser(...tamper);
    let found: Findings;
    try {
      found = await findings(interval.start);
    } finally {
      await asSuperuser(...restore);
    }
    expect(await findings(interval.start)).toEqual(CLEAN);
    return found;
  }

  const key = (c: Cleared) => [product, c.start] as const;

  it('clearing_result: a changed price is caught by verifyClearing; changed hashes by all three', async () => {
    const c = await cleared();
    const price = `UPDATE clearing_result SET price = $3 WHERE product_code = $1 AND delivery_start = $2`;
    expect(await tampered(c, [[price, [...key(c), '4']]], [[price, [...key(c), '3.5']]])).toEqual({
      ...CLEAN,
      verifyClearing: ['price differs: stored 4, recomputed 3.5'],
    });

    const { rows } = await db.query(
      `SELECT input_hash, result_hash FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`,
      [...key(c)],
    );
    const stored = rows[0] as { input_hash: string; result_hash: string };
    const forged = randomHash();
    const hashes = `UPDATE clearing_result SET input_hash = $3 WHERE product_code = $1 AND delivery_start = $2`;
    const found = await tampered(
      c,
      [[hashes, [...key(c), forged]]],
      [[hashes, [...key(c), stored.input_hash]]],
    );
    expect(found.verifyClearing).toEqual([
      `inputHash differs: stored ${forged}, recomputed ${stored.input_hash}`,
    ]);
    // The version 2 journal hash covers the clearing's hashes: the settlement and the ledger see it.
    expect(found.verifySettlement).toEqual([
      expect.stringMatching(/^hash \(version 2\) differs: stored [0-9a-f]{64}, recomputed /),
    ]);
    expect(found.verifyLedger).toEqual([
      expect.stringMatching(
        new RegExp(`^journal ${c.journalId}: stored hash [0-9a-f]{64} differs from the recomputed`),
      ),
    ]);
  });

  it('fill: a changed quantity or buyer is caught by verifyClearing and verifySettlement', async () => {
    const c = await cleared();
    const fill = (column: string) =>
      `UPDATE fill SET ${column} = $3 WHERE product_code = $1 AND delivery_start = $2 AND seq = 0`;

    const quantity = await tampered(
      c,
      [[fill('quantity_wh'), [...key(c), 2000]]],
      [[fill('quantity_wh'), [...key(c), 1000]]],
    );
    expect(quantity.verifyClearing).toEqual([
      expect.stringMatching(/^fill 0 differs: stored .* 2 kWh at 3\.5 .*, recomputed .* 1 kWh at/),
    ]);
    expect(quantity.verifySettlement).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^line 0 differs: stored .* energy 1 kWh .*, recomputed .* energy 2 kWh/,
        ),
        expect.stringMatching(/^line 1 differs: /),
        // 3 kWh bought: a fee of 0.375, rounded half away from zero to 0.38.
        expect.stringMatching(/^line 4 differs: stored .* amount -25, recomputed .* amount -38$/),
        'debit_minor differs: stored 725, recomputed 738',
        "the result's fee_minor differs: stored 25, recomputed 38",
        expect.stringMatching(/^hash \(version 2\) differs: /),
      ]),
    );
    expect(quantity.verifyLedger).toEqual([]);

    const party = await tampered(
      c,
      [[fill('buyer_id'), [...key(c), seller.id]]],
      [[fill('buyer_id'), [...key(c), buyer.id]]],
    );
    expect(party.verifyClearing).toEqual([
      `fill 0 differs: stored buy ${c.bids[0]} by ${seller.id} sell ${c.offers[0]} by ${seller.id} 1 kWh at 3.5 amount 350, recomputed buy ${c.bids[0]} by ${buyer.id} sell ${c.offers[0]} by ${seller.id} 1 kWh at 3.5 amount 350`,
    ]);
    expect(party.verifySettlement).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^line 0 differs: stored account \S+ ENERGY fill 0 energy 1 kWh/),
        expect.stringMatching(/^hash \(version 2\) differs: /),
      ]),
    );
    expect(party.verifyLedger).toEqual([]);
  });

  it('order_result: a changed status or filled quantity is caught by verifyClearing', async () => {
    const c = await cleared();
    const [bid7, , bid3] = c.bids;
    const result = `UPDATE order_result SET status = $2, filled_wh = $3 WHERE order_id = $1`;
    expect(
      await tampered(
        c,
        [
          [result, [bid7, 'PARTIALLY_FILLED', 500]],
          [result, [bid3, 'FILLED', 0]],
        ],
        [
          [result, [bid7, 'FILLED', 1000]],
          [result, [bid3, 'UNFILLED', 0]],
        ],
      ),
    ).toEqual({
      ...CLEAN,
      verifyClearing: [
        `order ${bid7} result differs: stored PARTIALLY_FILLED 0.5 kWh filled, recomputed FILLED 1 kWh filled`,
        `order ${bid3} result differs: stored FILLED 0 kWh filled, recomputed UNFILLED 0 kWh filled`,
      ],
    });
  });

  it('market_order: a changed price or quantity in the cleared book is caught by verifyClearing', async () => {
    const c = await cleared();
    const [bid7, bid4] = c.bids;
    // 2 kWh at 7 takes both cheap offers: bid 4 goes unfilled and sets the price, 4.5.
    const quantity = `UPDATE market_order SET quantity_wh = $2 WHERE id = $1`;
    const found = await tampered(c, [[quantity, [bid7, 2000]]], [[quantity, [bid7, 1000]]]);
    expect(found.verifyClearing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^inputHash differs: /),
        expect.stringMatching(/^resultHash differs: /),
        'price differs: stored 3.5, recomputed 4.5',
        `order ${bid7} result differs: stored FILLED 1 kWh filled, recomputed FILLED 2 kWh filled`,
        `order ${bid4} result differs: stored FILLED 1 kWh filled, recomputed UNFILLED 0 kWh filled`,
      ]),
    );
    expect(found.verifySettlement).toEqual([]);
    expect(found.verifyLedger).toEqual([]);

    const price = `UPDATE market_order SET price = $2 WHERE id = $1`;
    const repriced = await tampered(c, [[price, [bid7, '2']]], [[price, [bid7, '7']]]);
    expect(repriced.verifyClearing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^inputHash differs: /),
        'price differs: stored 3.5, recomputed 2.5',
        expect.stringMatching(
          /^fill 0 differs: .* at 3\.5 amount 350, recomputed .* at 2\.5 amount 250$/,
        ),
      ]),
    );
    expect(repriced.verifySettlement).toEqual([]);
    expect(repriced.verifyLedger).toEqual([]);
  });

  it('journal: changed totals or a changed prev_hash are caught by verifySettlement and verifyLedger', async () => {
    const c = await cleared();
    const debit = `UPDATE journal SET debit_minor = $2 WHERE id = $1`;
    expect(await tampered(c, [[debit, [c.journalId, 825]]], [[debit, [c.journalId, 725]]])).toEqual(
      {
        ...CLEAN,
        verifySettlement: ['debit_minor differs: stored 825, recomputed 725'],
        verifyLedger: [`journal ${c.journalId}: debits add up to 725, debit_minor says 825`],
      },
    );

    const { rows } = await db.query<{ prev_hash: string }>(
      `SELECT prev_hash FROM journal WHERE id = $1`,
      [c.journalId],
    );
    const prev = `UPDATE journal SET prev_hash = $2 WHERE id = $1`;
    const forged = randomHash();
    const found = await tampered(
      c,
      [[prev, [c.journalId, forged]]],
      [[prev, [c.journalId, rows[0].prev_hash]]],
    );
    expect(found.verifyClearing).toEqual([]);
    expect(found.verifySettlement).toEqual([
      expect.stringMatching(/^hash \(version 2\) differs: /),
    ]);
    expect(found.verifyLedger).toEqual([
      `journal ${c.journalId}: prev_hash ${forged} is not the hash of its predecessor (${rows[0].prev_hash})`,
      expect.stringMatching(/stored hash [0-9a-f]{64} differs from the recomputed/),
    ]);
  });

  it('ledger_entry: a changed amount or account, a deleted line and an extra line are caught by verifySettlement and verifyLedger', async () => {
    const c = await cleared();
    const { rows } = await db.query<{ line: number; account_id: string; amount_minor: string }>(
      `SELECT line, account_id::text, amount_minor::text FROM ledger_entry WHERE journal_id = $1 ORDER BY line`,
      [c.journalId],
    );
    expect(rows).toHaveLength(6);
    const [buyerLine, sellerLine] = rows;
    const utilityLine = rows[5];

    const amount = `UPDATE ledger_entry SET amount_minor = $3 WHERE journal_id = $1 AND line = $2`;
    const changed = await tampered(
      c,
      [[amount, [c.journalId, 0, -351]]],
      [[amount, [c.journalId, 0, buyerLine.amount_minor]]],
    );
    expect(changed.verifyClearing).toEqual([]);
    expect(changed.verifySettlement).toEqual([
      expect.stringMatching(/^line 0 differs: stored .* amount -351, recomputed .* amount -350$/),
    ]);
    expect(changed.verifyLedger).toEqual([
      expect.stringMatching(/stored hash [0-9a-f]{64} differs from the recomputed/),
      `journal ${c.journalId}: entries sum to -1, not 0`,
      `journal ${c.journalId}: debits add up to 726, debit_minor says 725`,
    ]);

    const account = `UPDATE ledger_entry SET account_id = $3 WHERE journal_id = $1 AND line = $2`;
    const moved = await tampered(
      c,
      [[account, [c.journalId, 0, sellerLine.account_id]]],
      [[account, [c.journalId, 0, buyerLine.account_id]]],
    );
    expect(moved.verifyClearing).toEqual([]);
    expect(moved.verifySettlement).toEqual([
      `line 0 differs: stored account ${sellerLine.account_id} ENERGY fill 0 energy 1 kWh amount -350, recomputed account ${buyerLine.account_id} ENERGY fill 0 energy 1 kWh amount -350`,
    ]);
    expect(moved.verifyLedger).toEqual([
      expect.stringMatching(/stored hash [0-9a-f]{64} differs from the recomputed/),
    ]);

    const insert = `INSERT INTO ledger_entry (journal_id, line, account_id, kind, fill_seq, energy_wh, amount_minor)
                    VALUES ($1, $2, $3, 'NETWORK_FEE', NULL, 0, $4)`;
    const remove = `DELETE FROM ledger_entry WHERE journal_id = $1 AND line = $2`;
    const deleted = await tampered(
      c,
      [[remove, [c.journalId, 5]]],
      [[insert, [c.journalId, 5, utilityLine.account_id, utilityLine.amount_minor]]],
    );
    expect(deleted.verifySettlement).toEqual([
      `line 5 differs: stored none, recomputed account ${utilityLine.account_id} NETWORK_FEE fill - energy 0 kWh amount 25`,
    ]);
    expect(deleted.verifyLedger).toEqual(
      expect.arrayContaining([
        `journal ${c.journalId}: entries sum to -25, not 0`,
        `journal ${c.journalId}: 5 entries, entry_count says 6`,
      ]),
    );
    expect(deleted.verifyClearing).toEqual([]);

    const extra = await tampered(
      c,
      [[insert, [c.journalId, 6, utilityLine.account_id, 0]]],
      [[remove, [c.journalId, 6]]],
    );
    expect(extra.verifySettlement).toEqual([
      `line 6 differs: stored account ${utilityLine.account_id} NETWORK_FEE fill - energy 0 kWh amount 0, recomputed none`,
    ]);
    expect(extra.verifyLedger).toEqual([
      expect.stringMatching(/stored hash [0-9a-f]{64} differs from the recomputed/),
      `journal ${c.journalId}: 7 entries, entry_count says 6`,
    ]);
    expect(extra.verifyClearing).toEqual([]);
  });

  it('verifySettlement: a result with fills but no journal, and a journal for a result without fills', async () => {
    const c = await cleared();
    const { rows } = await db.query<{ delivery_start: Date }>(
      `SELECT delivery_start FROM journal WHERE id = $1`,
      [c.journalId],
    );
    // Move the journal (and its lines) from the cleared interval to one that did not trade.
    const noTrade = await cleared([1], [5]);
    expect(noTrade.journalId).toBe('');
    const move = `UPDATE journal SET delivery_start = $2 WHERE id = $1`;
    await asSuperuser([move, [c.journalId, noTrade.start]]);
    try {
      const orphaned = await findings(c.start);
      expect(orphaned.verifySettlement).toEqual(['the result has 2 fills but no journal']);
      const foreign = await findings(noTrade.start);
      expect(foreign.verifySettlement).toEqual(
        expect.arrayContaining([
          `journal ${c.journalId} settles a result without fills`,
          expect.stringMatching(/^line 0 differs: stored account .* recomputed none$/),
          'entry_count differs: stored 6, recomputed 0',
        ]),
      );
    } finally {
      await asSuperuser([move, [c.journalId, rows[0].delivery_start]]);
    }
    expect(await findings(c.start)).toEqual(CLEAN);
    expect((await findings(noTrade.start)).verifySettlement).toEqual([]);
  });

  it('lists at most 10 differences of a kind and counts the rest', async () => {
    // 12 bids at 7 and 12 offers at 1, 1 kWh each: 12 fills at 4 (4800 in energy debits), 24
    // energy lines, then the buyer's fee of 12 kWh × 0.125 = 150 and the utility's credit.
    const c = await cleared(Array(12).fill(7), Array(12).fill(1));
    const amounts = `UPDATE fill SET amount_minor = amount_minor + $3 WHERE product_code = $1 AND delivery_start = $2`;
    const found = await tampered(
      c,
      [[amounts, [...key(c), 1], 12]],
      [[amounts, [...key(c), -1], 12]],
    );
    expect(found.verifyClearing).toHaveLength(11);
    expect(found.verifyClearing.slice(0, 10)).toEqual(
      Array.from({ length: 10 }, (_, seq) =>
        expect.stringMatching(
          new RegExp(`^fill ${seq} differs: .* amount 401, recomputed .* amount 400$`),
        ),
      ),
    );
    expect(found.verifyClearing[10]).toBe('… 2 more fills differ');
    expect(found.verifySettlement).toEqual([
      ...Array.from({ length: 10 }, (_, line) =>
        expect.stringMatching(new RegExp(`^line ${line} differs: `)),
      ),
      '… 14 more lines differ',
      'debit_minor differs: stored 4950, recomputed 4962',
      expect.stringMatching(/^hash \(version 2\) differs: /),
    ]);
    expect(found.verifyLedger).toEqual([]);
  });

  it('verifySettlement answers NOT_FOUND before clearing and FORBIDDEN to a participant', async () => {
    const query = `query($product: String!, $start: DateTime!) {
      verifySettlement(productCode: $product, deliveryStart: $start) { ok } }`;
    const notCleared = await api.gql(
      query,
      { product, start: new Date(day + 95 * 900_000).toISOString() },
      auditor.key,
    );
    expect(notCleared.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(notCleared.errors?.[0].message).toMatch(/has not been cleared/);
    const c = await cleared();
    const asOperator = await api.gql(
      `query($product: String!, $start: DateTime!) {
        verifySettlement(productCode: $product, deliveryStart: $start) { ok journalId linesChecked differences } }`,
      { product, start: c.start.toISOString() },
      api.operatorKey,
    );
    expect(asOperator.data.verifySettlement).toEqual({
      ok: true,
      journalId: c.journalId,
      linesChecked: 6,
      differences: [],
    });
    const asTenant = await api.gql(query, { product, start: c.start.toISOString() }, buyer.key);
    expect(asTenant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  /** With its triggers and keys on, the database refuses a misshapen ledger by itself. */
  describe('the database refuses', () => {
    /** A journal row for an interval that did not trade (so it may have one), not yet written. */
    async function noTradeInterval(): Promise<Date> {
      const noTrade = await cleared([1], [5]);
      expect(noTrade.journalId).toBe('');
      return noTrade.start;
    }
    const insertJournal = (start: Date, entries: number, debit: number, prevHash = randomHash()) =>
      db.query<{ id: string }>(
        `INSERT INTO journal (product_code, delivery_start, entry_count, debit_minor, prev_hash, hash, hash_version)
         VALUES ($1, $2, $3, $4, $5, $6, 2) RETURNING id::text`,
        [product, start, entries, debit, prevHash, randomHash()],
      );
    const insertLine = (journalId: string, line: number, accountId: string, amount: number) =>
      db.query(
        `INSERT INTO ledger_entry (journal_id, line, account_id, kind, fill_seq, energy_wh, amount_minor)
         VALUES ($1, $2, $3, 'ENERGY', NULL, 0, $4)`,
        [journalId, line, accountId, amount],
      );
    const accountOf = async (participantId: string) =>
      (
        await db.query<{ id: string }>(`SELECT id::text FROM account WHERE participant_id = $1`, [
          participantId,
        ])
      ).rows[0].id;

    async function inTransaction<T>(work: () => Promise<T>): Promise<T> {
      await db.query('BEGIN');
      try {
        const result = await work();
        await db.query('COMMIT');
        return result;
      } catch (error) {
        await db.query('ROLLBACK');
        throw error;
      }
    }

    it('an orphan ledger entry: no such journal, no such account', async () => {
      const c = await cleared();
      const buyerAccount = await accountOf(buyer.id);
      await expect(
        insertLine(String(BigInt(c.journalId) + 1_000_000n), 0, buyerAccount, 0),
      ).rejects.toMatchObject({ code: '23503', constraint: 'ledger_entry_journal' });

      const start = await noTradeInterval();
      await expect(
        inTransaction(async () => {
          const { rows } = await insertJournal(start, 1, 0);
          await insertLine(rows[0].id, 0, '00000000-0000-4000-8000-000000000000', 0);
        }),
      ).rejects.toMatchObject({ code: '23503', constraint: 'ledger_entry_account' });
    });

    it('a line added to a committed journal, even one that keeps it balanced', async () => {
      const c = await cleared();
      const buyerAccount = await accountOf(buyer.id);
      await expect(insertLine(c.journalId, 6, buyerAccount, 0)).rejects.toMatchObject({
        code: '23000',
        message: `journal ${c.journalId} is closed: its entries are written in the transaction that creates it`,
      });
      expect(await findings(c.start)).toEqual(CLEAN);
    });

    it('an unbalanced journal, at commit; a balanced one passes the same check', async () => {
      const start = await noTradeInterval();
      const [buyerAccount, sellerAccount] = [await accountOf(buyer.id), await accountOf(seller.id)];
      const write = (credit: number, entries = 2) =>
        inTransaction(async () => {
          const { rows } = await insertJournal(start, entries, 100);
          await insertLine(rows[0].id, 0, buyerAccount, -100);
          await insertLine(rows[0].id, 1, sellerAccount, credit);
          // Every statement was accepted: only the commit checks the balance.
        });
      await expect(write(99)).rejects.toMatchObject({
        code: '23514',
        message: expect.stringMatching(
          /^journal \d+ does not balance: 2 entries \(lines 0 to 1\) sum to -1 with 100 in debits; the journal says 2 entries and 100 in debits$/,
        ),
      });
      await expect(write(100, 3)).rejects.toMatchObject({
        code: '23514',
        message: expect.stringMatching(/the journal says 3 entries/),
      });
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM journal WHERE product_code = $1 AND delivery_start = $2`,
        [product, start],
      );
      expect(rows[0].n).toBe(0);

      // The same journal balanced passes the check (run early, then rolled back: it settles nothing).
      await db.query('BEGIN');
      try {
        const { rows: journal } = await insertJournal(start, 2, 100);
        await insertLine(journal[0].id, 0, buyerAccount, -100);
        await insertLine(journal[0].id, 1, sellerAccount, 100);
        await expect(db.query('SET CONSTRAINTS journal_balanced IMMEDIATE')).resolves.toBeDefined();
      } finally {
        await db.query('ROLLBACK');
      }
    });

    it('a second journal on the same prev_hash (a fork), and a new journal of hash version 1', async () => {
      const c = await cleared();
      const start = await noTradeInterval();
      const { rows } = await db.query<{ prev_hash: string }>(
        `SELECT prev_hash FROM journal WHERE id = $1`,
        [c.journalId],
      );
      await expect(
        inTransaction(() => insertJournal(start, 1, 0, rows[0].prev_hash)),
      ).rejects.toMatchObject({ code: '23505', constraint: 'journal_prev_hash' });
      await expect(
        db.query(
          `INSERT INTO journal (product_code, delivery_start, entry_count, debit_minor, prev_hash, hash, hash_version)
           VALUES ($1, $2, 1, 0, $3, $4, 1)`,
          [product, start, randomHash(), randomHash()],
        ),
      ).rejects.toMatchObject({ code: '23514', constraint: 'journal_hash_version_2' });
    });
  });
});
