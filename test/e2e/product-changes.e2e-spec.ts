import type { Client } from 'pg';
import { closeGate } from '@parkex/test-support/market-factory';
import { createProduct, openInterval, orderInput, SUBMIT } from '@parkex/test-support/orders';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

/**
 * Product settings apply to intervals opened later: an interval keeps the terms it opened
 * with (its first order), so its book stays clearable whatever the operator changes.
 */
describe('changing a product while its intervals are open', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher | undefined;
  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
  });
  afterAll(async () => {
    await matcher?.close();
    await db.end();
    await api.close();
  });

  it('keeps the open interval on its old grid and clears it with its old terms', async () => {
    const product = await createProduct(api, { priceTick: '0.02', minPrice: '0', maxPrice: '1' });
    const start = openInterval(product);
    const buyer = await api.createParticipant(uniqueName('Plant'));
    const seller = await api.createParticipant(uniqueName('PV'));
    const first = await api.gql(
      SUBMIT,
      { orders: [orderInput(product, start, { side: 'BUY', price: '0.34' })] },
      buyer.key,
    );
    expect(first.errors).toBeUndefined();

    // the operator moves the product to a 0.05 tick and k = 1
    const changed = await api.gql(
      `mutation($input: ProductInput!) { upsertProduct(input: $input) { priceTick k } }`,
      {
        input: {
          code: product.code,
          name: 'Test energy',
          unit: 'kWh',
          intervalSeconds: product.intervalSeconds,
          gateClosureSeconds: product.gateClosureSeconds,
          horizonSeconds: product.horizonSeconds,
          priceTick: '0.05',
          minPrice: '0',
          maxPrice: '1',
          mechanism: 'UNIFORM_PRICE',
          k: '1',
          networkFee: '0',
        },
      },
      api.operatorKey,
    );
    expect(changed.data.upsertProduct).toEqual({ priceTick: '0.05', k: '1' });

    // 0.25 is on the new tick but not on the interval's 0.02 tick: the database refuses it
    const offGrid = await api.gql(
      SUBMIT,
      { orders: [orderInput(product, start, { side: 'SELL', price: '0.25' })] },
      seller.key,
    );
    expect(offGrid.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'OFF_INTERVAL_GRID',
    });
    expect(offGrid.errors?.[0].message).toMatch(/not on the grid of the .* interval .*tick 0\.02/);

    // 0.30 is on both grids
    const onBoth = await api.gql(
      SUBMIT,
      { orders: [orderInput(product, start, { side: 'SELL', price: '0.30' })] },
      seller.key,
    );
    expect(onBoth.errors).toBeUndefined();

    await closeGate(db, product.code, start);
    matcher = await startTestMatcher([product.code]);
    expect(await matcher.drain()).toBe(1);
    const result = await db.query(
      `SELECT status, price::text, k::text, price_tick::text FROM clearing_result WHERE product_code = $1`,
      [product.code],
    );
    // the old terms: tick 0.02, k = 0.5 → the midpoint of [0.30, 0.34]
    expect(result.rows[0]).toEqual({
      status: 'CLEARED',
      price: '0.32',
      k: '0.5',
      price_tick: '0.02',
    });
  });
});
