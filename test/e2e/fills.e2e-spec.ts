import { SettlementRepository } from '@parkex/db';
import type { Client } from 'pg';
import { connectLive, wsUrlOf, type LiveClient } from '@parkex/test-support/graphql-ws-client';
import {
  closeGate,
  createProduct,
  nextDeliveryStart,
  placeOrders,
  unitBook,
} from '@parkex/test-support/market-factory';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

const RESULTS = `query($product: String!, $first: Int) {
  clearingResults(productCode: $product, first: $first) { edges { node {
    deliveryStart fillCount
    fills { quantity price }
    firstFill: fillConnection(first: 1) { edges { node { quantity } } pageInfo { hasNextPage } }
  } } } }`;

const PAGE = `query($product: String!, $start: DateTime!, $first: Int, $after: String) {
  clearingResult(productCode: $product, deliveryStart: $start) {
    fillConnection(first: $first, after: $after) {
      edges { cursor node { buyerId sellerId quantity price } }
      pageInfo { hasNextPage endCursor }
    } } }`;

/**
 * Issue 11's "Cost by default" for fills: loaded in one query per request (DataLoader), paged by
 * `fillConnection`, the contract's `fills` bounded, and read once per published result for all
 * subscribers. The repository's batch method is wrapped (it still runs its SQL) to count reads.
 */
describe('fills of clearing results', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let small: string; // three cleared intervals of 3 fills each
  let large: string; // one cleared interval of 501 fills
  let published: string; // cleared while subscribers listen
  let largeStart: Date;
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string };
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    buyer = await api.createParticipant(uniqueName('Bakery'));
    seller = await api.createParticipant(uniqueName('Rooftop PV'));
    small = await createProduct(db);
    large = await createProduct(db);
    published = await createProduct(db);
    for (let i = 0; i < 3; i++) {
      const start = nextDeliveryStart();
      await placeOrders(db, small, start, unitBook(buyer.id, seller.id, [7, 6, 5], [1, 2, 3]));
      await closeGate(db, small, start);
    }
    largeStart = nextDeliveryStart();
    const many = Array.from({ length: 501 }, () => 7);
    await placeOrders(
      db,
      large,
      largeStart,
      unitBook(
        buyer.id,
        seller.id,
        many,
        many.map(() => 1),
      ),
    );
    await closeGate(db, large, largeStart);
    matcher = await startTestMatcher([small, large, published]);
    await matcher.drain();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await matcher?.close();
    await db?.end();
    await api?.close();
  });

  afterEach(() => jest.restoreAllMocks());

  it('loads the fills and fill pages of every result of a request in one query', async () => {
    const repository = api.app.get(SettlementRepository);
    const batches = jest.spyOn(repository, 'fillPages');
    const single = jest.spyOn(repository, 'fills');
    const result = await api.gql(RESULTS, { product: small, first: 10 }, api.operatorKey);
    expect(result.errors).toBeUndefined();
    const nodes = result.data.clearingResults.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(3);
    for (const node of nodes) {
      expect(node.fillCount).toBe(3);
      expect(node.fills).toHaveLength(3);
      expect(node.firstFill).toEqual({
        edges: [{ node: { quantity: '1' } }],
        pageInfo: { hasNextPage: true },
      });
    }
    expect(batches).toHaveBeenCalledTimes(1); // 3 lists and 3 pages: one statement
    expect(batches.mock.calls[0][0]).toHaveLength(6);
    expect(single).not.toHaveBeenCalled();
  });

  it('pages through 501 fills with fillConnection, cursor by cursor', async () => {
    const vars = { product: large, start: largeStart.toISOString() };
    const first = await api.gql(PAGE, { ...vars, first: 500 }, buyer.key);
    expect(first.errors).toBeUndefined();
    const page1 = first.data.clearingResult.fillConnection;
    expect(page1.edges).toHaveLength(500);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    // a participant is identified as the buyer of its own fills only
    expect(page1.edges[0].node).toEqual({
      buyerId: buyer.id,
      sellerId: null,
      quantity: '1',
      price: '4',
    });
    const second = await api.gql(
      PAGE,
      { ...vars, first: 500, after: page1.pageInfo.endCursor },
      buyer.key,
    );
    const page2 = second.data.clearingResult.fillConnection;
    expect(page2.edges).toHaveLength(1);
    expect(page2.pageInfo).toEqual({ hasNextPage: false, endCursor: page2.edges[0].cursor });
    const cursors = new Set([...page1.edges, ...page2.edges].map((e: any) => e.cursor));
    expect(cursors.size).toBe(501);
  });

  it('refuses the unpaginated fills of a result with more than 500 (TOO_MANY_FILLS)', async () => {
    const result = await api.gql(
      `query($product: String!, $start: DateTime!) {
        clearingResult(productCode: $product, deliveryStart: $start) { fillCount fills { price } } }`,
      { product: large, start: largeStart.toISOString() },
      api.operatorKey,
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /has 501 fills; fills lists at most 500: page through them with fillConnection$/,
        ),
        extensions: {
          code: 'BAD_USER_INPUT',
          reason: 'TOO_MANY_FILLS',
          field: 'fills',
          limit: 500,
        },
      }),
    ]);
  });

  it('refuses a bad fill cursor', async () => {
    const result = await api.gql(
      PAGE,
      { product: large, start: largeStart.toISOString(), after: 'bm9wZTox' },
      api.operatorKey,
    );
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('reads the fills of a published result once for all its subscribers', async () => {
    const subscription = `subscription($product: String) {
      clearingPublished(productCode: $product) { deliveryStart fills { buyerId sellerId quantity } } }`;
    const viewers = [api.operatorKey, buyer.key, seller.key];
    const subscriptions = viewers.map((key) => {
      const live = connectLive(wsUrlOf(api.app), key);
      clients.push(live);
      return live.subscribe(subscription, { product: published });
    });
    // a subscription is active once a first message could arrive: give the sockets a moment
    await new Promise((resolve) => setTimeout(resolve, 500));
    const repository = api.app.get(SettlementRepository);
    const batches = jest.spyOn(repository, 'fillPages');

    const start = nextDeliveryStart();
    await placeOrders(db, published, start, unitBook(buyer.id, seller.id, [7, 6], [1, 2]));
    await closeGate(db, published, start);
    await matcher.drain();
    const [asOperator, asBuyer, asSeller] = await Promise.all(
      subscriptions.map(async (s) => (await s.waitForResults(1, 10_000))[0].clearingPublished),
    );

    expect(batches).toHaveBeenCalledTimes(1);
    expect(asOperator.fills).toEqual([
      { buyerId: buyer.id, sellerId: seller.id, quantity: '1' },
      { buyerId: buyer.id, sellerId: seller.id, quantity: '1' },
    ]);
    expect(asBuyer.fills.map((f: any) => [f.buyerId, f.sellerId])).toEqual([
      [buyer.id, null],
      [buyer.id, null],
    ]);
    expect(asSeller.fills.map((f: any) => [f.buyerId, f.sellerId])).toEqual([
      [null, seller.id],
      [null, seller.id],
    ]);
  });
});
