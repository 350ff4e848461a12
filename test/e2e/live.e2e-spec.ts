import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { connectLive, wsUrlOf, type LiveClient } from '@parkex/test-support/graphql-ws-client';
import { closeGate } from '@parkex/test-support/market-factory';
import {
  createProduct,
  openInterval,
  orderInput,
  SUBMIT,
  type Json,
} from '@parkex/test-support/orders';
import { startApiProcess } from '@parkex/test-support/api-process';
import { eventually, type AppProcess } from '../../scripts/support/processes';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

const FIELDS = `productCode deliveryStart status price volume mechanism bidCount offerCount fillCount
  inputHash resultHash clearedAt fills { buyOrderId sellOrderId quantity price amount }
  demandCurve { price quantity } supplyCurve { price quantity }`;
const SUBSCRIBE = `subscription($product: String, $since: DateTime) {
  clearingPublished(productCode: $product, since: $since) { ${FIELDS} } }`;
const RESULT = `query($product: String!, $start: DateTime!) {
  clearingResult(productCode: $product, deliveryStart: $start) { ${FIELDS} } }`;

/**
 * Live prices over graphql-ws across replicas: an in-process API (api1, takes the orders), a
 * second API as its own process (api2), the real matcher in-process, one PostgreSQL.
 */
describe('clearingPublished', () => {
  let api1: TestApi;
  let api2: AppProcess;
  let api2Url: string;
  let db: Client;
  let matcher: TestMatcher;
  let product: { code: string; intervalSeconds: number; gateClosureSeconds: number };
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string };
  const clients: LiveClient[] = [];
  let nextAhead = 1;

  beforeAll(async () => {
    api1 = await startTestApi();
    db = await connectTestDatabase();
    product = await createProduct(api1);
    buyer = await api1.createParticipant(uniqueName('Electroplating'));
    seller = await api1.createParticipant(uniqueName('CHP'));
    ({ process: api2, wsUrl: api2Url } = await startApiProcess(api1.operatorKey, {
      DB_POOL_SIZE: '4',
      // The catch-up spec needs the listener to stay away while an interval clears.
      LIVE_RECONNECT_MS: '5000',
    }));
    matcher = await startTestMatcher([product.code]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await matcher?.close();
    await api2?.stop();
    await db?.end();
    await api1?.close();
  });

  function live(url: string, key?: string): LiveClient {
    const client = connectLive(url, key);
    clients.push(client);
    return client;
  }

  /**
   * A bid and an offer of 1.5 kWh each for a new interval, through api1 (submitOrders); both fill
   * completely, so the price is their midpoint (k = 0.5). Returns the delivery start.
   */
  async function trade(bid: string, offer: string): Promise<Date> {
    const start = openInterval(product, nextAhead++);
    for (const [key, side, price] of [
      [buyer.key, 'BUY', bid],
      [seller.key, 'SELL', offer],
    ] as const) {
      const result = await api1.gql(
        SUBMIT,
        {
          orders: [
            orderInput(product, start, {
              clientOrderId: `live-${randomUUID()}`,
              side,
              price,
              quantity: '1.5',
            }),
          ],
        },
        key,
      );
      expect(result.errors).toBeUndefined();
    }
    return start;
  }

  /** Closes the gate and lets the matcher clear it (commit, then NOTIFY). */
  async function clear(start: Date): Promise<Date> {
    await closeGate(db, product.code, start);
    await matcher.drain();
    const { rows } = await db.query<{ cleared_at: Date }>(
      `SELECT cleared_at FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`,
      [product.code, start],
    );
    expect(rows).toHaveLength(1);
    return rows[0].cleared_at;
  }

  const startsOf = (results: Json[]) => results.map((r) => r.clearingPublished.deliveryStart);

  let onApi2: ReturnType<LiveClient['subscribe']> | undefined;

  /**
   * The subscriber of the second replica to the product, made by the first spec that needs it:
   * a first result, replayed through `since`, shows that the subscription is in place.
   */
  async function subscriberOnApi2(): Promise<ReturnType<LiveClient['subscribe']>> {
    if (onApi2) return onApi2;
    const warmUp = await trade('0.2', '0.1');
    const warmUpClearedAt = await clear(warmUp);
    const subscription = live(api2Url, buyer.key).subscribe(SUBSCRIBE, {
      product: product.code,
      since: new Date(warmUpClearedAt.getTime() - 1).toISOString(),
    });
    await subscription.waitForResults(1);
    expect(startsOf(subscription.results)).toEqual([warmUp.toISOString()]);
    return (onApi2 = subscription);
  }

  it('reaches a subscriber of the second replica with what the matcher cleared from orders taken by the first', async () => {
    const subscriber = await subscriberOnApi2();
    const seen = subscriber.results.length;
    const start = await trade('0.3', '0.1');
    await clear(start);
    const published = (await subscriber.waitForResults(seen + 1))[seen];
    expect(published.clearingPublished).toMatchObject({
      productCode: product.code,
      deliveryStart: start.toISOString(),
      status: 'CLEARED',
      price: '0.2',
      volume: '1.5',
      bidCount: 1,
      offerCount: 1,
      fillCount: 1,
    });
    // The same result as a query on the first replica, and fills as the buyer may see them.
    const queried = await api1.gql(
      RESULT,
      { product: product.code, start: start.toISOString() },
      buyer.key,
    );
    expect(published.clearingPublished).toEqual(queried.data.clearingResult);
    expect(published.clearingPublished.fills).toEqual([
      {
        buyOrderId: expect.any(String),
        sellOrderId: null,
        quantity: '1.5',
        price: '0.2',
        amount: '0.30',
      },
    ]);
  });

  it('lets a subscriber that reconnects with since miss nothing and see nothing twice', async () => {
    const url = wsUrlOf(api1.app);
    const first = await trade('0.25', '0.05');
    const firstClearedAt = await clear(first);
    const before = live(url, seller.key);
    const subscription = before.subscribe(SUBSCRIBE, {
      product: product.code,
      since: new Date(firstClearedAt.getTime() - 1).toISOString(),
    });
    const [last] = await subscription.waitForResults(1);
    expect(last.clearingPublished.deliveryStart).toBe(first.toISOString());
    await before.close();

    // Away: two intervals clear.
    const away = [await trade('0.21', '0.11'), await trade('0.22', '0.12')];
    for (const start of away) await clear(start);

    const after = live(url, seller.key).subscribe(SUBSCRIBE, {
      product: product.code,
      since: last.clearingPublished.clearedAt,
    });
    await after.waitForResults(2);
    const later = [await trade('0.23', '0.13'), await trade('0.24', '0.14')];
    for (const start of later) await clear(start);
    await after.waitForResults(4);
    expect(startsOf(after.results)).toEqual([...away, ...later].map((d) => d.toISOString()));
    expect(after.results.map((r) => r.clearingPublished.price)).toEqual([
      '0.16',
      '0.17',
      '0.18',
      '0.19',
    ]);
  });

  it('catches up on a result committed while the replica had lost its LISTEN connection', async () => {
    const onApi2 = await subscriberOnApi2();
    // api2's subscriber has had every result of the product so far (whichever specs cleared
    // them), each once, in the order they committed.
    const { rows: cleared } = await db.query<{ delivery_start: Date }>(
      `SELECT delivery_start FROM clearing_result WHERE product_code = $1 ORDER BY cleared_at`,
      [product.code],
    );
    await onApi2.waitForResults(cleared.length);
    expect(startsOf(onApi2.results)).toEqual(cleared.map((r) => r.delivery_start.toISOString()));
    const seen = cleared.length;
    const listenerName = `parkex-api-live-${api2.child.pid}`;
    const listening = async () =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE application_name = $1 AND datname = current_database()`,
          [listenerName],
        )
      ).rows[0].n;
    expect(await listening()).toBe(1);

    const start = await trade('0.35', '0.15');
    const killed = await db.query(
      `SELECT pg_terminate_backend(pid, 5000) AS terminated FROM pg_stat_activity
       WHERE application_name = $1 AND datname = current_database()`,
      [listenerName],
    );
    expect(killed.rows).toEqual([{ terminated: true }]);
    await clear(start);
    // The result committed while nobody of api2 listened: its NOTIFY reached no one there.
    expect(await listening()).toBe(0);

    await onApi2.waitForResults(seen + 1);
    expect(onApi2.results[seen].clearingPublished).toMatchObject({
      deliveryStart: start.toISOString(),
      price: '0.25',
    });
    await api2.waitFor(/listening again; caught up on [1-9]\d* result/);
    await eventually(async () => ((await listening()) === 1 ? true : undefined));

    // Live again, and the caught-up result came once.
    const next = await trade('0.4', '0.2');
    await clear(next);
    await onApi2.waitForResults(seen + 2);
    expect(startsOf(onApi2.results.slice(seen))).toEqual([start.toISOString(), next.toISOString()]);
  }, 60_000);

  it('refuses a missing key, an unknown product and a since too far back', async () => {
    const anonymous = live(wsUrlOf(api1.app)).subscribe(SUBSCRIBE, { product: product.code });
    await anonymous.waitForEnd();
    expect(anonymous.errors[0]).toMatchObject({ closed: 4401 });

    const client = live(wsUrlOf(api1.app), buyer.key);
    const unknown = client.subscribe(SUBSCRIBE, { product: 'NO_SUCH_PRODUCT' });
    await unknown.waitForEnd();
    expect(unknown.errors[0]?.extensions?.code).toBe('NOT_FOUND');

    const tooOld = client.subscribe(SUBSCRIBE, {
      product: product.code,
      since: new Date(Date.now() - 2 * 86_400_000).toISOString(),
    });
    await tooOld.waitForEnd();
    expect(tooOld.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'since' });
  });
});
