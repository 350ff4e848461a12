import type { Client } from 'pg';
import {
  CANCEL,
  createProduct,
  expectError,
  openInterval,
  orderInput,
  SUBMIT,
  type ProductSettings,
} from '@parkex/test-support/orders';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';

/**
 * Bounded books and a gate that means acknowledgement, against the real API and PostgreSQL:
 * - per product-interval and side at most 10^15 Wh and 10^15 minor units of value (at the
 *   interval's price cap and at its network fee); per participant the product's
 *   maxParticipantQuantity, frozen when the interval opens; each at the bound and one Wh past it;
 * - an insert or a cancellation whose transaction commits after the gate is refused at COMMIT;
 *   late statements do not hold the interval's lock; the API goes by the stored gate and the
 *   database's clock.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** One order's maximum: 10^12 Wh. */
const MAX_ORDER_KWH = '1000000000';
/** The bound of one interval and side: 10^15 Wh, in kWh. */
const SIDE_LIMIT_KWH = '1000000000000';

describe('bounded books', () => {
  let api: TestApi;
  let db: Client;
  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  const submit = (key: string, orders: unknown[]) => api.gql(SUBMIT, { orders }, key);
  const ordersOf = async (participantId: string) =>
    (
      await db.query(`SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1`, [
        participantId,
      ])
    ).rows[0].n as number;
  const sells = (
    product: { code: string },
    start: Date,
    count: number,
    quantity: string,
    price = '0.5',
  ) =>
    Array.from({ length: count }, () =>
      orderInput(product, start, { side: 'SELL', price, quantity }),
    );

  it("refuses at entry one participant's 9,010 SELL orders of 1,000,000,000 kWh to one interval, writing nothing", async () => {
    const product = await createProduct(api);
    const start = openInterval(product);
    const trader = await api.createParticipant(uniqueName('Flooder'));
    const orders = sells(product, start, 9_010, MAX_ORDER_KWH);

    const error = expectError(await submit(trader.key, orders), 'BAD_USER_INPUT', {
      field: 'orders[0].quantity',
      message: new RegExp(
        `^order 0 \\(clientOrderId "${orders[0].clientOrderId as string}"\\): the SELL side of the ${product.code} interval starting ${start.toISOString()} would hold 9010000000000 kWh, more than the limit of 1000000000000 kWh per product-interval and side$`,
      ),
    });
    expect(error.extensions).toMatchObject({
      reason: 'INTERVAL_VOLUME_LIMIT',
      index: 0,
      side: 'SELL',
      limit: SIDE_LIMIT_KWH,
      total: '9010000000000',
    });
    expect(await ordersOf(trader.id)).toBe(0);
    const totals = await db.query(
      `SELECT quantity_wh FROM interval_book_total WHERE product_code = $1`,
      [product.code],
    );
    expect(totals.rows).toEqual([]);
    // one such order alone passes the bounds of the interval but not the participant's default
    expectError(await submit(trader.key, orders.slice(0, 1)), 'BAD_USER_INPUT', {
      field: 'orders[0].quantity',
      message: /more than its maxParticipantQuantity of 100000 kWh/,
    });
    expect(await ordersOf(trader.id)).toBe(0);
  }, 60_000);

  it("holds a participant to the product's maxParticipantQuantity per interval and side; cancelling frees room", async () => {
    const product = await createProduct(api, { maxParticipantQuantity: '10' });
    const start = openInterval(product);
    const a = await api.createParticipant(uniqueName('Bounded'));
    const b = await api.createParticipant(uniqueName('Neighbour'));

    // exactly at the bound: accepted
    const [four] = (
      await submit(a.key, [...sells(product, start, 1, '4'), ...sells(product, start, 1, '6')])
    ).data.submitOrders;
    // one Wh more on that side: refused, naming the batch's first order of that interval-side
    const over = [
      orderInput(product, start, { side: 'BUY', price: '0.1', quantity: '1' }),
      ...sells(product, start, 1, '0.001'),
    ];
    const error = expectError(await submit(a.key, over), 'BAD_USER_INPUT', {
      field: 'orders[1].quantity',
      message: new RegExp(
        `^order 1 \\(clientOrderId "${over[1].clientOrderId as string}"\\): your SELL orders in the ${product.code} interval starting ${start.toISOString()} would total 10.001 kWh, more than its maxParticipantQuantity of 10 kWh per participant, interval and side$`,
      ),
    });
    expect(error.extensions).toMatchObject({
      reason: 'PARTICIPANT_QUANTITY_LIMIT',
      limit: '10',
      total: '10.001',
    });
    expect(await ordersOf(a.id)).toBe(2); // nothing of the refused batch
    // the other side, another interval and another participant have their own room
    expect((await submit(a.key, over.slice(0, 1))).errors).toBeUndefined();
    expect(
      (await submit(a.key, sells(product, openInterval(product, 1), 1, '10'))).errors,
    ).toBeUndefined();
    expect((await submit(b.key, sells(product, start, 1, '10'))).errors).toBeUndefined();

    // a cancelled order frees its room, to the Wh
    expect((await api.gql(CANCEL, { id: four.id }, a.key)).data.cancelOrder.status).toBe(
      'CANCELLED',
    );
    expectError(await submit(a.key, sells(product, start, 1, '4.001')), 'BAD_USER_INPUT', {
      field: 'orders[0].quantity',
    });
    expect((await submit(a.key, sells(product, start, 1, '4'))).errors).toBeUndefined();
    const totals = await db.query(
      `SELECT side, quantity_wh::text FROM participant_book_total
       WHERE participant_id = $1 AND product_code = $2 AND delivery_start = $3 ORDER BY side`,
      [a.id, product.code, start],
    );
    expect(totals.rows).toEqual([
      { side: 'BUY', quantity_wh: '1000' },
      { side: 'SELL', quantity_wh: '10000' },
    ]);
  });

  it('holds every interval-side to 10^15 Wh in total, whoever the participants', async () => {
    const product = await createProduct(api, { maxParticipantQuantity: SIDE_LIMIT_KWH });
    const start = openInterval(product);
    const [a, b, c] = await Promise.all(
      ['Big A', 'Big B', 'Small C'].map((name) => api.createParticipant(uniqueName(name))),
    );
    // 2 × 500 orders of 10^12 Wh: exactly 10^15 Wh on the SELL side
    expect((await submit(a.key, sells(product, start, 500, MAX_ORDER_KWH))).errors).toBeUndefined();
    expect((await submit(b.key, sells(product, start, 500, MAX_ORDER_KWH))).errors).toBeUndefined();
    const error = expectError(
      await submit(c.key, sells(product, start, 1, '0.001')),
      'BAD_USER_INPUT',
      {
        field: 'orders[0].quantity',
        message:
          /the SELL side of .* would hold 1000000000000.001 kWh, more than the limit of 1000000000000 kWh per product-interval and side/,
      },
    );
    expect(error.extensions.reason).toBe('INTERVAL_VOLUME_LIMIT');
    expect(await ordersOf(c.id)).toBe(0);
    // the BUY side is another book
    const buy = orderInput(product, start, { side: 'BUY', price: '0.1', quantity: '0.001' });
    expect((await submit(c.key, [buy])).errors).toBeUndefined();
  }, 60_000);

  it("holds every interval-side's value to 10^15 minor units at the price cap and at the network fee", async () => {
    // |price| up to 100 per kWh: 10^14 Wh are worth 10^14 × 100 / 10 = 10^15 minor units
    const pricey = await createProduct(api, {
      minPrice: '-100',
      maxPrice: '4',
      maxParticipantQuantity: SIDE_LIMIT_KWH,
    });
    const start = openInterval(pricey);
    const [a, b] = await Promise.all(
      ['Rich A', 'Rich B'].map((name) => api.createParticipant(uniqueName(name))),
    );
    expect((await submit(a.key, sells(pricey, start, 100, MAX_ORDER_KWH))).errors).toBeUndefined();
    const error = expectError(
      await submit(b.key, sells(pricey, start, 1, '0.001')),
      'BAD_USER_INPUT',
      {
        field: 'orders[0].quantity',
        message:
          /would hold 100000000000.001 kWh, worth up to 10000000000000.10 \(at the interval's largest price magnitude 100 per kWh\), more than the limit of 10000000000000.00 per product-interval and side/,
      },
    );
    expect(error.extensions).toMatchObject({
      reason: 'INTERVAL_MONEY_LIMIT',
      limit: '10000000000000.00',
      total: '10000000000000.10',
    });
    expect(await ordersOf(b.id)).toBe(0);

    // a network fee of 200 per kWh: 5 × 10^13 Wh make 10^15 minor units of fees
    const taxed = await createProduct(api, {
      networkFee: '200',
      maxParticipantQuantity: SIDE_LIMIT_KWH,
    });
    const taxedStart = openInterval(taxed);
    const buys = (count: number, quantity: string) =>
      Array.from({ length: count }, () =>
        orderInput(taxed, taxedStart, { side: 'BUY', price: '0.1', quantity }),
      );
    expect((await submit(a.key, buys(50, MAX_ORDER_KWH))).errors).toBeUndefined();
    const fee = expectError(await submit(b.key, buys(1, '0.001')), 'BAD_USER_INPUT', {
      message:
        /a network fee of 10000000000000.20 \(at 200 per kWh\), more than the limit of 10000000000000.00/,
    });
    expect(fee.extensions.reason).toBe('INTERVAL_MONEY_LIMIT');
  }, 60_000);

  it('validates maxParticipantQuantity and freezes it into each interval when it opens', async () => {
    const UPSERT = `mutation($input: ProductInput!) { upsertProduct(input: $input) { code maxParticipantQuantity } }`;
    const product = await createProduct(api, { maxParticipantQuantity: '5' });
    const input = (maxParticipantQuantity?: string) => ({
      code: product.code,
      name: 'Test energy',
      unit: 'kWh',
      intervalSeconds: product.intervalSeconds,
      gateClosureSeconds: product.gateClosureSeconds,
      horizonSeconds: product.horizonSeconds,
      priceTick: product.priceTick,
      minPrice: product.minPrice,
      maxPrice: product.maxPrice,
      mechanism: 'UNIFORM_PRICE',
      k: '0.5',
      networkFee: '0',
      ...(maxParticipantQuantity === undefined ? {} : { maxParticipantQuantity }),
    });
    for (const bad of ['0', '-1', '0.0001', '1000000000000.001']) {
      expectError(await api.gql(UPSERT, { input: input(bad) }, api.operatorKey), 'BAD_USER_INPUT', {
        field: 'input.maxParticipantQuantity',
        message:
          /maxParticipantQuantity must be a quantity in kWh with at most 3 decimals, more than 0 and at most 1000000000000 kWh/,
      });
    }
    const trader = await api.createParticipant(uniqueName('Frozen'));
    const start = openInterval(product);
    expect((await submit(trader.key, sells(product, start, 1, '5'))).errors).toBeUndefined();

    // raised to the bound of a side; left out, it stays as it is
    const raised = await api.gql(UPSERT, { input: input(SIDE_LIMIT_KWH) }, api.operatorKey);
    expect(raised.data.upsertProduct.maxParticipantQuantity).toBe(SIDE_LIMIT_KWH);
    const kept = await api.gql(UPSERT, { input: input() }, api.operatorKey);
    expect(kept.data.upsertProduct.maxParticipantQuantity).toBe(SIDE_LIMIT_KWH);
    const listed = await api.gql(`{ products { code maxParticipantQuantity } }`, {}, trader.key);
    expect(listed.data.products).toContainEqual({
      code: 'ELECTRICITY',
      maxParticipantQuantity: '100000',
    });

    // the open interval keeps the 5 kWh it opened with; a new one opens with the new setting
    expectError(await submit(trader.key, sells(product, start, 1, '0.001')), 'BAD_USER_INPUT', {
      message: /more than its maxParticipantQuantity of 5 kWh/,
    });
    expect(
      (await submit(trader.key, sells(product, openInterval(product, 1), 1, '6'))).errors,
    ).toBeUndefined();
  });
});

describe('the gate means acknowledgement', () => {
  let api: TestApi;
  let db: Client;
  const clients: Client[] = [];
  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await db.end();
    await api.close();
  });

  const connect = async () => {
    const client = await connectTestDatabase();
    clients.push(client);
    return client;
  };
  let sequence = 0;
  /** An interval of a fresh product whose gate closes `gateInMs` from the database's now. */
  const intervalClosingIn = async (gateInMs: number) => {
    const product = await createProduct(api);
    sequence += 1;
    const start = new Date(Date.UTC(2037, 0, 1) + sequence * 900_000);
    const { rows } = await db.query<{ gate: Date }>(
      `INSERT INTO product_interval (product_code, delivery_start, gate_closure_at)
       VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3::double precision / 1000))
       RETURNING gate_closure_at AS gate`,
      [product.code, start, gateInMs],
    );
    return { product, start, gate: rows[0].gate };
  };
  const untilPast = async (gate: Date) => {
    await sleep(Math.max(0, gate.getTime() - Date.now()) + 200);
    // the database's clock decides: make sure it is past the gate too
    for (;;) {
      const { rows } = await db.query(`SELECT clock_timestamp() > $1 AS past`, [gate]);
      if (rows[0].past) return;
      await sleep(50);
    }
  };
  const insertOrder = (client: Client, participantId: string, code: string, start: Date) =>
    client.query<{ id: string }>(
      `INSERT INTO market_order (participant_id, client_order_id, product_code, delivery_start, side, price, quantity_wh)
       VALUES ($1, gen_random_uuid()::text, $2, $3, 'BUY', 0.1, 1000) RETURNING id::text`,
      [participantId, code, start],
    );
  const claim = async (client: Client, code: string, start: Date) => {
    await client.query('BEGIN');
    const claimed = await client.query(
      `SELECT 1 FROM product_interval
       WHERE product_code = $1 AND delivery_start = $2 AND state = 'OPEN' AND gate_closure_at <= now()
       FOR UPDATE SKIP LOCKED`,
      [code, start],
    );
    return claimed.rowCount;
  };

  it('refuses at COMMIT an insert whose transaction commits after the gate, and stores nothing', async () => {
    const trader = await api.createParticipant(uniqueName('Slow committer'));
    const { product, start, gate } = await intervalClosingIn(1500);
    const late = await connect();
    await late.query('BEGIN');
    await insertOrder(late, trader.id, product.code, start); // before the gate: accepted for now
    await untilPast(gate);
    await expect(late.query('COMMIT')).rejects.toMatchObject({
      code: 'PX001',
      message: expect.stringMatching(/closed before this transaction committed/),
    });
    const stored = await db.query(
      `SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1`,
      [trader.id],
    );
    expect(stored.rows[0].n).toBe(0);
    const totals = await db.query(`SELECT 1 FROM interval_book_total WHERE product_code = $1`, [
      product.code,
    ]);
    expect(totals.rowCount).toBe(0);
  });

  it('refuses at COMMIT a cancellation whose transaction commits after the gate; the order stays', async () => {
    const trader = await api.createParticipant(uniqueName('Slow canceller'));
    const { product, start, gate } = await intervalClosingIn(1500);
    const [{ id }] = (await insertOrder(db, trader.id, product.code, start)).rows;
    const late = await connect();
    await late.query('BEGIN');
    await late.query(`UPDATE market_order SET status = 'CANCELLED' WHERE id = $1`, [id]);
    await untilPast(gate);
    await expect(late.query('COMMIT')).rejects.toMatchObject({ code: 'PX001' });
    const order = await db.query(`SELECT status FROM market_order WHERE id = $1`, [id]);
    expect(order.rows[0].status).toBe('OPEN');
    const total = await db.query(
      `SELECT quantity_wh::text FROM participant_book_total WHERE participant_id = $1`,
      [trader.id],
    );
    expect(total.rows).toEqual([{ quantity_wh: '1000' }]);
  });

  it("neither waits for a claimed interval nor keeps another interval's claim off it, when late", async () => {
    // two intervals of one product, both past their gate; a matcher is clearing the later one
    const trader = await api.createParticipant(uniqueName('Late at the gate'));
    const { product, start: first, gate } = await intervalClosingIn(1500);
    const second = new Date(first.getTime() + 900_000);
    await db.query(
      `INSERT INTO product_interval (product_code, delivery_start, gate_closure_at) VALUES ($1, $2, $3)`,
      [product.code, second, gate],
    );
    const [{ id }] = (await insertOrder(db, trader.id, product.code, second)).rows;
    await untilPast(gate);
    const clearing = await connect();
    expect(await claim(clearing, product.code, second)).toBe(1);

    /** How a statement ends within a generous bound: its SQLSTATE, or still waiting. */
    const outcome = async (statement: Promise<unknown>) => {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('still waiting for a lock'), 5_000);
      });
      const ended = statement.then(
        () => 'done',
        (error: Error & { code?: string }) => error.code ?? error.message,
      );
      const result = await Promise.race([ended, waited]);
      clearTimeout(timer);
      return result;
    };
    try {
      // a retried batch for both intervals: refused at once, holding no lock on the first one
      const late = await connect();
      await late.query('BEGIN');
      const retry = late.query(
        `INSERT INTO market_order (participant_id, client_order_id, product_code, delivery_start, side, price, quantity_wh)
         SELECT $1, gen_random_uuid()::text, $2, s, 'BUY', 0.1, 1000 FROM unnest($3::timestamptz[]) s`,
        [trader.id, product.code, [first, second]],
      );
      expect(await outcome(retry)).toBe('PX001');
      const matcher = await connect();
      expect(await claim(matcher, product.code, first)).toBe(1);
      await matcher.query('ROLLBACK');

      // a late cancel, raw or through the API, is answered while the matcher holds the interval
      const cancel = late
        .query('ROLLBACK')
        .then(() => late.query(`UPDATE market_order SET status = 'CANCELLED' WHERE id = $1`, [id]));
      expect(await outcome(cancel)).toBe('PX001');
      const viaApi = api.gql(CANCEL, { id }, trader.key);
      expect(await outcome(viaApi)).toBe('done');
      expectError(await viaApi, 'GATE_CLOSED', { field: 'id' });
    } finally {
      await clearing.query('ROLLBACK');
    }
  }, 30_000);

  describe("the API's early gate check", () => {
    const product60 = (): Promise<ProductSettings & { code: string }> =>
      createProduct(api, { intervalSeconds: 60, gateClosureSeconds: 5, horizonSeconds: 7200 });
    const changeGate = async (
      product: ProductSettings & { code: string },
      gateClosureSeconds: number,
    ) => {
      const changed = await api.gql(
        `mutation($input: ProductInput!) { upsertProduct(input: $input) { gateClosureSeconds } }`,
        {
          input: {
            code: product.code,
            name: 'Test energy',
            unit: 'kWh',
            intervalSeconds: product.intervalSeconds,
            gateClosureSeconds,
            horizonSeconds: product.horizonSeconds,
            priceTick: product.priceTick,
            minPrice: product.minPrice,
            maxPrice: product.maxPrice,
            mechanism: 'UNIFORM_PRICE',
            k: '0.5',
            networkFee: '0',
          },
        },
        api.operatorKey,
      );
      expect(changed.errors).toBeUndefined();
    };

    it("follows an interval's stored gate after the product's gateClosureSeconds changed", async () => {
      const product = await product60();
      const trader = await api.createParticipant(uniqueName('Early bird'));
      const start = openInterval(product, 0, 20_000); // its gate: start − 5 s, ≥ 20 s away
      expect(
        (await api.gql(SUBMIT, { orders: [orderInput(product, start)] }, trader.key)).errors,
      ).toBeUndefined();

      // by the product's new setting that gate passed long ago; the interval keeps its own
      await changeGate(product, 3600);
      const again = await api.gql(SUBMIT, { orders: [orderInput(product, start)] }, trader.key);
      expect(again.errors).toBeUndefined();
      // an interval that opens now gets the new gate: this one is closed
      const next = new Date(start.getTime() + 60_000);
      expectError(
        await api.gql(SUBMIT, { orders: [orderInput(product, next)] }, trader.key),
        'GATE_CLOSED',
        { field: 'orders[0].deliveryStart', message: /closed at / },
      );
    });

    it("goes by the database's clock, not the API process's", async () => {
      const product = await product60();
      const trader = await api.createParticipant(uniqueName('Fast clock'));
      const start = openInterval(product, 0, 20_000);
      // this API process's clock runs 10 minutes fast: past the gate by its own reckoning
      const realNow = Date.now.bind(Date);
      const fast = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 600_000);
      try {
        const result = await api.gql(SUBMIT, { orders: [orderInput(product, start)] }, trader.key);
        expect(result.errors).toBeUndefined();
      } finally {
        fast.mockRestore();
      }
    });
  });
});
