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
  type ProductSettings,
} from '@parkex/test-support/orders';
import { closeGate } from '@parkex/test-support/market-factory';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import {
  startTestApi,
  uniqueName,
  type GqlResponse,
  type TestApi,
} from '@parkex/test-support/test-api';

/**
 * Order entry over GraphQL against the real API and PostgreSQL: submitOrders (rules, all or
 * nothing, idempotency), cancelOrder, the orders connection, and isolation between participants.
 * The gate race, suspension and rate limiting are in orders-gate.e2e-spec.ts.
 */

describe('orders over GraphQL', () => {
  let api: TestApi;
  let db: Client;
  let product: ProductSettings & { code: string };
  let start: Date;
  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    // a participant may hold more than the default 100,000 kWh here (one order is 1,000,000)
    product = await createProduct(api, { maxParticipantQuantity: '10000000' });
    start = openInterval(product);
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  const participant = (label = 'Trader') => api.createParticipant(uniqueName(label));
  const submit = (key: string, orders: unknown[]) => api.gql(SUBMIT, { orders }, key);
  const rowsOf = async (clientOrderIds: string[]) =>
    (
      await db.query(
        `SELECT client_order_id, price::text, quantity_wh::text, status FROM market_order
         WHERE client_order_id = ANY($1) ORDER BY id`,
        [clientOrderIds],
      )
    ).rows;

  describe('submitOrders', () => {
    it('stores a batch and returns it in input order, in exact units', async () => {
      const { key } = await participant();
      const later = openInterval(product, 3);
      const orders = [
        orderInput(product, later, { side: 'SELL', price: '0.4215', quantity: '12.5' }),
        orderInput(product, start, { side: 'BUY', price: '-0.1200', quantity: '0.001' }),
        orderInput(product, start, { side: 'SELL', price: '3.9999', quantity: '1000000' }),
      ];
      const before = Date.now();
      const result = await submit(key, orders);
      expect(result.errors).toBeUndefined();
      const returned = result.data.submitOrders;
      expect(returned.map((o: Json) => o.clientOrderId)).toEqual(
        orders.map((o) => o.clientOrderId),
      );
      expect(returned[0]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        clientOrderId: orders[0].clientOrderId,
        productCode: product.code,
        deliveryStart: later.toISOString(),
        side: 'SELL',
        price: '0.4215',
        quantity: '12.5',
        filledQuantity: '0',
        status: 'OPEN',
        createdAt: expect.any(String),
      });
      expect(returned[1]).toMatchObject({ price: '-0.12', quantity: '0.001', side: 'BUY' });
      expect(returned[2]).toMatchObject({ price: '3.9999', quantity: '1000000' });
      expect(new Date(returned[0].createdAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
      // ids follow the batch order
      const ids = returned.map((o: Json) => BigInt(o.id));
      expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
      // integer Wh and numeric prices in the database
      expect(await rowsOf(orders.map((o) => o.clientOrderId as string))).toEqual([
        {
          client_order_id: orders[0].clientOrderId,
          price: '0.4215',
          quantity_wh: '12500',
          status: 'OPEN',
        },
        {
          client_order_id: orders[1].clientOrderId,
          price: '-0.12',
          quantity_wh: '1',
          status: 'OPEN',
        },
        {
          client_order_id: orders[2].clientOrderId,
          price: '3.9999',
          quantity_wh: '1000000000',
          status: 'OPEN',
        },
      ]);
      // the product-intervals exist with the gate computed from the product's settings
      const intervals = await db.query(
        `SELECT delivery_start, gate_closure_at, state FROM product_interval
         WHERE product_code = $1 ORDER BY delivery_start`,
        [product.code],
      );
      const mine = intervals.rows.find(
        (row) => (row.delivery_start as Date).getTime() === start.getTime(),
      );
      expect(mine).toEqual({
        delivery_start: start,
        gate_closure_at: new Date(start.getTime() - product.gateClosureSeconds * 1000),
        state: 'OPEN',
      });
    });

    it('keeps any clientOrderId text intact (quotes, commas, braces, backslashes, unicode)', async () => {
      const { key } = await participant();
      const ids = [
        'a,b',
        '{x}',
        'say "hi"',
        'back\\slash',
        "it's",
        'NULL',
        'Zählerstand ⚡',
        ' spaced ',
      ];
      const orders = ids.map((clientOrderId) => orderInput(product, start, { clientOrderId }));
      const result = await submit(key, orders);
      expect(result.errors).toBeUndefined();
      expect(result.data.submitOrders.map((o: Json) => o.clientOrderId)).toEqual(ids);
      const again = await submit(key, orders);
      expect(again.data.submitOrders).toEqual(result.data.submitOrders);
    });

    const pastInterval = () => {
      const ms = product.intervalSeconds * 1000;
      return new Date(Math.floor(Date.now() / ms) * ms); // started already: its gate has closed
    };
    const beyondHorizon = () => {
      const ms = product.intervalSeconds * 1000;
      return new Date((Math.floor((Date.now() + product.horizonSeconds * 1000) / ms) + 1) * ms);
    };

    it.each<[string, string, () => Record<string, unknown>, string, RegExp]>([
      [
        'an unknown product',
        'BAD_USER_INPUT',
        () => ({ productCode: 'NO_SUCH_PRODUCT' }),
        'productCode',
        /product "NO_SUCH_PRODUCT" does not exist/,
      ],
      [
        'a delivery start off the interval grid',
        'BAD_USER_INPUT',
        () => ({ deliveryStart: new Date(start.getTime() + 60_000).toISOString() }),
        'deliveryStart',
        /is not the start of a .* interval \(a multiple of 900 s/,
      ],
      [
        'a delivery start beyond the horizon',
        'BAD_USER_INPUT',
        () => ({ deliveryStart: beyondHorizon().toISOString() }),
        'deliveryStart',
        /beyond the .* horizon of 172800 s/,
      ],
      [
        'an interval whose gate has closed',
        'GATE_CLOSED',
        () => ({ deliveryStart: pastInterval().toISOString() }),
        'deliveryStart',
        /the gate of the .* interval starting .* closed at/,
      ],
      [
        'a price off the tick',
        'BAD_USER_INPUT',
        () => ({ price: '0.12345' }),
        'price',
        /price 0.12345 is not a multiple of the tick 0.0001/,
      ],
      [
        'a price above maxPrice',
        'BAD_USER_INPUT',
        () => ({ price: '4.0001' }),
        'price',
        /outside the allowed range \[-0.5, 4\]/,
      ],
      [
        'a price below minPrice',
        'BAD_USER_INPUT',
        () => ({ price: '-0.5001' }),
        'price',
        /outside the allowed range/,
      ],
      [
        'a zero quantity',
        'BAD_USER_INPUT',
        () => ({ quantity: '0' }),
        'quantity',
        /quantity must be more than 0 kWh/,
      ],
      [
        'a negative quantity',
        'BAD_USER_INPUT',
        () => ({ quantity: '-1' }),
        'quantity',
        /quantity must be more than 0 kWh/,
      ],
      [
        'a quantity finer than 1 Wh',
        'BAD_USER_INPUT',
        () => ({ quantity: '0.0005' }),
        'quantity',
        /more than 3 decimal places/,
      ],
      [
        'an absurdly large quantity',
        'BAD_USER_INPUT',
        () => ({ quantity: '1000000001' }),
        'quantity',
        /too large/,
      ],
      [
        'a blank clientOrderId',
        'BAD_USER_INPUT',
        () => ({ clientOrderId: '  ' }),
        'clientOrderId',
        /clientOrderId must be 1 to 100 characters/,
      ],
      [
        'a clientOrderId longer than 100',
        'BAD_USER_INPUT',
        () => ({ clientOrderId: 'x'.repeat(101) }),
        'clientOrderId',
        /clientOrderId must be 1 to 100 characters/,
      ],
    ])(
      'refuses %s (%s), naming the order and its field, and writes nothing',
      async (_what, code, change, field, message) => {
        const { key } = await participant();
        const good = orderInput(product, start);
        const bad = orderInput(product, start, { side: 'SELL', price: '0.3', ...change() });
        const result = await submit(key, [good, bad]);
        const error = expectError(result, code, {
          field: `orders[1].${field}`,
          message: new RegExp(`^order 1 \\(clientOrderId .*\\): .*${message.source}`),
        });
        expect(error.extensions.index).toBe(1);
        expect(await rowsOf([good.clientOrderId as string, bad.clientOrderId as string])).toEqual(
          [],
        );
      },
    );

    it('refuses a clientOrderId used twice in one batch', async () => {
      const { key } = await participant();
      const first = orderInput(product, start);
      const again = orderInput(product, start, {
        clientOrderId: first.clientOrderId,
        price: '0.2',
      });
      expectError(await submit(key, [first, orderInput(product, start), again]), 'BAD_USER_INPUT', {
        field: 'orders[2].clientOrderId',
        message: /^order 2 .*also used by order 0 of this batch/,
      });
      expect(await rowsOf([first.clientOrderId as string])).toEqual([]);
    });

    it('is all or nothing: one bad order in a batch of 100 writes none of them', async () => {
      const { key, id } = await participant();
      const orders = Array.from({ length: 100 }, (_, i) =>
        orderInput(product, start, { price: `0.${String(1000 + i).padStart(4, '0')}` }),
      );
      orders[57] = { ...orders[57], price: '0.00001' };
      const error = expectError(await submit(key, orders), 'BAD_USER_INPUT', {
        field: 'orders[57].price',
        message: new RegExp(
          `^order 57 \\(clientOrderId "${orders[57].clientOrderId as string}"\\)`,
        ),
      });
      expect(error.extensions.clientOrderId).toBe(orders[57].clientOrderId);
      const count = await db.query(
        'SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1',
        [id],
      );
      expect(count.rows[0].n).toBe(0);
      // a database refusal rolls back the whole batch too: the last order's gate has closed
      const ms = product.intervalSeconds * 1000;
      const closed = new Date(Math.floor(Date.now() / ms) * ms).toISOString();
      orders[57] = { ...orders[57], price: '0.5' };
      orders[99] = { ...orders[99], deliveryStart: closed };
      expectError(await submit(key, orders), 'GATE_CLOSED', { field: 'orders[99].deliveryStart' });
      const after = await db.query(
        'SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1',
        [id],
      );
      expect(after.rows[0].n).toBe(0);
    });

    it('reports every problem of a batch (the first in the message)', async () => {
      const { key } = await participant();
      const result = await submit(key, [
        orderInput(product, start, { quantity: '0' }),
        orderInput(product, start),
        orderInput(product, start, { quantity: '0.0001' }),
      ]);
      const error = expectError(result, 'BAD_USER_INPUT', {
        field: 'orders[0].quantity',
        message: /^order 0 .*\(and 1 more problem\)$/,
      });
      expect(error.extensions.problems.map((p: Json) => p.field)).toEqual([
        'orders[0].quantity',
        'orders[2].quantity',
      ]);
    });

    it('takes 1 to 10,000 orders per call', async () => {
      const { key, id } = await participant();
      expectError(await submit(key, []), 'BAD_USER_INPUT', {
        field: 'orders',
        message: /1 to 10000 orders per call, got 0/,
      });
      const many = (n: number) =>
        Array.from({ length: n }, (_, i) =>
          orderInput(product, openInterval(product, i % 8), {
            clientOrderId: `bulk-${id}-${n}-${i}`,
            side: i % 2 ? 'SELL' : 'BUY',
            price: i % 2 ? '0.3' : '0.2',
          }),
        );
      expectError(await submit(key, many(10_001)), 'BAD_USER_INPUT', {
        message: /got 10001/,
      });
      const result = await submit(key, many(10_000));
      expect(result.errors).toBeUndefined();
      expect(result.data.submitOrders).toHaveLength(10_000);
      expect(result.data.submitOrders[9_999].clientOrderId).toBe(`bulk-${id}-10000-9999`);
      const count = await db.query(
        'SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1',
        [id],
      );
      expect(count.rows[0].n).toBe(10_000);
    }, 60_000);

    it('is for participants only: OPERATOR and AUDITOR get FORBIDDEN, no key UNAUTHENTICATED', async () => {
      const auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
      const order = orderInput(product, start);
      expectError(await submit(api.operatorKey, [order]), 'FORBIDDEN', {
        message: /submitOrders is for PARTICIPANT only; this key's role is OPERATOR/,
      });
      expectError(await submit(auditor.key, [order]), 'FORBIDDEN');
      expectError(await api.gql(CANCEL, { id: '1' }, auditor.key), 'FORBIDDEN');
      expectError(await api.gql(SUBMIT, { orders: [order] }), 'UNAUTHENTICATED');
      expect(await rowsOf([order.clientOrderId as string])).toEqual([]);
    });
  });

  describe('self-cross', () => {
    it('refuses a BUY at or above its own SELL within one batch', async () => {
      const { key } = await participant();
      const sell = orderInput(product, start, { side: 'SELL', price: '0.25' });
      const buy = orderInput(product, start, { side: 'BUY', price: '0.25' });
      expectError(await submit(key, [sell, buy]), 'SELF_CROSS', {
        field: 'orders[1].price',
        message: /^order 1 .*BUY at 0.25 would cross your own SELL at 0.25/,
      });
      expect(await rowsOf([sell.clientOrderId as string])).toEqual([]);
    });

    it('counts the participant’s OPEN orders, not cancelled ones, other intervals or other participants', async () => {
      const { key } = await participant();
      const other = await participant('Neighbour');
      const resting = await submit(key, [
        orderInput(product, start, { side: 'SELL', price: '0.3' }),
        orderInput(product, start, { side: 'BUY', price: '0.2' }),
      ]);
      expect(resting.errors).toBeUndefined();
      // crossing its own resting SELL (above) or BUY (below): refused
      expectError(
        await submit(key, [orderInput(product, start, { side: 'BUY', price: '0.35' })]),
        'SELF_CROSS',
        { field: 'orders[0].price', message: /BUY at 0.35 would cross your own SELL at 0.3/ },
      );
      expectError(
        await submit(key, [orderInput(product, start, { side: 'SELL', price: '0.2' })]),
        'SELF_CROSS',
        { message: /SELL at 0.2 would cross your own BUY at 0.2/ },
      );
      // inside the spread, in another interval, or by someone else: fine
      const fine = await submit(key, [
        orderInput(product, start, { side: 'BUY', price: '0.25' }),
        orderInput(product, start, { side: 'SELL', price: '0.2501' }),
        orderInput(product, openInterval(product, 1), { side: 'BUY', price: '1' }),
      ]);
      expect(fine.errors).toBeUndefined();
      expect(
        (await submit(other.key, [orderInput(product, start, { side: 'BUY', price: '1' })])).errors,
      ).toBeUndefined();
      // once the resting SELLs are cancelled, a high BUY no longer crosses
      const sells = [resting.data.submitOrders[0].id, fine.data.submitOrders[1].id];
      for (const id of sells) expect((await api.gql(CANCEL, { id }, key)).errors).toBeUndefined();
      expect(
        (await submit(key, [orderInput(product, start, { side: 'BUY', price: '0.5' })])).errors,
      ).toBeUndefined();
    });
  });

  describe('idempotency by clientOrderId', () => {
    it('returns the existing order for a retry with the same terms (prices compared as numbers)', async () => {
      const { key, id } = await participant();
      const first = orderInput(product, start, { price: '0.25', quantity: '1.5' });
      const created = await submit(key, [first]);
      expect(created.errors).toBeUndefined();
      const again = await submit(key, [{ ...first, price: '0.2500', quantity: '1.500' }]);
      expect(again.errors).toBeUndefined();
      expect(again.data.submitOrders).toEqual(created.data.submitOrders);
      // a batch mixing a retry and a new order: both returned, in input order
      const fresh = orderInput(product, start, { price: '0.24' });
      const mixed = await submit(key, [fresh, first]);
      expect(mixed.errors).toBeUndefined();
      expect(mixed.data.submitOrders[1]).toEqual(created.data.submitOrders[0]);
      expect(mixed.data.submitOrders[0].clientOrderId).toBe(fresh.clientOrderId);
      const count = await db.query(
        'SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1',
        [id],
      );
      expect(count.rows[0].n).toBe(2);
    });

    it('refuses the same clientOrderId with other terms (CONFLICT) and writes nothing of the batch', async () => {
      const { key } = await participant();
      const first = orderInput(product, start, { price: '0.25', quantity: '1.5' });
      expect((await submit(key, [first])).errors).toBeUndefined();
      for (const change of [
        { price: '0.2501' },
        { quantity: '1.501' },
        { side: 'SELL', price: '0.3' },
        { deliveryStart: openInterval(product, 1).toISOString() },
      ]) {
        const fresh = orderInput(product, start, { price: '0.1' });
        const result = await submit(key, [fresh, { ...first, ...change }]);
        expectError(result, 'CONFLICT', {
          field: 'orders[1].clientOrderId',
          message: /clientOrderId is already used by order \d+ with other terms/,
        });
        expect(await rowsOf([fresh.clientOrderId as string])).toEqual([]);
      }
    });

    it('stores one order when identical submissions race, and answers all of them with it', async () => {
      const { key, id } = await participant();
      const batch = [
        orderInput(product, start, { price: '0.11' }),
        orderInput(product, openInterval(product, 1), { side: 'SELL', price: '0.5' }),
      ];
      const results = await Promise.all(Array.from({ length: 8 }, () => submit(key, batch)));
      for (const result of results) expect(result.errors).toBeUndefined();
      const ids = results.map((r) => r.data.submitOrders.map((o: Json) => o.id).join());
      expect(new Set(ids).size).toBe(1);
      const count = await db.query(
        'SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1',
        [id],
      );
      expect(count.rows[0].n).toBe(2);
    });

    it('lets exactly one of racing submissions with different terms win; the others get CONFLICT', async () => {
      const { key, id } = await participant();
      const clientOrderId = `race-${id}`;
      const results = await Promise.all(
        ['0.11', '0.12', '0.13', '0.14'].map((price) =>
          submit(key, [orderInput(product, start, { clientOrderId, price })]),
        ),
      );
      const codes = results.map((r) => r.errors?.[0].extensions?.code ?? 'OK').sort();
      expect(codes).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
      expect((await rowsOf([clientOrderId])).length).toBe(1);
    });

    it('scopes clientOrderIds per participant', async () => {
      const a = await participant();
      const b = await participant();
      const order = orderInput(product, start);
      const first = await submit(a.key, [order]);
      const second = await submit(b.key, [{ ...order, price: '0.2' }]);
      expect(first.errors).toBeUndefined();
      expect(second.errors).toBeUndefined();
      expect(second.data.submitOrders[0].id).not.toBe(first.data.submitOrders[0].id);
    });
  });

  describe('cancelOrder', () => {
    it('cancels an OPEN order of its owner, once', async () => {
      const { key } = await participant();
      const created = (await submit(key, [orderInput(product, start)])).data.submitOrders[0];
      const cancelled = await api.gql(CANCEL, { id: created.id }, key);
      expect(cancelled.errors).toBeUndefined();
      expect(cancelled.data.cancelOrder).toEqual({ ...created, status: 'CANCELLED' });
      expectError(await api.gql(CANCEL, { id: created.id }, key), 'CONFLICT', {
        message: new RegExp(
          `order ${created.id} is CANCELLED: only an OPEN order can be cancelled`,
        ),
      });
    });

    it('answers NOT_FOUND for another participant’s order, an unknown id and a malformed id', async () => {
      const owner = await participant();
      const other = await participant('Other');
      const created = (await submit(owner.key, [orderInput(product, start)])).data.submitOrders[0];
      const notYours = expectError(
        await api.gql(CANCEL, { id: created.id }, other.key),
        'NOT_FOUND',
      );
      const unknown = expectError(
        await api.gql(CANCEL, { id: '9223372036854775807' }, other.key),
        'NOT_FOUND',
      );
      // the same answer whether it exists or not: nothing leaks
      expect(notYours.message.replace(created.id, 'N')).toBe(
        unknown.message.replace('9223372036854775807', 'N'),
      );
      for (const id of ['abc', '-1', '0', '99999999999999999999', '1.5']) {
        expectError(await api.gql(CANCEL, { id }, other.key), 'NOT_FOUND');
      }
      expect((await rowsOf([created.clientOrderId]))[0].status).toBe('OPEN');
    });

    it('refuses an order that is no longer OPEN (e.g. FILLED) with CONFLICT', async () => {
      const { key } = await participant();
      const created = (await submit(key, [orderInput(product, start)])).data.submitOrders[0];
      // as the matcher would write it at clearing
      await db.query(
        `INSERT INTO order_result (order_id, status, filled_wh)
         SELECT id, 'FILLED', quantity_wh FROM market_order WHERE id = $1`,
        [created.id],
      );
      expectError(await api.gql(CANCEL, { id: created.id }, key), 'CONFLICT', {
        message: /is FILLED: only an OPEN order can be cancelled/,
      });
    });
  });

  describe('orders (connection)', () => {
    it('pages a participant’s own orders newest first with opaque cursors', async () => {
      const { key } = await participant();
      const other = await participant('Other');
      await submit(other.key, [orderInput(product, start)]);
      const created = (
        await submit(
          key,
          Array.from({ length: 7 }, (_, i) => orderInput(product, start, { price: `0.0${i + 1}` })),
        )
      ).data.submitOrders;
      const expected = created.map((o: Json) => o.id).reverse();
      const pages: Json[] = [];
      let after: string | null = null;
      do {
        const result: GqlResponse = await api.gql(LIST, { first: 3, after }, key);
        expect(result.errors).toBeUndefined();
        pages.push(result.data.orders);
        after = result.data.orders.pageInfo.hasNextPage
          ? result.data.orders.pageInfo.endCursor
          : null;
      } while (after && pages.length < 10);
      expect(pages.map((p) => p.edges.length)).toEqual([3, 3, 1]);
      expect(pages.flatMap((p) => p.edges.map((e: Json) => e.node.id))).toEqual(expected);
      expect(pages[2].pageInfo).toEqual({
        hasNextPage: false,
        endCursor: pages[2].edges[0].cursor,
      });
      expect(pages[0].edges[0].node).toEqual(created[6]);
      expect(pages[0].edges[0].cursor).not.toContain(created[6].id);
    });

    it('defaults to 50, allows up to 500, and refuses other page sizes and foreign cursors', async () => {
      const { key } = await participant();
      await submit(
        key,
        Array.from({ length: 60 }, () => orderInput(product, start)),
      );
      const page = await api.gql(LIST, {}, key);
      expect(page.data.orders.edges).toHaveLength(50);
      expect(page.data.orders.pageInfo.hasNextPage).toBe(true);
      expect((await api.gql(LIST, { first: 500 }, key)).data.orders.edges).toHaveLength(60);
      for (const first of [0, -1, 501]) {
        expectError(await api.gql(LIST, { first }, key), 'BAD_USER_INPUT', {
          field: 'first',
          message: /first must be between 1 and 500/,
        });
      }
      for (const after of [
        'nonsense',
        Buffer.from('order:abc').toString('base64'),
        Buffer.from('clearing:5').toString('base64'),
      ]) {
        expectError(await api.gql(LIST, { after }, key), 'BAD_USER_INPUT', { field: 'after' });
      }
    });

    it('filters by product, delivery start, status and side', async () => {
      const { key } = await participant();
      const own = await createProduct(api);
      const s0 = openInterval(own, 0);
      const s1 = openInterval(own, 1);
      const created = (
        await submit(key, [
          orderInput(own, s0, { side: 'BUY', price: '0.1' }),
          orderInput(own, s0, { side: 'SELL', price: '0.3' }),
          orderInput(own, s1, { side: 'BUY', price: '0.1' }),
          orderInput(own, s1, { side: 'SELL', price: '0.3' }),
        ])
      ).data.submitOrders;
      await api.gql(CANCEL, { id: created[3].id }, key);
      const ids = async (filter: Record<string, unknown>) =>
        (
          await api.gql(LIST, { filter: { productCode: own.code, ...filter } }, key)
        ).data.orders.edges
          .map((e: Json) => e.node.id)
          .reverse();
      const id = (i: number) => created[i].id;
      expect(await ids({})).toEqual([id(0), id(1), id(2), id(3)]);
      expect(await ids({ deliveryStart: s1.toISOString() })).toEqual([id(2), id(3)]);
      expect(await ids({ side: 'SELL' })).toEqual([id(1), id(3)]);
      expect(await ids({ status: 'CANCELLED' })).toEqual([id(3)]);
      expect(await ids({ status: 'OPEN', side: 'BUY', deliveryStart: s0.toISOString() })).toEqual([
        id(0),
      ]);
      expect(await ids({ productCode: 'NO_SUCH_PRODUCT' })).toEqual([]);
    });

    it('shows a participant only its own orders; the operator everyone’s, the auditor everyone’s after the gate', async () => {
      const a = await participant('A');
      const b = await participant('B');
      const auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
      const own = await createProduct(api);
      const s = openInterval(own);
      const orderA = (await submit(a.key, [orderInput(own, s)])).data.submitOrders[0];
      const orderB = (await submit(b.key, [orderInput(own, s, { price: '0.2' })])).data
        .submitOrders[0];
      const seen = async (key: string) =>
        (await api.gql(LIST, { filter: { productCode: own.code } }, key)).data.orders.edges.map(
          (e: Json) => e.node.id,
        );
      expect(await seen(a.key)).toEqual([orderA.id]);
      expect(await seen(b.key)).toEqual([orderB.id]);
      expect(await seen(api.operatorKey)).toEqual([orderB.id, orderA.id]);
      // The auditor reads orders once their gate has closed (the operator keeps the live view).
      expect(await seen(auditor.key)).toEqual([]);
      await closeGate(db, own.code, s);
      expect(await seen(auditor.key)).toEqual([orderB.id, orderA.id]);
      // B can neither see A's order by cursor tricks nor cancel it
      expectError(await api.gql(CANCEL, { id: orderA.id }, b.key), 'NOT_FOUND');
      expect((await rowsOf([orderA.clientOrderId]))[0].status).toBe('OPEN');
    });
  });
});
