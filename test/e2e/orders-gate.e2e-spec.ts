import type { Client } from 'pg';
import {
  CANCEL,
  createProduct,
  expectError,
  LIST,
  openInterval,
  orderInput,
  SUBMIT,
  type Json,
} from '@parkex/test-support/orders';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import {
  startTestApi,
  uniqueName,
  type GqlResponse,
  type TestApi,
} from '@parkex/test-support/test-api';

/**
 * Time-bound order rules against the real API and PostgreSQL: the gate closure (enforced by the
 * database, raced by submissions and a simulated matcher), cancellation after the gate, retries
 * after the gate, suspension, and per-key rate limiting. Short products (2–4 s intervals, 1 s
 * gate) keep the waits short.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (instantMs: number) => {
  const wait = instantMs - Date.now();
  if (wait > 0) await sleep(wait);
};

describe('gate closure', () => {
  let api: TestApi;
  let db: Client;
  beforeAll(async () => {
    api = await startTestApi({ dbPoolSize: 12 });
    db = await connectTestDatabase();
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  it('puts every acknowledged order, and no refused one, in the book a matcher freezes at the gate', async () => {
    const product = await createProduct(api, {
      intervalSeconds: 2,
      gateClosureSeconds: 1,
      horizonSeconds: 3600,
    });
    const traders = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.createParticipant(uniqueName(`Racer ${i}`))),
    );
    const start = openInterval(product, 0, 1500);
    const gateMs = start.getTime() - 1000;

    // The matcher: from the gate on, claim the interval as apps/matcher does (FOR UPDATE SKIP
    // LOCKED, gate passed by the database's clock, still OPEN), read its book, mark it CLEARED.
    const matcher = async (): Promise<{ book: string[]; by: 'us' | 'another matcher' }> => {
      const client = await connectTestDatabase();
      try {
        await until(gateMs);
        for (let attempt = 0; attempt < 5000; attempt++) {
          await client.query('BEGIN');
          const claimed = await client.query(
            `SELECT 1 FROM product_interval
             WHERE product_code = $1 AND delivery_start = $2 AND state = 'OPEN' AND gate_closure_at <= now()
             FOR UPDATE SKIP LOCKED`,
            [product.code, start],
          );
          if (claimed.rowCount) {
            const book = await client.query(
              `SELECT id::text FROM market_order
               WHERE product_code = $1 AND delivery_start = $2 AND status = 'OPEN'
               ORDER BY market_order.id`,
              [product.code, start],
            );
            await client.query(
              `UPDATE product_interval SET state = 'CLEARED' WHERE product_code = $1 AND delivery_start = $2`,
              [product.code, start],
            );
            await client.query('COMMIT');
            return { book: book.rows.map((r) => r.id as string), by: 'us' };
          }
          await client.query('ROLLBACK');
          const state = await client.query(
            `SELECT state FROM product_interval WHERE product_code = $1 AND delivery_start = $2`,
            [product.code, start],
          );
          if (state.rows[0]?.state === 'CLEARED') {
            // A real matcher of a parallel spec got there first: its book is every order kept.
            const book = await client.query(
              `SELECT id::text FROM market_order WHERE product_code = $1 AND delivery_start = $2
               AND status <> 'CANCELLED' ORDER BY market_order.id`,
              [product.code, start],
            );
            return { book: book.rows.map((r) => r.id as string), by: 'another matcher' };
          }
          await sleep(2);
        }
        throw new Error('the simulated matcher never claimed the interval');
      } finally {
        await client.end();
      }
    };

    // Submissions from 600 ms before the gate to 600 ms after it, back to back, per trader.
    const acknowledged: { id: string; at: number }[] = [];
    const refused: { clientOrderIds: string[]; code: string }[] = [];
    const trader = async ({ key }: { key: string }, t: number) => {
      await until(gateMs - 600);
      let n = 0;
      while (Date.now() < gateMs + 600) {
        n += 1;
        const orders = Array.from({ length: 1 + (n % 3) }, (_, i) =>
          orderInput(product, start, {
            side: t % 2 ? 'SELL' : 'BUY',
            price: t % 2 ? `0.${50 + i}` : `0.${10 + i}`,
          }),
        );
        const result = await api.gql(SUBMIT, { orders }, key);
        if (result.errors) {
          refused.push({
            clientOrderIds: orders.map((o) => o.clientOrderId as string),
            code: result.errors[0].extensions?.code as string,
          });
        } else {
          const at = Date.now();
          for (const order of result.data.submitOrders) acknowledged.push({ id: order.id, at });
        }
      }
    };

    const [frozen] = await Promise.all([matcher(), ...traders.map((t, i) => trader(t, i))]);

    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set(['GATE_CLOSED']));
    // every acknowledged order is in the frozen book, and the book holds nothing else
    expect([...frozen.book].sort()).toEqual(acknowledged.map((a) => a.id).sort());
    // no refused order was written, and nothing was added after the freeze
    const refusedIds = refused.flatMap((r) => r.clientOrderIds);
    const written = await db.query(
      'SELECT count(*)::int AS n FROM market_order WHERE client_order_id = ANY($1)',
      [refusedIds],
    );
    expect(written.rows[0].n).toBe(0);
    const all = await db.query(
      `SELECT count(*)::int AS n FROM market_order WHERE product_code = $1 AND delivery_start = $2`,
      [product.code, start],
    );
    expect(all.rows[0].n).toBe(frozen.book.length);
  }, 30_000);

  it('refuses, in the database, an order for a product-interval that does not exist', async () => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role) VALUES ($1, 'PARTICIPANT') RETURNING id`,
      [`orphan-${Date.now()}-${Math.random()}`],
    );
    await expect(
      db.query(
        `INSERT INTO market_order (participant_id, client_order_id, product_code, delivery_start, side, price, quantity_wh)
         VALUES ($1, 'orphan', 'ELECTRICITY', '2039-01-01T00:00:00Z', 'BUY', 0.1, 1000)`,
        [rows[0].id],
      ),
    ).rejects.toMatchObject({
      code: '23503',
      message: expect.stringMatching(/no product-interval ELECTRICITY/),
    });
    const count = await db.query(
      `SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1`,
      [rows[0].id],
    );
    expect(count.rows[0].n).toBe(0);
  });

  it('refuses a cancellation once the gate has closed (API and database trigger)', async () => {
    const product = await createProduct(api, {
      intervalSeconds: 4,
      gateClosureSeconds: 1,
      horizonSeconds: 3600,
    });
    const { key } = await api.createParticipant(uniqueName('Late canceller'));
    const start = openInterval(product, 0, 2500);
    const [early, late] = (
      await api.gql(
        SUBMIT,
        {
          orders: [
            orderInput(product, start, { price: '0.1' }),
            orderInput(product, start, { price: '0.2' }),
          ],
        },
        key,
      )
    ).data.submitOrders;
    expect((await api.gql(CANCEL, { id: early.id }, key)).data.cancelOrder.status).toBe(
      'CANCELLED',
    );
    await until(start.getTime() - 1000 + 50);
    expectError(await api.gql(CANCEL, { id: late.id }, key), 'GATE_CLOSED', {
      field: 'id',
      message: new RegExp(
        `order ${late.id} can no longer be cancelled: the gate of ${product.code}`,
      ),
    });
    // The trigger enforces it even for a client that bypasses the API.
    await expect(
      db.query(`UPDATE market_order SET status = 'CANCELLED' WHERE id = $1`, [late.id]),
    ).rejects.toMatchObject({ code: 'PX001' });
    const row = await db.query('SELECT status FROM market_order WHERE id = $1', [late.id]);
    expect(row.rows[0].status).not.toBe('CANCELLED');
  });

  it('answers a retry of an acknowledged order with that order even after the gate', async () => {
    const product = await createProduct(api, {
      intervalSeconds: 4,
      gateClosureSeconds: 1,
      horizonSeconds: 3600,
    });
    const { key } = await api.createParticipant(uniqueName('Retrier'));
    const start = openInterval(product, 0, 2500);
    const order = orderInput(product, start, { price: '0.1' });
    const created = (await api.gql(SUBMIT, { orders: [order] }, key)).data.submitOrders[0];
    await until(start.getTime() - 1000 + 50);
    const retried = await api.gql(SUBMIT, { orders: [order] }, key);
    expect(retried.errors).toBeUndefined();
    expect(retried.data.submitOrders[0].id).toBe(created.id);
    // a new order or changed terms are refused
    expectError(
      await api.gql(SUBMIT, { orders: [order, orderInput(product, start)] }, key),
      'GATE_CLOSED',
      { field: 'orders[1].deliveryStart' },
    );
    expectError(await api.gql(SUBMIT, { orders: [{ ...order, price: '0.2' }] }, key), 'CONFLICT', {
      field: 'orders[0].clientOrderId',
    });
  });
});

describe('suspension', () => {
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

  const SUSPEND = `mutation($id: ID!, $reason: String!) { suspendParticipant(id: $id, reason: $reason) { id name role suspendedReason } }`;
  const REINSTATE = `mutation($id: ID!) { reinstateParticipant(id: $id) { id suspendedReason } }`;
  const status = async (id: string) =>
    (await db.query('SELECT status FROM market_order WHERE id = $1', [id])).rows[0].status;

  it('cancels OPEN orders whose gate is open, keeps those in closed gates, and refuses new orders until reinstated', async () => {
    const long = await createProduct(api);
    const short = await createProduct(api, {
      intervalSeconds: 4,
      gateClosureSeconds: 1,
      horizonSeconds: 3600,
    });
    const trader = await api.createParticipant(uniqueName('Suspended works'));
    const bystander = await api.createParticipant(uniqueName('Bystander'));
    const shortStart = openInterval(short, 0, 2500);
    const [frozen] = (
      await api.gql(SUBMIT, { orders: [orderInput(short, shortStart)] }, trader.key)
    ).data.submitOrders;
    const open = (
      await api.gql(
        SUBMIT,
        {
          orders: [
            orderInput(long, openInterval(long, 0), { side: 'BUY', price: '0.1' }),
            orderInput(long, openInterval(long, 5), { side: 'SELL', price: '0.3' }),
          ],
        },
        trader.key,
      )
    ).data.submitOrders;
    const others = (
      await api.gql(SUBMIT, { orders: [orderInput(long, openInterval(long, 0))] }, bystander.key)
    ).data.submitOrders;
    await until(shortStart.getTime() - 1000 + 50); // the short interval's gate has closed

    const reason = 'unpaid settlement invoice 2026-11';
    const suspended = await api.gql(SUSPEND, { id: trader.id, reason }, api.operatorKey);
    expect(suspended.errors).toBeUndefined();
    expect(suspended.data.suspendParticipant).toMatchObject({
      id: trader.id,
      role: 'PARTICIPANT',
      suspendedReason: reason,
    });
    expect(await status(open[0].id)).toBe('CANCELLED');
    expect(await status(open[1].id)).toBe('CANCELLED');
    expect(await status(frozen.id)).not.toBe('CANCELLED'); // in a frozen book: it stays
    expect(await status(others[0].id)).toBe('OPEN');

    const refused = await api.gql(
      SUBMIT,
      { orders: [orderInput(long, openInterval(long, 1))] },
      trader.key,
    );
    const error = expectError(refused, 'FORBIDDEN', {
      message: new RegExp(`trading is suspended for this participant: ${reason}`),
    });
    expect(error.extensions).toMatchObject({ reason: 'SUSPENDED', suspendedReason: reason });
    // reading its own orders still works
    expect((await api.gql(LIST, {}, trader.key)).data.orders.edges).toHaveLength(3);

    const reinstated = await api.gql(REINSTATE, { id: trader.id }, api.operatorKey);
    expect(reinstated.data.reinstateParticipant).toEqual({ id: trader.id, suspendedReason: null });
    const again = await api.gql(
      SUBMIT,
      { orders: [orderInput(long, openInterval(long, 1))] },
      trader.key,
    );
    expect(again.errors).toBeUndefined();
  });

  it('refuses orders of a participant suspended while its request was on the way', async () => {
    const long = await createProduct(api);
    const trader = await api.createParticipant(uniqueName('Racing suspension'));
    const submissions = Array.from({ length: 10 }, (_, i) =>
      api.gql(SUBMIT, { orders: [orderInput(long, openInterval(long, i))] }, trader.key),
    );
    const suspension = api.gql(
      SUSPEND,
      { id: trader.id, reason: 'meter tampering' },
      api.operatorKey,
    );
    const results: GqlResponse[] = await Promise.all(submissions);
    expect((await suspension).errors).toBeUndefined();
    for (const result of results) {
      if (result.errors) expect(result.errors[0].extensions?.code).toBe('FORBIDDEN');
    }
    // whatever got in before the suspension was cancelled by it: nothing is left OPEN
    const open = await db.query(
      `SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1 AND status = 'OPEN'`,
      [trader.id],
    );
    expect(open.rows[0].n).toBe(0);
  });

  it('refuses orders at once with a key revoked elsewhere, while this replica still trusts it from its cache', async () => {
    // a replica that trusts a key it has seen for a minute (AUTH_CACHE_MS)
    const replica = await startTestApi({ authCacheMs: 60_000 });
    try {
      const long = await createProduct(replica);
      const trader = await replica.createParticipant(uniqueName('Revoked elsewhere'));
      expect((await replica.gql('{ me { id } }', {}, trader.key)).data.me.id).toBe(trader.id);
      // revoked by another replica, which this one does not hear of
      await db.query(`UPDATE api_key SET revoked_at = now() WHERE participant_id = $1`, [
        trader.id,
      ]);
      expect((await replica.gql('{ me { id } }', {}, trader.key)).data.me.id).toBe(trader.id);

      const refused = await replica.gql(
        SUBMIT,
        { orders: [orderInput(long, openInterval(long, 1))] },
        trader.key,
      );
      expectError(refused, 'UNAUTHENTICATED', { message: /unknown or has been revoked/ });
      const stored = await db.query(
        `SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1`,
        [trader.id],
      );
      expect(stored.rows[0].n).toBe(0);
    } finally {
      await replica.close();
    }
  });

  it('is for the operator only, with a reason, for trading participants', async () => {
    const trader = await api.createParticipant(uniqueName('Trader'));
    const auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
    expectError(await api.gql(SUSPEND, { id: trader.id, reason: 'x' }, trader.key), 'FORBIDDEN');
    expectError(await api.gql(SUSPEND, { id: trader.id, reason: 'x' }, auditor.key), 'FORBIDDEN');
    expectError(await api.gql(REINSTATE, { id: trader.id }, auditor.key), 'FORBIDDEN');
    expectError(
      await api.gql(SUSPEND, { id: trader.id, reason: '  ' }, api.operatorKey),
      'BAD_USER_INPUT',
      {
        field: 'reason',
      },
    );
    expectError(
      await api.gql(SUSPEND, { id: auditor.id, reason: 'x' }, api.operatorKey),
      'BAD_USER_INPUT',
      { field: 'id', message: /only a trading participant can be suspended/ },
    );
    expectError(
      await api.gql(
        SUSPEND,
        { id: '00000000-0000-0000-0000-000000000000', reason: 'x' },
        api.operatorKey,
      ),
      'NOT_FOUND',
    );
    const me = await api.gql('{ me { suspendedReason } }', {}, trader.key);
    expect(me.data.me.suspendedReason).toBeNull();
  });
});

describe('rate limiting', () => {
  let api: TestApi;
  let db: Client;
  beforeAll(async () => {
    api = await startTestApi({ rateLimitPerSecond: 4, rateLimitBurst: 8 });
    db = await connectTestDatabase();
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  it('refuses requests beyond the burst per API key with RATE_LIMITED, and refills', async () => {
    // A request weighs its query cost, each order submitted an item: createParticipant 4 (the
    // operator's bucket holds 8), `me { id }` 2, this submitOrders of one order 1 + 10 fields.
    const product = { code: 'ELECTRICITY', intervalSeconds: 900, gateClosureSeconds: 300 };
    const a = await api.createParticipant(uniqueName('Chatty'));
    const b = await api.createParticipant(uniqueName('Quiet'));
    expect((await api.gql('{ me { id } }', {}, a.key)).errors).toBeUndefined();
    expect((await api.gql('{ me { id } }', {}, a.key)).errors).toBeUndefined();
    const order = orderInput(product, openInterval(product));
    const limited = await api.gql(SUBMIT, { orders: [order] }, a.key);
    const error = expectError(limited, 'RATE_LIMITED', {
      message:
        /too many requests with this API key: the limit is 4 per second \(bursts of 8\), counted in query cost, each order submitted an item \(this request: 11\); retry in \d+ ms/,
    });
    expect(error.extensions.weight).toBe(11);
    expect(error.extensions.retryAfterMs).toBeGreaterThan(0);
    const written = await db.query('SELECT 1 FROM market_order WHERE client_order_id = $1', [
      order.clientOrderId,
    ]);
    expect(written.rowCount).toBe(0);
    // another key has its own bucket
    expect((await api.gql('{ me { id } }', {}, b.key)).errors).toBeUndefined();
    // four tokens per second come back; a request heavier than the burst needs a full bucket
    await sleep(error.extensions.retryAfterMs + 50);
    const later: Json = await api.gql(SUBMIT, { orders: [order] }, a.key);
    expect(later.errors).toBeUndefined();
  });
});
