import type { Client } from 'pg';
import {
  AUCTION_RESULT,
  auctionStart,
  CANCEL_AUCTION,
  closeAuctionGate,
  createSeries,
  SUBMIT_AUCTION,
  submitAuction,
  withAssets,
  type Json,
} from '@parkex/test-support/auctions';
import { expectError } from '@parkex/test-support/orders';
import { connectAsRuntimeRole, connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';

/** Orders of the integrated auction over the API: rules, coded errors, bounds, idempotency, gate. */
describe('integrated auction: orders', () => {
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

  async function ordersOf(participantId: string): Promise<number> {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM auction_order WHERE participant_id = $1`,
      [participantId],
    );
    return rows[0].n;
  }

  const step = (series: string, start: Date, clientOrderId: string, overrides: Json = {}) => ({
    clientOrderId,
    series,
    deliveryStart: start.toISOString(),
    step: {
      carrier: 'ELECTRICITY',
      interval: 0,
      side: 'BUY',
      price: '0.2',
      quantity: '1',
      ...overrides,
    },
  });

  it('serves the seeded PARK_DA series; only the operator may change series', async () => {
    const tenant = await api.createParticipant(uniqueName('tenant'));
    const listed = await api.gql(
      `{ auctionSeries { code carriers intervals intervalSeconds gateClosureSeconds priceTick k
         networkFees { carrier fee } grid { carrier importLimit importPrice exportLimit exportPrice } } }`,
      {},
      tenant.key,
    );
    expect(listed.data.auctionSeries.find((s: Json) => s.code === 'PARK_DA')).toEqual({
      code: 'PARK_DA',
      carriers: ['ELECTRICITY', 'HEAT'],
      intervals: 96,
      intervalSeconds: 900,
      gateClosureSeconds: 43200,
      priceTick: '0.0001',
      k: '0.5',
      networkFees: [
        { carrier: 'ELECTRICITY', fee: '0.015' },
        { carrier: 'HEAT', fee: '0.005' },
      ],
      grid: [
        {
          carrier: 'ELECTRICITY',
          importLimit: '2000',
          importPrice: '0.25',
          exportLimit: '1000',
          exportPrice: '0.07',
        },
      ],
    });
    const refused = await api.gql(
      `mutation { upsertAuctionSeries(input: { code: "X", name: "x", carriers: [HEAT],
         intervalSeconds: 900, intervals: 4, gateClosureSeconds: 0, priceTick: "1", minPrice: "0",
         maxPrice: "10", k: "0.5", networkFees: [], grid: [] }) { code } }`,
      {},
      tenant.key,
    );
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const badExport = await api.gql(
      `mutation { upsertAuctionSeries(input: { code: "BAD_GRID", name: "x", carriers: [ELECTRICITY],
         intervalSeconds: 900, intervals: 4, gateClosureSeconds: 0, priceTick: "0.01", minPrice: "0",
         maxPrice: "10", k: "0.5", networkFees: [],
         grid: [{ carrier: ELECTRICITY, importLimit: "1", importPrice: "0.1", exportLimit: "1", exportPrice: "0.2" }] }) { code } }`,
      {},
      api.operatorKey,
    );
    expectError(badExport, 'BAD_USER_INPUT', { field: 'input.grid' });
  });

  it('refuses bad orders with coded errors naming orders[i].field, and writes nothing', async () => {
    const series = await createSeries(api);
    const start = auctionStart(30);
    const tenant = await api.createParticipant(uniqueName('tenant'));
    const ok = step(series, start, 'fine');
    const at = (field: string) => ({ ...ok, clientOrderId: `bad-${field}` });
    const cases: [Json, string, string, string?][] = [
      [
        { ...at('tick'), step: { ...ok.step, price: '0.20005' } },
        'orders[1].step.price',
        'OFF_TICK',
      ],
      [
        {
          ...at('kinds'),
          block: {
            carrier: 'HEAT',
            side: 'BUY',
            price: '0.1',
            firstInterval: 0,
            quantities: ['1'],
          },
        },
        'orders[1]',
        'ONE_KIND',
      ],
      [{ ...at('series'), series: 'NO_SUCH_SERIES' }, 'orders[1].deliveryStart', 'UNKNOWN_SERIES'],
      [
        { ...at('start'), deliveryStart: new Date(start.getTime() + 900_000).toISOString() },
        'orders[1].deliveryStart',
        'NOT_AN_AUCTION_START',
      ],
      [
        { ...at('past'), deliveryStart: auctionStart(-3).toISOString() },
        'orders[1].deliveryStart',
        'GATE_CLOSED',
        'GATE_CLOSED',
      ],
      [
        { ...at('interval'), step: { ...ok.step, interval: 4 } },
        'orders[1].step.interval',
        'INTERVAL_OUT_OF_RANGE',
      ],
      [
        { ...at('huge'), step: { ...ok.step, quantity: '10000000.001' } },
        'orders[1].step.quantity',
        'QUANTITY_OUT_OF_RANGE',
      ],
      [
        {
          ...at('zero'),
          step: undefined,
          block: {
            carrier: 'HEAT',
            side: 'BUY',
            price: '0.1',
            firstInterval: 0,
            quantities: ['0', '0'],
          },
        },
        'orders[1].block.quantities',
        'PROFILE_OUT_OF_RANGE',
      ],
      [
        {
          ...at('past-end'),
          step: undefined,
          block: {
            carrier: 'HEAT',
            side: 'BUY',
            price: '0.1',
            firstInterval: 3,
            quantities: ['1', '1'],
          },
        },
        'orders[1].block.quantities',
        'PROFILE_OUT_OF_RANGE',
      ],
      [
        {
          ...at('parent'),
          step: undefined,
          block: {
            carrier: 'HEAT',
            side: 'BUY',
            price: '0.1',
            firstInterval: 0,
            quantities: ['1'],
            parentClientOrderId: 'nobody',
          },
        },
        'orders[1].block.parentClientOrderId',
        'PARENT_INVALID',
      ],
      [
        {
          ...at('loop'),
          step: undefined,
          conversion: {
            input: 'HEAT',
            outputs: [{ carrier: 'HEAT', ratio: '1' }],
            maxInput: ['1'],
            cost: '0',
          },
        },
        'orders[1].conversion.outputs',
        'CONVERSION_INVALID',
      ],
      [
        {
          ...at('state'),
          step: undefined,
          storage: {
            carrier: 'ELECTRICITY',
            capacity: '10',
            initial: '11',
            finalMin: '0',
            maxCharge: '1',
            maxDischarge: '1',
            chargeEfficiency: '1',
            dischargeEfficiency: '1',
          },
        },
        'orders[1].storage.initial',
        'STATE_OUT_OF_RANGE',
      ],
      [
        {
          ...at('infeasible'),
          step: undefined,
          storage: {
            carrier: 'ELECTRICITY',
            capacity: '50',
            initial: '0',
            finalMin: '50',
            maxCharge: '10',
            maxDischarge: '10',
            chargeEfficiency: '1',
            dischargeEfficiency: '1',
          },
        },
        'orders[1].storage.finalMin',
        'STORAGE_INFEASIBLE',
      ],
      [
        {
          ...at('efficiency'),
          step: undefined,
          storage: {
            carrier: 'ELECTRICITY',
            capacity: '10',
            initial: '0',
            finalMin: '0',
            maxCharge: '1',
            maxDischarge: '1',
            chargeEfficiency: '1.1',
            dischargeEfficiency: '1',
          },
        },
        'orders[1].storage.chargeEfficiency',
        'EFFICIENCY_OUT_OF_RANGE',
      ],
    ];
    for (const [bad, field, reason, code] of cases) {
      const result = await api.gql(SUBMIT_AUCTION, { orders: [ok, bad] }, tenant.key);
      const error = expectError(result, code ?? 'BAD_USER_INPUT', { field });
      expect({ field, reason: error.extensions.reason }).toEqual({ field, reason });
    }
    const none = await api.gql(SUBMIT_AUCTION, { orders: [] }, tenant.key);
    expect(expectError(none, 'BAD_USER_INPUT', { field: 'orders' }).extensions.reason).toBe(
      'BATCH_SIZE',
    );
    expect(await ordersOf(tenant.id)).toBe(0);

    // a series without heat knows no heat
    const electric = await createSeries(api, { carriers: ['ELECTRICITY'], networkFees: [] });
    const heat = await api.gql(
      SUBMIT_AUCTION,
      { orders: [step(electric, start, 'heat', { carrier: 'HEAT' })] },
      tenant.key,
    );
    expect(
      expectError(heat, 'BAD_USER_INPUT', { field: 'orders[0].step.carrier' }).extensions.reason,
    ).toBe('UNKNOWN_CARRIER');
    expect(await ordersOf(tenant.id)).toBe(0);
  });

  it('takes 10,000 orders in a call and refuses 10,001; a participant holds at most 10,000 orders, 200 blocks, 50 devices per auction', async () => {
    const series = await createSeries(api);
    const start = auctionStart(31);
    const tenant = await api.createParticipant(uniqueName('tenant'));
    const many = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) =>
        step(series, start, `${prefix}-${i}`, { interval: i % 4 }),
      );
    const tooMany = await api.gql(SUBMIT_AUCTION, { orders: many(10_001, 'over') }, tenant.key);
    expect(expectError(tooMany, 'BAD_USER_INPUT', { field: 'orders' }).extensions.reason).toBe(
      'BATCH_SIZE',
    );
    expect(await submitAuction(api, tenant.key, many(10_000, 'full'))).toHaveLength(10_000);
    const more = await api.gql(SUBMIT_AUCTION, { orders: many(1, 'more') }, tenant.key);
    expect(expectError(more, 'BAD_USER_INPUT', { field: 'orders' }).extensions.reason).toBe(
      'PARTICIPANT_ORDER_LIMIT',
    );
    expect(await ordersOf(tenant.id)).toBe(10_000);

    const blocks = await api.createParticipant(uniqueName('blocks'));
    const block = (i: number) => ({
      clientOrderId: `block-${i}`,
      series,
      deliveryStart: start.toISOString(),
      block: { carrier: 'HEAT', side: 'BUY', price: '0.1', firstInterval: 0, quantities: ['1'] },
    });
    await submitAuction(
      api,
      blocks.key,
      Array.from({ length: 200 }, (_, i) => block(i)),
    );
    const block201 = await api.gql(SUBMIT_AUCTION, { orders: [block(200)] }, blocks.key);
    expect(expectError(block201, 'BAD_USER_INPUT').extensions.reason).toBe(
      'PARTICIPANT_BLOCK_LIMIT',
    );

    const devices = await api.createParticipant(uniqueName('devices'));
    const battery = (i: number) => ({
      clientOrderId: `battery-${i}`,
      series,
      deliveryStart: start.toISOString(),
      storage: {
        carrier: 'ELECTRICITY',
        capacity: '10',
        initial: '0',
        finalMin: '0',
        maxCharge: '5',
        maxDischarge: '5',
        chargeEfficiency: '0.9',
        dischargeEfficiency: '0.9',
      },
    });
    await submitAuction(
      api,
      devices.key,
      Array.from({ length: 50 }, (_, i) => battery(i)),
    );
    const device51 = await api.gql(
      SUBMIT_AUCTION,
      { orders: await withAssets(api, devices.key, [battery(50)]) },
      devices.key,
    );
    expect(expectError(device51, 'BAD_USER_INPUT').extensions.reason).toBe(
      'PARTICIPANT_DEVICE_LIMIT',
    );
    // a cancellation frees its place
    const [first] = (
      await api.gql(
        `query($s: String!) { auctionOrders(series: $s, first: 1) { edges { node { id } } } }`,
        { s: series },
        devices.key,
      )
    ).data.auctionOrders.edges;
    await api.gql(CANCEL_AUCTION, { id: first.node.id }, devices.key);
    expect(await submitAuction(api, devices.key, [battery(50)])).toHaveLength(1);

    // quantities per order and interval: 10,000,000 kWh at most (10^10 Wh; 10^5 orders stay
    // within the engine's 10^15 Wh per carrier-interval side)
    const large = await api.createParticipant(uniqueName('large'));
    const atBound = await submitAuction(api, large.key, [
      step(series, start, 'at-bound', { quantity: '10000000' }),
    ]);
    expect(atBound).toHaveLength(1);
  });

  it('bounds a whole auction at 100,000 orders, in the database', async () => {
    const series = await createSeries(api);
    const start = auctionStart(32);
    const opener = await api.createParticipant(uniqueName('opener'));
    await submitAuction(api, opener.key, [step(series, start, 'first')]);
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) ids.push((await api.createParticipant(uniqueName('bulk'))).id);
    const runtime = await connectAsRuntimeRole();
    try {
      const insert = (participant: string, n: number, prefix = 'bulk') =>
        runtime.query(
          `INSERT INTO auction_order (participant_id, client_order_id, series_code, delivery_start, kind, terms)
           SELECT $1, $5 || g, $2, $3, 'STEP', '{}'::jsonb FROM generate_series(1, $4) g`,
          [participant, series, start, n, prefix],
        );
      for (let i = 0; i < 9; i++) await insert(ids[i], 10_000);
      await insert(ids[9], 9_999); // 100,000 with the opener's
      await expect(insert(ids[10], 1)).rejects.toMatchObject({
        constraint: 'auction_total_orders',
      });
      await expect(insert(ids[9], 2, 'more')).rejects.toMatchObject({
        constraint: 'auction_total_orders',
      });
    } finally {
      await runtime.end();
    }
  });

  it('returns the same orders for a repeated batch, refuses a reused clientOrderId, cancels before the gate only', async () => {
    const series = await createSeries(api);
    const start = auctionStart(33);
    const tenant = await api.createParticipant(uniqueName('tenant'));
    const other = await api.createParticipant(uniqueName('other'));
    const batch = [
      step(series, start, 'a'),
      step(series, start, 'b', { side: 'SELL', price: '0.1' }),
    ];
    const first = await submitAuction(api, tenant.key, batch);
    expect(await submitAuction(api, tenant.key, batch)).toEqual(first);
    const reused = await api.gql(
      SUBMIT_AUCTION,
      { orders: [step(series, start, 'a', { price: '0.21' })] },
      tenant.key,
    );
    expect(
      expectError(reused, 'CONFLICT', { field: 'orders[0].clientOrderId' }).extensions.reason,
    ).toBe('CLIENT_ORDER_ID_REUSED');

    const notMine = await api.gql(CANCEL_AUCTION, { id: first[0].id }, other.key);
    expectError(notMine, 'NOT_FOUND');
    const cancelled = await api.gql(CANCEL_AUCTION, { id: first[0].id }, tenant.key);
    expect(cancelled.data.cancelAuctionOrder.status).toBe('CANCELLED');

    // an auditor sees the book once the gate has closed; then nothing moves any more
    const auditor = await api.createParticipant(uniqueName('auditor'), 'AUDITOR');
    const listBy = async (key: string) =>
      (
        await api.gql(
          `query($s: String!) { auctionOrders(series: $s) { edges { node { clientOrderId status } } } }`,
          { s: series },
          key,
        )
      ).data.auctionOrders.edges.length;
    expect(await listBy(auditor.key)).toBe(0);
    expect(await listBy(api.operatorKey)).toBe(2);
    await closeAuctionGate(db, series, start);
    expect(await listBy(auditor.key)).toBe(2);
    expectError(await api.gql(CANCEL_AUCTION, { id: first[1].id }, tenant.key), 'GATE_CLOSED', {
      field: 'id',
    });
    const late = await api.gql(
      SUBMIT_AUCTION,
      { orders: [step(series, start, 'late')] },
      tenant.key,
    );
    expectError(late, 'GATE_CLOSED', { field: 'orders[0].deliveryStart' });
    // a retry of an acknowledged order still gets it back
    const retry = await api.gql(SUBMIT_AUCTION, { orders: [batch[1]] }, tenant.key);
    expect(retry.data.submitAuctionOrders[0].id).toBe(first[1].id);
    // its result is OPEN until a matcher clears it
    const result = await api.gql(AUCTION_RESULT, { series, start }, tenant.key);
    expect(result.data.auctionResult.status).toBe('OPEN');
  });

  it('refuses a suspended participant and cancels its open auction orders', async () => {
    const series = await createSeries(api);
    const start = auctionStart(34);
    const tenant = await api.createParticipant(uniqueName('tenant'));
    const [order] = await submitAuction(api, tenant.key, [step(series, start, 'x')]);
    await api.gql(
      `mutation($id: ID!) { suspendParticipant(id: $id, reason: "unpaid bills") { id } }`,
      { id: tenant.id },
      api.operatorKey,
    );
    const { rows } = await db.query(`SELECT status FROM auction_order WHERE id = $1`, [order.id]);
    expect(rows[0].status).toBe('CANCELLED');
    const refused = await api.gql(
      SUBMIT_AUCTION,
      { orders: [step(series, start, 'y')] },
      tenant.key,
    );
    expect(refused.errors?.[0].extensions?.code).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
  });

  it('keeps the terms an auction opened with when the series changes', async () => {
    const series = await createSeries(api);
    const start = auctionStart(35);
    const later = auctionStart(36);
    const tenant = await api.createParticipant(uniqueName('tenant'));
    await submitAuction(api, tenant.key, [step(series, start, 'opened')]);
    await createSeries(api, { code: series, priceTick: '0.01' });
    // the open auction keeps the tick 0.0001; a later one has 0.01
    expect(
      await submitAuction(api, tenant.key, [step(series, start, 'fine-tick', { price: '0.2001' })]),
    ).toHaveLength(1);
    const coarse = await api.gql(
      SUBMIT_AUCTION,
      { orders: [step(series, later, 'coarse', { price: '0.2001' })] },
      tenant.key,
    );
    expect(
      expectError(coarse, 'BAD_USER_INPUT', { field: 'orders[0].step.price' }).extensions.reason,
    ).toBe('OFF_TICK');
  });
});
