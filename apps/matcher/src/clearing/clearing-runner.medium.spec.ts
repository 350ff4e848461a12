import type { Client } from 'pg';
import { firstBrokenJournal } from '@parkex/test-support/ledger-check';
import {
  closeGate,
  createParticipants,
  createProduct,
  nextDeliveryStart,
  placeOrders,
  unitBook,
  type ProductSpec,
  tamper,
} from '@parkex/test-support/market-factory';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

/** Medium tier: the real matcher module on the real schema; books placed with SQL factories. */
describe('ClearingRunner', () => {
  let db: Client;
  const matchers: TestMatcher[] = [];
  beforeAll(async () => {
    db = await connectTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(matchers.map((m) => m.close()));
    await db.end();
  });

  async function book(spec: ProductSpec, bids: number[], offers: number[]) {
    const product = await createProduct(db, spec);
    const [buyer, seller] = await createParticipants(db, 2);
    const start = nextDeliveryStart();
    const ids = await placeOrders(db, product, start, unitBook(buyer, seller, bids, offers));
    await closeGate(db, product, start);
    const matcher = await startTestMatcher([product]);
    matchers.push(matcher);
    return { product, start, ids, buyer, seller, matcher };
  }

  async function result(product: string, start: Date) {
    const { rows } = await db.query(
      `SELECT status, price::text, volume_wh::text, amount_minor::text, fee_minor::text, bid_count, offer_count,
              fill_count, input_hash, result_hash, demand_curve, supply_curve
       FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    return rows[0];
  }

  it.each([
    ['bids 1..7 vs offers 1..7', [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7], '4', '4000'],
    [
      'bids 1..7 vs offers 2,3,3,5,6,7,8',
      [1, 2, 3, 4, 5, 6, 7],
      [2, 3, 3, 5, 6, 7, 8],
      '4.5',
      '3000',
    ],
    ['bids 7,4,3 vs offers 1,1,5', [7, 4, 3], [1, 1, 5], '3.5', '2000'],
    [
      'bids 100..60 vs offers 80..110',
      [100, 90, 80, 70, 60],
      [80, 85, 95, 100, 110],
      '87.5',
      '2000',
    ],
  ])(
    'clears %s at the uniform price and volume of the design',
    async (_name, bids, offers, price, volume) => {
      const { product, start, matcher } = await book({}, bids, offers);
      expect(await matcher.drain()).toBe(1);
      expect(await result(product, start)).toMatchObject({
        status: 'CLEARED',
        price,
        volume_wh: volume,
      });
    },
  );

  it('settles fills, order states and a balanced journal', async () => {
    // bids 7,4,3 vs offers 1,1,5 (1 kWh each) at 3.5/kWh, network fee 0.125/kWh
    const { product, start, ids, buyer, seller, matcher } = await book(
      { networkFee: '0.125' },
      [7, 4, 3],
      [1, 1, 5],
    );
    expect(await matcher.drain()).toBe(1);

    expect(await result(product, start)).toMatchObject({
      status: 'CLEARED',
      price: '3.5',
      volume_wh: '2000',
      amount_minor: '700', // 2 kWh × 3.5 = 7.00
      fee_minor: '25', // 2 kWh × 0.125 = 0.25
      bid_count: 3,
      offer_count: 3,
      fill_count: 2,
    });
    const fills = await db.query(
      `SELECT seq, buy_order_id::text, sell_order_id::text, quantity_wh::text, price::text, amount_minor::text
       FROM fill WHERE product_code = $1 AND delivery_start = $2 ORDER BY seq`,
      [product, start],
    );
    const [bid7, bid4, , offer1a, offer1b] = ids;
    expect(fills.rows).toEqual([
      {
        seq: 0,
        buy_order_id: bid7,
        sell_order_id: offer1a,
        quantity_wh: '1000',
        price: '3.5',
        amount_minor: '350',
      },
      {
        seq: 1,
        buy_order_id: bid4,
        sell_order_id: offer1b,
        quantity_wh: '1000',
        price: '3.5',
        amount_minor: '350',
      },
    ]);
    const orders = await db.query(
      `SELECT status, filled_wh::text FROM order_result WHERE order_id = ANY($1) ORDER BY order_id`,
      [ids],
    );
    expect(orders.rows.map((o) => `${o.status}:${o.filled_wh}`)).toEqual([
      'FILLED:1000',
      'FILLED:1000',
      'UNFILLED:0',
      'FILLED:1000',
      'FILLED:1000',
      'UNFILLED:0',
    ]);

    const balances = await db.query(
      `SELECT a.participant_id, a.kind, sum(e.amount_minor)::text AS money, sum(e.energy_wh)::text AS energy
       FROM ledger_entry e JOIN journal j ON j.id = e.journal_id JOIN account a ON a.id = e.account_id
       WHERE j.product_code = $1 GROUP BY a.participant_id, a.kind`,
      [product],
    );
    const byOwner = Object.fromEntries(
      balances.rows.map((b) => [b.participant_id ?? b.kind, [b.money, b.energy]]),
    );
    expect(byOwner).toEqual({
      [buyer]: ['-725', '2000'],
      [seller]: ['700', '-2000'],
      UTILITY: ['25', '0'],
    });
    const total = await db.query(
      `SELECT coalesce(sum(amount_minor), 0)::text AS total FROM ledger_entry`,
    );
    expect(total.rows[0].total).toBe('0');
    expect(await firstBrokenJournal(db)).toBeNull();
  });

  it('leaves a partly filled marginal order PARTIALLY_FILLED', async () => {
    const product = await createProduct(db);
    const [buyer, seller] = await createParticipants(db, 2);
    const start = nextDeliveryStart();
    const [bid, offer] = await placeOrders(db, product, start, [
      { participant: buyer, side: 'BUY', price: '10', quantityWh: 3000 },
      { participant: seller, side: 'SELL', price: '8', quantityWh: 1000 },
    ]);
    await closeGate(db, product, start);
    const matcher = await startTestMatcher([product]);
    matchers.push(matcher);
    await matcher.drain();
    const orders = await db.query(
      `SELECT order_id::text AS id, status, filled_wh::text FROM order_result WHERE order_id = ANY($1)`,
      [[bid, offer]],
    );
    expect(
      Object.fromEntries(orders.rows.map((o) => [o.id, `${o.status}:${o.filled_wh}`])),
    ).toEqual({
      [bid]: 'PARTIALLY_FILLED:1000',
      [offer]: 'FILLED:1000',
    });
    // the partly filled bid sets the price: L = max(8, 10) = 10, U = 10
    expect(await result(product, start)).toMatchObject({ price: '10', volume_wh: '1000' });
  });

  it('records NO_TRADE with a null price when nothing crosses, and writes no journal', async () => {
    const { product, start, ids, matcher } = await book({}, [3, 2], [5, 6]);
    expect(await matcher.drain()).toBe(1);
    expect(await result(product, start)).toMatchObject({
      status: 'NO_TRADE',
      price: null,
      volume_wh: '0',
      fill_count: 0,
    });
    const orders = await db.query(
      `SELECT DISTINCT status FROM order_result WHERE order_id = ANY($1)`,
      [ids],
    );
    expect(orders.rows).toEqual([{ status: 'UNFILLED' }]);
    const journals = await db.query(
      `SELECT count(*)::int AS n FROM journal WHERE product_code = $1`,
      [product],
    );
    expect(journals.rows[0].n).toBe(0);
  });

  it('trades each pair at the bid under PAY_AS_BID', async () => {
    const { product, start, matcher } = await book(
      { mechanism: 'PAY_AS_BID' },
      [7, 4, 3],
      [1, 1, 5],
    );
    await matcher.drain();
    const fills = await db.query(
      `SELECT price::text FROM fill WHERE product_code = $1 AND delivery_start = $2 ORDER BY seq`,
      [product, start],
    );
    expect(fills.rows.map((f) => f.price)).toEqual(['7', '4']);
  });

  it('does not clear an interval whose gate is still open, and clears one missed long ago', async () => {
    const product = await createProduct(db);
    const [buyer, seller] = await createParticipants(db, 2);
    const open = nextDeliveryStart();
    const missed = nextDeliveryStart();
    await placeOrders(db, product, open, unitBook(buyer, seller, [5], [4]));
    await placeOrders(db, product, missed, unitBook(buyer, seller, [5], [4]));
    await tamper(
      db,
      `UPDATE product_interval SET gate_closure_at = now() - interval '3 days' WHERE product_code = $1 AND delivery_start = $2`,
      [product, missed],
    );
    const matcher = await startTestMatcher([product]);
    matchers.push(matcher);
    expect(await matcher.drain()).toBe(1);
    expect(await result(product, missed)).toMatchObject({ status: 'CLEARED' });
    expect(await result(product, open)).toBeUndefined();
  });

  it('clears each interval exactly once with two matchers racing over many intervals', async () => {
    const product = await createProduct(db);
    const [buyer, seller] = await createParticipants(db, 2);
    const starts = Array.from({ length: 20 }, () => nextDeliveryStart());
    for (const start of starts)
      await placeOrders(db, product, start, unitBook(buyer, seller, [9, 8, 7], [6, 7, 8]));
    for (const start of starts) await closeGate(db, product, start);
    const [a, b] = await Promise.all([startTestMatcher([product]), startTestMatcher([product])]);
    matchers.push(a, b);
    const [clearedByA, clearedByB] = await Promise.all([a.drain(), b.drain()]);
    expect(clearedByA + clearedByB).toBe(20);
    const rows = await db.query(
      `SELECT count(*)::int AS results, count(DISTINCT (price, volume_wh))::int AS outcomes,
              count(DISTINCT matcher_id)::int AS matchers
       FROM clearing_result WHERE product_code = $1`,
      [product],
    );
    expect(rows.rows[0]).toMatchObject({ results: 20, outcomes: 1 }); // same prices each time
    const fills = await db.query(`SELECT count(*)::int AS n FROM fill WHERE product_code = $1`, [
      product,
    ]);
    expect(fills.rows[0].n).toBe(20 * 2);
    expect(await firstBrokenJournal(db)).toBeNull();
  });

  it('refuses to change results, fills and ledger rows', async () => {
    const { product, matcher } = await book({}, [5], [4]);
    await matcher.drain();
    await expect(
      db.query(`UPDATE clearing_result SET price = 1 WHERE product_code = $1`, [product]),
    ).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM fill WHERE product_code = $1`, [product])).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query(`UPDATE ledger_entry SET amount_minor = 0`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query(`UPDATE order_result SET filled_wh = 0`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM journal`)).rejects.toThrow(/append-only/);
  });
});
