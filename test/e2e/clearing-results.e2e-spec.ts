import type { Client } from 'pg';
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

const RESULT = `query($product: String!, $start: DateTime!) {
  clearingResult(productCode: $product, deliveryStart: $start) {
    productCode deliveryStart status price volume amount networkFees mechanism bidCount offerCount fillCount
    inputHash resultHash clearedAt
    fills { buyOrderId sellOrderId buyerId sellerId quantity price amount }
    demandCurve { price quantity } supplyCurve { price quantity }
  }
}`;

describe('clearing results, settlements and balances over GraphQL', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let product: string;
  let start: Date;
  let buyer: { id: string; key: string };
  let seller: { id: string; key: string };
  let outsider: { id: string; key: string };
  let orderIds: string[];
  /** Two later intervals of the product, one unit each at 4.5, cleared with the first. */
  let more: Date[];

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    product = await createProduct(db, { networkFee: '0.125' });
    buyer = await api.createParticipant(uniqueName('Electroplating'));
    seller = await api.createParticipant(uniqueName('Rooftop PV'));
    outsider = await api.createParticipant(uniqueName('Office'));
    start = nextDeliveryStart();
    orderIds = await placeOrders(
      db,
      product,
      start,
      unitBook(buyer.id, seller.id, [7, 4, 3], [1, 1, 5]),
    );
    await closeGate(db, product, start);
    more = [nextDeliveryStart(), nextDeliveryStart()];
    for (const s of more) {
      await placeOrders(db, product, s, unitBook(buyer.id, seller.id, [5], [4]));
      await closeGate(db, product, s);
    }
    matcher = await startTestMatcher([product]);
    await matcher.drain();
  }, 60_000);
  afterAll(async () => {
    await matcher.close();
    await db.end();
    await api.close();
  });

  it('publishes the result with curves and hashes to every role', async () => {
    const result = await api.gql(RESULT, { product, start: start.toISOString() }, outsider.key);
    expect(result.errors).toBeUndefined();
    expect(result.data.clearingResult).toMatchObject({
      productCode: product,
      deliveryStart: start.toISOString(),
      status: 'CLEARED',
      price: '3.5',
      volume: '2',
      amount: '7.00',
      networkFees: '0.25',
      mechanism: 'UNIFORM_PRICE',
      bidCount: 3,
      offerCount: 3,
      fillCount: 2,
      demandCurve: [
        { price: '7', quantity: '1' },
        { price: '4', quantity: '2' },
        { price: '3', quantity: '3' },
      ],
      supplyCurve: [
        { price: '1', quantity: '2' },
        { price: '5', quantity: '3' },
      ],
    });
    expect(result.data.clearingResult.inputHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('identifies in fills only what the caller may see', async () => {
    const [bid7, bid4, , offer1a, offer1b] = orderIds;
    const asBuyer = await api.gql(RESULT, { product, start: start.toISOString() }, buyer.key);
    expect(asBuyer.data.clearingResult.fills).toEqual([
      {
        buyOrderId: bid7,
        sellOrderId: null,
        buyerId: buyer.id,
        sellerId: null,
        quantity: '1',
        price: '3.5',
        amount: '3.50',
      },
      {
        buyOrderId: bid4,
        sellOrderId: null,
        buyerId: buyer.id,
        sellerId: null,
        quantity: '1',
        price: '3.5',
        amount: '3.50',
      },
    ]);
    const asOutsider = await api.gql(RESULT, { product, start: start.toISOString() }, outsider.key);
    expect(
      asOutsider.data.clearingResult.fills.every(
        (f: any) => f.buyOrderId === null && f.sellerId === null,
      ),
    ).toBe(true);
    const asOperator = await api.gql(
      RESULT,
      { product, start: start.toISOString() },
      api.operatorKey,
    );
    expect(
      asOperator.data.clearingResult.fills.map((f: any) => [f.buyOrderId, f.sellOrderId]),
    ).toEqual([
      [bid7, offer1a],
      [bid4, offer1b],
    ]);
  });

  it('returns null for an interval not cleared, NOT_FOUND for an unknown product', async () => {
    const later = await api.gql(
      RESULT,
      { product, start: nextDeliveryStart().toISOString() },
      buyer.key,
    );
    expect(later.data.clearingResult).toBeNull();
    const unknown = await api.gql(
      RESULT,
      { product: 'NOPE', start: start.toISOString() },
      buyer.key,
    );
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('pages through results newest first', async () => {
    const query = `query($product: String!, $after: String) {
      clearingResults(productCode: $product, first: 2, after: $after) {
        edges { cursor node { deliveryStart } } pageInfo { hasNextPage endCursor } } }`;
    const first = await api.gql(query, { product }, buyer.key);
    expect(first.data.clearingResults.edges.map((e: any) => e.node.deliveryStart)).toEqual([
      more[1].toISOString(),
      more[0].toISOString(),
    ]);
    expect(first.data.clearingResults.pageInfo.hasNextPage).toBe(true);
    const second = await api.gql(
      query,
      { product, after: first.data.clearingResults.pageInfo.endCursor },
      buyer.key,
    );
    expect(second.data.clearingResults.edges.map((e: any) => e.node.deliveryStart)).toEqual([
      start.toISOString(),
    ]);
    expect(second.data.clearingResults.pageInfo).toEqual({
      hasNextPage: false,
      endCursor: expect.any(String),
    });
  });

  it('gives each participant its own statement and balance, the operator everyone’s', async () => {
    const query = `query($participantId: ID, $from: DateTime, $to: DateTime) {
      settlements(participantId: $participantId, from: $from, to: $to) {
        edges { node { participantId productCode deliveryStart netEnergy energyAmount networkFees netAmount } } } }`;
    const window = { from: start.toISOString(), to: new Date(start.getTime() + 1).toISOString() };
    const own = await api.gql(query, window, buyer.key);
    expect(own.data.settlements.edges.map((e: any) => e.node)).toEqual([
      {
        participantId: buyer.id,
        productCode: product,
        deliveryStart: start.toISOString(),
        netEnergy: '2',
        energyAmount: '-7.00',
        networkFees: '-0.25',
        netAmount: '-7.25',
      },
    ]);
    const other = await api.gql(query, { ...window, participantId: seller.id }, buyer.key);
    expect(other.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const all = await api.gql(query, window, api.operatorKey);
    const byParticipant = Object.fromEntries(
      all.data.settlements.edges
        .filter((e: { node: { productCode: string } }) => e.node.productCode === product)
        .map((e: { node: { participantId: string; netAmount: string } }) => [
          e.node.participantId,
          e.node.netAmount,
        ]),
    );
    expect(byParticipant).toEqual({ [buyer.id]: '-7.25', [seller.id]: '7.00' });

    const balance = await api.gql(`{ balance { participantId amount energy } }`, {}, seller.key);
    expect(balance.data.balance).toEqual({
      participantId: seller.id,
      amount: '16.00',
      energy: '-4',
    }); // 7.00 + 2 intervals × 1 kWh at 4.5
  });
});
