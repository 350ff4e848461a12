import { randomUUID } from 'node:crypto';
import { verifyJournalChain } from '@parkex/db';
import type { Client } from 'pg';
import { firstBrokenJournal } from '@parkex/test-support/ledger-check';
import { insertReading } from '@parkex/test-support/meter-fixtures';
import {
  closeGate,
  createParticipants,
  createProduct,
  placeOrders,
} from '@parkex/test-support/market-factory';
import { appDatabaseEnv, connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';
import { eventually, startAppProcess, type AppProcess } from '../../scripts/support/processes';

/**
 * Imbalance settlement by the real matcher on the real schema: positions from cleared fills,
 * readings through the reading trigger (ended intervals inside the correction window), revisions,
 * lines, journals and the interval's claim row; exactly once with two matcher processes and one
 * killed in the middle of a settlement.
 */
describe('imbalance settlement (e2e)', () => {
  let db: Client;
  let meter: string;
  const processes: AppProcess[] = [];
  const matchers: TestMatcher[] = [];

  beforeAll(async () => {
    db = await connectTestDatabase();
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role) VALUES ($1, 'METER') RETURNING id::text`,
      [`meter-${randomUUID()}`],
    );
    meter = rows[0].id;
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all(matchers.map((m) => m.close()));
    await db.end();
  });

  /** A product settled as soon as its intervals end: import 12, feed-in 3 per kWh. */
  async function meteredProduct(): Promise<string> {
    const product = await createProduct(db, { priceTick: '0.5' });
    await db.query(
      `UPDATE product SET import_tariff = 12, feed_in_tariff = 3, metering_window_seconds = 0
       WHERE code = $1`,
      [product],
    );
    return product;
  }

  /** The start of the 15-minute interval `back` intervals before the current one (ended). */
  function endedInterval(back: number): Date {
    const now = Math.floor(Date.now() / 900_000) * 900_000;
    return new Date(now - back * 900_000);
  }

  function read(
    product: string,
    start: Date,
    participant: string,
    importWh: number,
    exportWh: number,
    correction?: { readingId: string; version: number; reason: string },
  ): Promise<string> {
    return insertReading(db, {
      participantId: participant,
      productCode: product,
      deliveryStart: start,
      importWh,
      exportWh,
      submittedBy: meter,
      correction,
    });
  }

  async function tradeAndClear(
    matcher: TestMatcher,
    product: string,
    start: Date,
    buyer: string,
    seller: string,
  ): Promise<void> {
    await placeOrders(db, product, start, [
      { participant: buyer, side: 'BUY', price: '10', quantityWh: 2000 },
      { participant: seller, side: 'SELL', price: '10', quantityWh: 2000 },
    ]);
    await closeGate(db, product, start);
    expect(await matcher.drain()).toBeGreaterThanOrEqual(1);
  }

  async function revisions(product: string) {
    const { rows } = await db.query(
      `SELECT s.delivery_start, s.revision, s.clearing_price::text, s.shortfall_price::text,
              s.surplus_price::text, s.readings, s.estimated, s.shortfall_wh::text,
              s.surplus_wh::text, s.amount_minor::text, j.id::text AS journal_id, s.matcher_id
         FROM imbalance_settlement s
         LEFT JOIN journal j ON j.imbalance_product = s.product_code
          AND j.delivery_start = s.delivery_start AND j.imbalance_revision = s.revision
        WHERE s.product_code = $1 ORDER BY s.delivery_start, s.revision`,
      [product],
    );
    return rows as {
      delivery_start: Date;
      revision: number;
      clearing_price: string | null;
      shortfall_price: string;
      surplus_price: string;
      readings: number;
      estimated: number;
      shortfall_wh: string;
      surplus_wh: string;
      amount_minor: string;
      journal_id: string | null;
      matcher_id: string;
    }[];
  }

  async function lines(product: string, revision: number) {
    const { rows } = await db.query(
      `SELECT line, kind, participant_id::text, position_wh::text, metered_import_wh::text,
              metered_export_wh::text, estimated, imbalance_wh::text, price::text,
              amount_minor::text
         FROM imbalance_line WHERE product_code = $1 AND revision = $2 ORDER BY line`,
      [product, revision],
    );
    return rows as Record<string, unknown>[];
  }

  /** Per participant: the sum of its IMBALANCE ledger entries (energy Wh, money minor units). */
  async function ledger(product: string) {
    const { rows } = await db.query<{ participant: string | null; energy: string; amount: string }>(
      `SELECT a.participant_id::text AS participant, sum(e.energy_wh)::text AS energy,
              sum(e.amount_minor)::text AS amount
         FROM journal j JOIN ledger_entry e ON e.journal_id = j.id
         JOIN account a ON a.id = e.account_id
        WHERE j.imbalance_product = $1 AND e.kind = 'IMBALANCE'
        GROUP BY a.participant_id`,
      [product],
    );
    return new Map(rows.map((r) => [r.participant ?? 'utility', [r.energy, r.amount]]));
  }

  it('settles the hand-computed case: estimate, late reading, correction; zero-sum and chained', async () => {
    const product = await meteredProduct();
    const [buyer, seller, solar] = await createParticipants(db, 3);
    const start = endedInterval(2);
    const matcher = await startTestMatcher([product]);
    matchers.push(matcher);
    // nothing is due before the interval is cleared
    await placeOrders(db, product, start, [
      { participant: buyer, side: 'BUY', price: '10', quantityWh: 2000 },
      { participant: seller, side: 'SELL', price: '10', quantityWh: 2000 },
    ]);
    expect(await matcher.settleImbalances()).toEqual([]);
    await closeGate(db, product, start);
    expect(await matcher.drain()).toBe(1);

    // the buyer took 2.6 kWh for 2 bought; the solar roof fed in 0.4 kWh it never sold;
    // the seller's reading is missing
    const buyerReading = await read(product, start, buyer, 2600, 0);
    await read(product, start, solar, 0, 400);
    expect(await matcher.settleImbalances()).toMatchObject([{ revision: 0, lines: 3 }]);

    // clearing price 10; shortfall at max(10, 12) = 12, surplus at min(10, 3) = 3
    expect(await revisions(product)).toMatchObject([
      {
        revision: 0,
        clearing_price: '10',
        shortfall_price: '12',
        surplus_price: '3',
        readings: 2,
        estimated: 1,
        shortfall_wh: '600',
        surplus_wh: '400',
        amount_minor: '600', // 7.20 paid − 1.20 earned
      },
    ]);
    const sorted = [buyer, seller, solar].sort();
    const expected0: Record<string, Record<string, unknown>> = {
      // 0.6 kWh short × 12 = 7.20 debited
      [buyer]: {
        position_wh: '2000',
        metered_import_wh: '2600',
        metered_export_wh: '0',
        estimated: false,
        imbalance_wh: '600',
        price: '12',
        amount_minor: '-720',
      },
      // no reading: estimated as its position, nothing booked
      [seller]: {
        position_wh: '-2000',
        metered_import_wh: null,
        metered_export_wh: null,
        estimated: true,
        imbalance_wh: '0',
        price: '0',
        amount_minor: '0',
      },
      // 0.4 kWh surplus × 3 = 1.20 credited
      [solar]: {
        position_wh: '0',
        metered_import_wh: '0',
        metered_export_wh: '400',
        estimated: false,
        imbalance_wh: '-400',
        price: '3',
        amount_minor: '120',
      },
    };
    expect(await lines(product, 0)).toEqual(
      sorted.map((p, line) => ({ line, kind: 'NEW', participant_id: p, ...expected0[p] })),
    );

    // the seller's reading arrives late: it delivered 1.5 of the 2 kWh it sold
    await read(product, start, seller, 0, 1500);
    expect(await matcher.settleImbalances()).toMatchObject([{ revision: 1, lines: 2 }]);
    expect(await lines(product, 1)).toEqual([
      { line: 0, kind: 'REVERSAL', participant_id: seller, ...expected0[seller] },
      {
        line: 1,
        kind: 'NEW',
        participant_id: seller,
        position_wh: '-2000',
        metered_import_wh: '0',
        metered_export_wh: '1500',
        estimated: false,
        imbalance_wh: '500',
        price: '12',
        amount_minor: '-600',
      },
    ]);

    // the buyer's meter is corrected to 2 kWh: its shortfall is reversed
    await read(product, start, buyer, 2000, 0, {
      readingId: buyerReading,
      version: 2,
      reason: 'transformer ratio of the meter corrected',
    });
    expect(await matcher.settleImbalances()).toMatchObject([{ revision: 2, lines: 2 }]);
    expect(await lines(product, 2)).toMatchObject([
      {
        line: 0,
        kind: 'REVERSAL',
        participant_id: buyer,
        imbalance_wh: '-600',
        amount_minor: '720',
      },
      { line: 1, kind: 'NEW', participant_id: buyer, imbalance_wh: '0', amount_minor: '0' },
    ]);
    // nothing new: nothing more is written
    expect(await matcher.settleImbalances()).toEqual([]);

    const all = await revisions(product);
    expect(
      all.map((r) => [
        r.revision,
        r.readings,
        r.estimated,
        r.shortfall_wh,
        r.surplus_wh,
        r.amount_minor,
      ]),
    ).toEqual([
      [0, 2, 1, '600', '400', '600'],
      [1, 3, 0, '1100', '400', '600'],
      [2, 3, 0, '500', '400', '-720'],
    ]);
    expect(all.every((r) => r.journal_id !== null)).toBe(true);
    // in the ledger: the seller paid 6.00 for 0.5 kWh, the roof earned 1.20 for 0.4 kWh, the
    // buyer's 7.20 came back; the utility holds the other side of each
    expect(await ledger(product)).toEqual(
      new Map([
        [buyer, ['0', '0']],
        [seller, ['500', '-600']],
        [solar, ['-400', '120']],
        ['utility', ['-100', '480']],
      ]),
    );
    const total = await db.query<{ sum: string }>(
      `SELECT coalesce(sum(amount_minor), 0)::text AS sum FROM ledger_entry`,
    );
    expect(total.rows[0].sum).toBe('0');
    const check = await verifyJournalChain(db, {
      from: start,
      to: new Date(start.getTime() + 900_000),
    });
    expect(check).toMatchObject({ ok: true });
    expect(check.journalsChecked).toBeGreaterThanOrEqual(4); // the clearing's and three revisions
    const claim = await db.query(
      `SELECT readings, settled_readings, revision FROM imbalance_interval
        WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    expect(claim.rows).toEqual([{ readings: 4, settled_readings: 4, revision: 2 }]);
  });

  it('refuses to change or delete a settlement, its lines or the claim row', async () => {
    const product = await meteredProduct();
    const [buyer, seller] = await createParticipants(db, 2);
    const start = endedInterval(3);
    const matcher = await startTestMatcher([product]);
    matchers.push(matcher);
    await tradeAndClear(matcher, product, start, buyer, seller);
    await read(product, start, buyer, 2100, 0);
    await matcher.settleImbalances();
    for (const sql of [
      `UPDATE imbalance_settlement SET amount_minor = 0 WHERE product_code = $1`,
      `DELETE FROM imbalance_line WHERE product_code = $1`,
      `DELETE FROM imbalance_interval WHERE product_code = $1`,
    ]) {
      await expect(db.query(sql, [product])).rejects.toThrow(
        /is append-only: (UPDATE|DELETE) refused/,
      );
    }
  });

  it('settles every interval exactly once with two matcher processes, one killed before its commit', async () => {
    const product = await meteredProduct();
    const [buyer, seller] = await createParticipants(db, 2);
    const starts = [4, 5, 6, 7, 8, 9].map(endedInterval);
    const clearer = await startTestMatcher([product]);
    matchers.push(clearer);
    for (const start of starts) {
      await tradeAndClear(clearer, product, start, buyer, seller);
      await read(product, start, buyer, 2250, 0);
      await read(product, start, seller, 0, 2000);
    }
    const env = { ...appDatabaseEnv(), MATCHER_POLL_MS: '50', MATCHER_IMBALANCE_MS: '50' };
    const matcher = (id: string, extra: Record<string, string> = {}) => {
      const started = startAppProcess('matcher', {
        ...env,
        MATCHER_PRODUCTS: product,
        MATCHER_ID: id,
        ...extra,
      });
      processes.push(started);
      return started;
    };

    const doomed = matcher('doomed', { MATCHER_FAILPOINT: `after-write:exit@${product}` });
    expect(await doomed.exited()).toBeNull();
    expect(doomed.child.signalCode).toBe('SIGKILL');
    // it had written a revision, its lines and journal: none of it is there
    expect(await revisions(product)).toEqual([]);

    matcher('matcher-a');
    matcher('matcher-b');
    await eventually(async () => ((await revisions(product)).length === 6 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300)); // both keep polling: nothing more
    const settled = await revisions(product);
    expect(settled.map((r) => [r.delivery_start.getTime(), r.revision])).toEqual(
      starts.map((s) => [s.getTime(), 0]).sort((a, b) => a[0] - b[0]),
    );
    // 0.25 kWh short × 12 = 3.00 each, one journal each
    expect(settled.every((r) => r.amount_minor === '300' && r.journal_id !== null)).toBe(true);
    expect(new Set(settled.map((r) => r.matcher_id)).has('doomed')).toBe(false);
    const journals = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM journal WHERE imbalance_product = $1`,
      [product],
    );
    expect(journals.rows[0].n).toBe(6);
    // the seller delivered what it sold: no entry of its own
    expect(await ledger(product)).toEqual(
      new Map([
        [buyer, ['1500', '-1800']],
        ['utility', ['-1500', '1800']],
      ]),
    );
    expect(await firstBrokenJournal(db)).toBeNull();
  });
});
