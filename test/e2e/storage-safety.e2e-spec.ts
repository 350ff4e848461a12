import type { Client } from 'pg';
import { SafetySweep } from '@parkex/matcher/safety-sweep';
import {
  ACKNOWLEDGE,
  ASSET_FIELDS,
  ingest,
  registerAsset,
  rulesInput,
  sample,
  SET_RULES,
  type Json,
} from '@parkex/test-support/assets';
import { auctionStart, createSeries } from '@parkex/test-support/auctions';
import { closeGate } from '@parkex/test-support/market-factory';
import { createProduct, expectError, openInterval, orderInput } from '@parkex/test-support/orders';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';
import { eventually } from '../../scripts/support/processes';

/**
 * Assets, battery telemetry and the storage safety linkage against the real API, PostgreSQL and
 * matcher: registration and reads, orders naming assets, the ingest's refusals and bounds, each
 * early-warning threshold, the hysteresis and the operator's acknowledgement, derating and
 * suspension acting on the asset's orders, and loss of telemetry raised by the matcher's sweep.
 * Sample times lie in the past (the hold runs on sample time), so that nothing waits for it.
 */

const MINUTE = 60_000;
const ORDER_WITH_ASSET = `mutation($orders: [OrderInput!]!) { submitOrders(orders: $orders) { id status assetId quantity } }`;

describe('storage safety', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let product: Awaited<ReturnType<typeof createProduct>>;
  let ahead = 0;

  beforeAll(async () => {
    api = await startTestApi({ dbPoolSize: 8 });
    db = await connectTestDatabase();
    product = await createProduct(api, { intervalSeconds: 900, gateClosureSeconds: 300 });
    matcher = await startTestMatcher([product.code]);
  }, 60_000);
  afterAll(async () => {
    await matcher?.close();
    await db?.end();
    await api?.close();
  });

  /** A new participant with a 100 kW / 200 kWh asset of `kind`. */
  async function owner(kind = 'BATTERY') {
    const participant = await api.createParticipant(uniqueName('Storage'));
    const asset = await registerAsset(api, participant.id, { kind });
    return { ...participant, asset };
  }

  async function levelAfter(key: string, samples: unknown[]): Promise<Json> {
    const result = await ingest(api, key, samples);
    expect(result.errors).toBeUndefined();
    return result.data.ingestTelemetry;
  }

  async function orderStatus(id: string): Promise<string> {
    const { rows } = await db.query(`SELECT status FROM market_order WHERE id = $1`, [id]);
    return rows[0].status as string;
  }

  async function submit(key: string, orders: unknown[]) {
    return api.gql(ORDER_WITH_ASSET, { orders }, key);
  }

  describe('assets', () => {
    it('are registered by the operator; participants read their own, no one else’s', async () => {
      const a = await owner();
      const b = await api.createParticipant(uniqueName('Other'));
      expect(a.asset).toMatchObject({
        participantId: a.id,
        kind: 'BATTERY',
        energyCapacity: '200',
        chargePower: '100',
        level: 'NORMAL',
        trading: 'FULL',
        powerPermille: 1000,
      });
      const own = await api.gql(`{ assets { id } }`, {}, a.key);
      expect(own.data.assets).toEqual([{ id: a.asset.id }]);
      expect((await api.gql(`{ assets { id } }`, {}, b.key)).data.assets).toEqual([]);
      const foreign = await api.gql(
        `query($id: ID!) { asset(id: $id) { id } }`,
        { id: a.asset.id },
        b.key,
      );
      expectError(foreign, 'NOT_FOUND');
      const all = await api.gql(`{ assets { id } }`, {}, api.operatorKey);
      expect(all.data.assets).toContainEqual({ id: a.asset.id });

      const byParticipant = await api.gql(
        `mutation($input: AssetInput!) { registerAsset(input: $input) { ${ASSET_FIELDS} } }`,
        {
          input: {
            participantId: b.id,
            name: 'x',
            kind: 'PV',
            energyCapacity: '0',
            chargePower: '0',
            dischargePower: '5',
          },
        },
        b.key,
      );
      expectError(byParticipant, 'FORBIDDEN');
    });

    it('refuse bad ratings and a second asset of the same name', async () => {
      const a = await owner();
      const bad = await api.gql(
        `mutation($input: AssetInput!) { registerAsset(input: $input) { id } }`,
        {
          input: {
            participantId: a.id,
            name: 'b',
            kind: 'PV',
            energyCapacity: '1.0001',
            chargePower: '0',
            dischargePower: '5',
          },
        },
        api.operatorKey,
      );
      expectError(bad, 'BAD_USER_INPUT', { field: 'input.energyCapacity' });
      const again = await api.gql(
        `mutation($input: AssetInput!) { registerAsset(input: $input) { id } }`,
        {
          input: {
            participantId: a.id,
            name: a.asset.name,
            kind: 'PV',
            energyCapacity: '0',
            chargePower: '0',
            dischargePower: '5',
          },
        },
        api.operatorKey,
      );
      expectError(again, 'CONFLICT', { field: 'input.name' });
    });
  });

  describe('orders naming an asset', () => {
    it('must name one of the participant’s own assets', async () => {
      const a = await owner();
      const b = await owner();
      const start = openInterval(product, ahead++);
      for (const assetId of [b.asset.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
        const refused = await submit(a.key, [orderInput(product, start, { assetId })]);
        const error = expectError(refused, 'BAD_USER_INPUT', { field: 'orders[0].assetId' });
        expect(error.extensions.reason).toBe('UNKNOWN_ASSET');
      }
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1`,
        [a.id],
      );
      expect(rows[0].n).toBe(0);
    });

    it('stay within the energy the asset’s power gives per interval and side (at the bound)', async () => {
      const a = await owner(); // 100 kW × 900 s = 25 kWh
      const start = openInterval(product, ahead++);
      const first = await submit(a.key, [
        orderInput(product, start, { assetId: a.asset.id, quantity: '20' }),
        orderInput(product, start, {
          assetId: a.asset.id,
          side: 'SELL',
          price: '3',
          quantity: '25',
        }),
      ]);
      expect(first.errors).toBeUndefined();
      expect(first.data.submitOrders[0]).toMatchObject({ assetId: a.asset.id, status: 'OPEN' });
      const over = await submit(a.key, [
        orderInput(product, start, { assetId: a.asset.id, quantity: '5.001' }),
      ]);
      const error = expectError(over, 'BAD_USER_INPUT', { field: 'orders[0].quantity' });
      expect(error.extensions.reason).toBe('ASSET_POWER_EXCEEDED');
      const atTheBound = [orderInput(product, start, { assetId: a.asset.id, quantity: '5' })];
      const exactly = await submit(a.key, atTheBound);
      expect(exactly.errors).toBeUndefined();
      // a resend at the bound is answered with the stored order, not counted twice
      const resent = await submit(a.key, atTheBound);
      expect(resent.errors).toBeUndefined();
      expect(resent.data.submitOrders[0].id).toBe(exactly.data.submitOrders[0].id);
    });
  });

  describe('telemetry ingest', () => {
    it('stores a batch; a resend is skipped as duplicates', async () => {
      const a = await owner();
      const t0 = Date.now() - 10 * MINUTE;
      const batch = [0, 1, 2].map((i) => sample(a.asset.id, t0 + i * 1000));
      const stored = await levelAfter(a.key, batch);
      expect(stored).toMatchObject({ accepted: 3, duplicates: 0, events: [] });
      expect(stored.assets[0].lastSampleAt).toBe(new Date(t0 + 2000).toISOString());
      const again = await levelAfter(a.key, [...batch, sample(a.asset.id, t0 + 3000)]);
      expect(again).toMatchObject({ accepted: 1, duplicates: 3 });
      const { rows } = await db.query(
        `SELECT count(*)::int AS n, min(cell_temp_max_deci_c) AS t FROM telemetry_sample WHERE asset_id = $1`,
        [a.asset.id],
      );
      expect(rows[0]).toEqual({ n: 4, t: 260 });
    });

    it.each([
      ['out of order in the batch', 'OUT_OF_ORDER', (t: number) => [t + 2000, t + 1000]],
      ['before the last stored sample', 'OUT_OF_ORDER', (t: number) => [t + 3000, t - 1000]],
      [
        'beyond the clock skew in the future',
        'IN_THE_FUTURE',
        () => [Date.now() - 1000, Date.now() + 60_000],
      ],
      ['older than 7 days', 'TOO_OLD', () => [Date.now() - 8 * 86_400_000]],
    ])('refuses samples %s with a reason, writing nothing', async (_name, reason, times) => {
      const a = await owner();
      const t0 = Date.now() - 10 * MINUTE;
      await levelAfter(a.key, [sample(a.asset.id, t0)]);
      const offending = times(t0);
      const refused = await ingest(
        api,
        a.key,
        offending.map((t) => sample(a.asset.id, t, { cellTempMaxDeciC: 700 })),
      );
      const error = expectError(refused, 'BAD_USER_INPUT');
      expect(error.extensions).toMatchObject({
        reason,
        field: `samples[${offending.length - 1}].time`,
      });
      const { rows } = await db.query(
        `SELECT (SELECT count(*)::int FROM telemetry_sample WHERE asset_id = $1) AS samples,
                (SELECT count(*)::int FROM safety_event WHERE asset_id = $1) AS events,
                (SELECT level FROM asset_safety WHERE asset_id = $1) AS level`,
        [a.asset.id],
      );
      expect(rows[0]).toEqual({ samples: 1, events: 0, level: 'NORMAL' });
    });

    it('refuses bad values and other participants’ assets, naming the sample', async () => {
      const a = await owner();
      const b = await owner();
      const t0 = Date.now() - MINUTE;
      const range = await ingest(api, a.key, [
        sample(a.asset.id, t0),
        sample(a.asset.id, t0 + 1, { socPermille: 1001 }),
      ]);
      expect(expectError(range, 'BAD_USER_INPUT').extensions).toMatchObject({
        field: 'samples[1].socPermille',
        reason: 'OUT_OF_RANGE',
      });
      const foreign = await ingest(api, a.key, [sample(b.asset.id, t0)]);
      expect(expectError(foreign, 'BAD_USER_INPUT').extensions).toMatchObject({
        field: 'samples[0].assetId',
        reason: 'UNKNOWN_ASSET',
      });
      const float = await ingest(api, a.key, [sample(a.asset.id, t0, { packVoltageMv: 1.5 })]);
      expect(float.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM telemetry_sample WHERE asset_id IN ($1, $2)`,
        [a.asset.id, b.asset.id],
      );
      expect(rows[0].n).toBe(0);
    });

    it('takes 5000 samples in one batch and refuses 5001', async () => {
      const a = await owner();
      const t0 = Date.now() - 6 * 86_400_000;
      const samples = Array.from({ length: 5001 }, (_, i) => sample(a.asset.id, t0 + i * 1000));
      const over = await ingest(api, a.key, samples);
      expect(expectError(over, 'BAD_USER_INPUT').extensions).toMatchObject({
        field: 'samples',
        reason: 'BATCH_SIZE',
      });
      const bound = await levelAfter(a.key, samples.slice(0, 5000));
      expect(bound.accepted).toBe(5000);
    });
  });

  describe('early-warning thresholds (battery defaults)', () => {
    it.each([
      ['cell temperature', { cellTempMaxDeciC: 450 }, 'WATCH', 'CELL_TEMPERATURE'],
      ['cell temperature', { cellTempMaxDeciC: 550 }, 'WARNING', 'CELL_TEMPERATURE'],
      ['cell temperature', { cellTempMaxDeciC: 650 }, 'ALARM', 'CELL_TEMPERATURE'],
      [
        'cell voltage spread',
        { cellVoltageMinMv: 3100, cellVoltageMaxMv: 3300 },
        'WARNING',
        'CELL_VOLTAGE_SPREAD',
      ],
      ['off-gas', { offGasPpm: 10 }, 'WATCH', 'OFF_GAS'],
      ['off-gas', { offGasPpm: 100 }, 'ALARM', 'OFF_GAS'],
      ['state of charge', { socPermille: 960 }, 'WATCH', 'SOC_WINDOW'],
      ['state of charge', { socPermille: 19 }, 'WARNING', 'SOC_WINDOW'],
      ['state of health', { sohPermille: 700 }, 'WARNING', 'STATE_OF_HEALTH'],
      ['fault flags', { faultFlags: 0x10000 }, 'ALARM', 'FAULT_FLAGS'],
    ])('%s %j raises %s', async (_name, overrides, level, rule) => {
      const a = await owner();
      const t0 = Date.now() - 5 * MINUTE;
      const out = await levelAfter(a.key, [
        sample(a.asset.id, t0),
        sample(a.asset.id, t0 + 1000, overrides),
      ]);
      expect(out.assets[0].level).toBe(level);
      expect(out.events).toHaveLength(1);
      expect(out.events[0]).toMatchObject({
        kind: 'LEVEL_CHANGED',
        fromLevel: 'NORMAL',
        toLevel: level,
        at: new Date(t0 + 1000).toISOString(),
        actorId: a.id,
        samples: [{ assetId: a.asset.id, time: new Date(t0 + 1000).toISOString() }],
      });
      expect(out.events[0].findings).toContainEqual(expect.objectContaining({ rule, level }));
    });

    it('temperature rise rate over the window raises WARNING (54 deci-°C/min)', async () => {
      const a = await owner();
      const t0 = Date.now() - 5 * MINUTE;
      const out = await levelAfter(a.key, [
        sample(a.asset.id, t0),
        sample(a.asset.id, t0 + 10_000, { cellTempMaxDeciC: 269 }),
      ]);
      expect(out.events[0].findings).toEqual([
        { rule: 'TEMPERATURE_RISE', level: 'WARNING', value: 54, threshold: 50 },
      ]);
    });

    it('are configurable per asset kind by the operator, and checked', async () => {
      const invalid = await api.gql(
        SET_RULES,
        { input: rulesInput('HEAT_TANK', { deratePermille: 1200 }) },
        api.operatorKey,
      );
      expect(expectError(invalid, 'BAD_USER_INPUT').extensions.reason).toBe('INVALID_RULES');
      const set = await api.gql(
        SET_RULES,
        {
          input: rulesInput('HEAT_TANK', {
            cellTempMaxDeciC: { watch: 300, warning: null, alarm: null },
            silenceSeconds: null,
          }),
        },
        api.operatorKey,
      );
      expect(set.errors).toBeUndefined();
      const tank = await owner('HEAT_TANK');
      const battery = await owner('BATTERY');
      const t0 = Date.now() - MINUTE;
      expect(
        (await levelAfter(tank.key, [sample(tank.asset.id, t0, { cellTempMaxDeciC: 300 })]))
          .assets[0].level,
      ).toBe('WATCH');
      expect(
        (await levelAfter(battery.key, [sample(battery.asset.id, t0, { cellTempMaxDeciC: 300 })]))
          .assets[0].level,
      ).toBe('NORMAL');
      const byParticipant = await api.gql(SET_RULES, { input: rulesInput('HEAT_TANK') }, tank.key);
      expectError(byParticipant, 'FORBIDDEN');
    });
  });

  describe('hysteresis and acknowledgement', () => {
    const HOLD = 300_000; // the battery default

    it('a level falls only after every sample was lower for the hold time', async () => {
      const a = await owner();
      const t0 = Date.now() - 30 * MINUTE;
      const warm = { cellTempMaxDeciC: 560 };
      await levelAfter(a.key, [sample(a.asset.id, t0, warm), sample(a.asset.id, t0 + 1000)]);
      const early = await levelAfter(a.key, [
        sample(a.asset.id, t0 + 2000, { cellTempMaxDeciC: 460 }),
        sample(a.asset.id, t0 + 1000 + HOLD - 1),
      ]);
      expect(early.assets[0].level).toBe('WARNING');
      const due = await levelAfter(a.key, [sample(a.asset.id, t0 + 1000 + HOLD)]);
      expect(due.assets[0].level).toBe('WATCH'); // the highest level seen during the hold
      expect(due.events[0]).toMatchObject({ fromLevel: 'WARNING', toLevel: 'WATCH' });
    });

    it('leaving ALARM needs the hold and the operator’s acknowledgement (after the hold)', async () => {
      const a = await owner();
      const t0 = Date.now() - 30 * MINUTE;
      await levelAfter(a.key, [
        sample(a.asset.id, t0, { offGasPpm: 150 }),
        sample(a.asset.id, t0 + 1000),
        sample(a.asset.id, t0 + 1000 + HOLD),
      ]);
      const still = await api.gql(
        `query($id: ID!) { asset(id: $id) { level acknowledged } }`,
        { id: a.asset.id },
        a.key,
      );
      expect(still.data.asset).toEqual({ level: 'ALARM', acknowledged: false });
      const acked = await api.gql(ACKNOWLEDGE, { assetId: a.asset.id }, api.operatorKey);
      expect(acked.errors).toBeUndefined();
      expect(acked.data.acknowledgeSafetyAlarm.asset).toMatchObject({
        level: 'NORMAL',
        trading: 'FULL',
      });
      expect(
        acked.data.acknowledgeSafetyAlarm.events.map((e: Json) => [e.kind, e.fromLevel, e.toLevel]),
      ).toEqual([
        ['ACKNOWLEDGED', 'ALARM', 'ALARM'],
        ['LEVEL_CHANGED', 'ALARM', 'NORMAL'],
      ]);
    });

    it('an acknowledgement before the hold lets the level fall at the first sample after it', async () => {
      // CHP: the battery rules with a 2 s hold, so that the hold can run out in real time
      const set = await api.gql(
        SET_RULES,
        { input: rulesInput('CHP', { holdSeconds: 2, silenceSeconds: null }) },
        api.operatorKey,
      );
      expect(set.errors).toBeUndefined();
      const a = await owner('CHP');
      const t0 = Date.now() - 1000;
      await levelAfter(a.key, [
        sample(a.asset.id, t0, { offGasPpm: 150 }),
        sample(a.asset.id, t0 + 500),
      ]);
      const acked = await api.gql(ACKNOWLEDGE, { assetId: a.asset.id }, api.operatorKey);
      expect(acked.data.acknowledgeSafetyAlarm.asset).toMatchObject({
        level: 'ALARM',
        acknowledged: true,
      });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const fell = await levelAfter(a.key, [sample(a.asset.id, Date.now())]);
      expect(fell.assets[0]).toMatchObject({ level: 'NORMAL', acknowledged: false });
    });

    it('only the operator acknowledges, and only an ALARM', async () => {
      const a = await owner();
      const notAlarm = await api.gql(ACKNOWLEDGE, { assetId: a.asset.id }, api.operatorKey);
      expect(expectError(notAlarm, 'CONFLICT').extensions.reason).toBe('NOT_IN_ALARM');
      expectError(await api.gql(ACKNOWLEDGE, { assetId: a.asset.id }, a.key), 'FORBIDDEN');
    });
  });

  describe('linkage to the market', () => {
    it('WARNING derates: open orders beyond the derated power are cancelled, new ones refused', async () => {
      const a = await owner(); // 25 kWh per interval at full power, 12.5 kWh derated to 50 %
      const other = await api.createParticipant(uniqueName('Unrelated'));
      const start = openInterval(product, ahead++);
      const placed = await submit(a.key, [
        orderInput(product, start, { assetId: a.asset.id, quantity: '10' }),
        orderInput(product, start, { assetId: a.asset.id, quantity: '10' }),
        orderInput(product, start, {
          assetId: a.asset.id,
          side: 'SELL',
          price: '3',
          quantity: '5',
        }),
        orderInput(product, start, { quantity: '50' }), // names no asset
      ]);
      expect(placed.errors).toBeUndefined();
      const ids = placed.data.submitOrders.map((o: Json) => o.id as string);
      const untouched = await submit(other.key, [orderInput(product, start, { quantity: '10' })]);

      const out = await levelAfter(a.key, [
        sample(a.asset.id, Date.now() - 1000, { cellTempMaxDeciC: 555 }),
      ]);
      expect(out.assets[0]).toMatchObject({
        level: 'WARNING',
        trading: 'DERATED',
        powerPermille: 500,
      });
      expect(out.events[0].cancelledOrderIds).toEqual([ids[1]]);
      expect(await Promise.all(ids.map(orderStatus))).toEqual([
        'OPEN',
        'CANCELLED',
        'OPEN',
        'OPEN',
      ]);
      expect(await orderStatus(untouched.data.submitOrders[0].id)).toBe('OPEN');

      const over = await submit(a.key, [
        orderInput(product, start, { assetId: a.asset.id, quantity: '2.501' }),
      ]);
      const error = expectError(over, 'FORBIDDEN', { field: 'orders[0].quantity' });
      expect(error.extensions.reason).toBe('ASSET_DERATED');
      const bound = await submit(a.key, [
        orderInput(product, start, { assetId: a.asset.id, quantity: '2.5' }),
      ]);
      expect(bound.errors).toBeUndefined();

      const audit = await db.query(
        `SELECT actor_id, args FROM audit_log WHERE action = 'safetyLinkage' AND args->>'assetId' = $1`,
        [a.asset.id],
      );
      expect(audit.rows).toEqual([
        {
          actor_id: a.id,
          args: expect.objectContaining({
            from: 'NORMAL',
            to: 'WARNING',
            cancelledOrderIds: [ids[1]],
          }),
        },
      ]);
    });

    it('ALARM suspends: open orders cancelled where the gate is open, new ones refused, cleared deliveries flagged', async () => {
      const a = await owner();
      const seller = await api.createParticipant(uniqueName('Seller'));
      const cleared = openInterval(product, ahead++);
      const closed = openInterval(product, ahead++);
      const open = openInterval(product, ahead++);
      const bid = await submit(a.key, [
        orderInput(product, cleared, { assetId: a.asset.id, quantity: '10', price: '0.2' }),
        orderInput(product, closed, { assetId: a.asset.id, quantity: '10' }),
        orderInput(product, open, { assetId: a.asset.id, quantity: '10' }),
      ]);
      expect(bid.errors).toBeUndefined();
      const [clearedId, closedId, openId] = bid.data.submitOrders.map((o: Json) => o.id as string);
      const offer = await submit(seller.key, [
        orderInput(product, cleared, { side: 'SELL', price: '0.1', quantity: '10' }),
      ]);
      expect(offer.errors).toBeUndefined();
      await closeGate(db, product.code, cleared);
      expect(await matcher.drain()).toBeGreaterThanOrEqual(1);
      await closeGate(db, product.code, closed);

      const out = await levelAfter(a.key, [
        sample(a.asset.id, Date.now() - 1000, { offGasPpm: 120 }),
      ]);
      expect(out.assets[0]).toMatchObject({
        level: 'ALARM',
        trading: 'SUSPENDED',
        powerPermille: 0,
      });
      expect(out.events[0]).toMatchObject({
        toLevel: 'ALARM',
        cancelledOrderIds: [openId],
        expectedImbalances: 1,
      });
      expect(await orderStatus(openId)).toBe('CANCELLED');
      expect(await orderStatus(closedId)).toBe('OPEN'); // its gate has closed: the book is frozen

      const refused = await submit(a.key, [
        orderInput(product, open, { assetId: a.asset.id, quantity: '1' }),
      ]);
      expect(
        expectError(refused, 'FORBIDDEN', { field: 'orders[0].assetId' }).extensions.reason,
      ).toBe('ASSET_SUSPENDED');
      const flagged = await api.gql(
        `{ expectedImbalances { assetId orderId productCode deliveryStart side quantity safetyEventId } }`,
        {},
        api.operatorKey,
      );
      expect(flagged.data.expectedImbalances).toContainEqual({
        assetId: a.asset.id,
        orderId: clearedId,
        productCode: product.code,
        deliveryStart: cleared.toISOString(),
        side: 'BUY',
        quantity: '10',
        safetyEventId: out.events[0].id,
      });
    });

    it('recovery: back to NORMAL for the hold and acknowledged, the asset trades again', async () => {
      const a = await owner();
      const start = openInterval(product, ahead++);
      const t0 = Date.now() - 10 * MINUTE;
      await levelAfter(a.key, [
        sample(a.asset.id, t0, { faultFlags: 0x20000 }),
        sample(a.asset.id, t0 + 1000),
      ]);
      const order = () =>
        submit(a.key, [orderInput(product, start, { assetId: a.asset.id, quantity: '1' })]);
      expectError(await order(), 'FORBIDDEN');
      await levelAfter(a.key, [sample(a.asset.id, t0 + 1000 + 300_000)]);
      expectError(await order(), 'FORBIDDEN'); // held, not yet acknowledged
      await api.gql(ACKNOWLEDGE, { assetId: a.asset.id }, api.operatorKey);
      expect((await order()).errors).toBeUndefined();
    });
  });

  describe('loss of telemetry', () => {
    it('a silence longer than configured raises WARNING through the matcher’s sweep, derating the asset', async () => {
      const set = await api.gql(
        SET_RULES,
        { input: rulesInput('EV_HUB', { silenceSeconds: 1 }) },
        api.operatorKey,
      );
      expect(set.errors).toBeUndefined();
      const a = await owner('EV_HUB');
      const start = openInterval(product, ahead++);
      const placed = await submit(a.key, [
        orderInput(product, start, { assetId: a.asset.id, quantity: '12' }),
        orderInput(product, start, { assetId: a.asset.id, quantity: '12' }),
      ]);
      const ids = placed.data.submitOrders.map((o: Json) => o.id as string);
      await levelAfter(a.key, [sample(a.asset.id, Date.now() - 1000)]);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await matcher.app.get(SafetySweep).sweep(); // another matcher's sweep may have been first
      const events = await eventually(async () => {
        const result = await api.gql(
          `query($id: ID) { safetyEventConnection(assetId: $id) { edges { node { toLevel actorId findings { rule } cancelledOrderIds samples { assetId } } } } }`,
          { id: a.asset.id },
          api.operatorKey,
        );
        const edges = result.data?.safetyEventConnection.edges ?? [];
        return edges.length ? edges : undefined;
      });
      expect(events[0].node).toEqual({
        toLevel: 'WARNING',
        actorId: null,
        findings: [{ rule: 'TELEMETRY_LOST' }],
        cancelledOrderIds: [ids[1]],
        samples: [{ assetId: a.asset.id }],
      });
      expect(await orderStatus(ids[0])).toBe('OPEN');
    });
  });

  describe('integrated auction orders', () => {
    // 100 kW × 900 s = 25 kWh per interval; 200 kWh of capacity (owner())
    const storage = (
      clientOrderId: string,
      assetId: string | null,
      maxCharge = '25',
      maxDischarge = '25',
    ) => ({
      clientOrderId,
      series,
      deliveryStart: auctionAt.toISOString(),
      ...(assetId === null ? {} : { assetId }),
      storage: {
        carrier: 'ELECTRICITY',
        capacity: '200',
        initial: '100',
        finalMin: '0',
        maxCharge,
        maxDischarge,
        chargeEfficiency: '0.9',
        dischargeEfficiency: '0.9',
      },
    });
    const submitAuction = (key: string, orders: unknown[]) =>
      api.gql(
        `mutation($orders: [AuctionOrderInput!]!) { submitAuctionOrders(orders: $orders) { id assetId status } }`,
        { orders },
        key,
      );
    const auctionStatus = async (id: string) =>
      (await db.query(`SELECT status FROM auction_order WHERE id = $1`, [id])).rows[0].status;
    let series: string;
    let auctionAt: Date;
    beforeAll(async () => {
      series = await createSeries(api);
      auctionAt = auctionStart(48);
    });

    it('name an asset of the participant’s, of a matching kind, within its ratings (at the bound)', async () => {
      const a = await owner();
      const pv = await registerAsset(api, a.id, { kind: 'PV' });
      const refused = async (order: unknown) =>
        expectError(await submitAuction(a.key, [order]), 'BAD_USER_INPUT');
      expect((await refused(storage('no-asset', null))).extensions).toMatchObject({
        field: 'orders[0].assetId',
        reason: 'ASSET_REQUIRED',
      });
      expect((await refused(storage('pv', pv.id))).extensions.reason).toBe('ASSET_KIND_MISMATCH');
      const step = {
        clientOrderId: 'step',
        series,
        deliveryStart: auctionAt.toISOString(),
        assetId: a.asset.id,
        step: { carrier: 'ELECTRICITY', interval: 0, side: 'BUY', price: '0.1', quantity: '1' },
      };
      expect((await refused(step)).extensions.reason).toBe('ASSET_NOT_A_DEVICE');
      const over = await refused(storage('over', a.asset.id, '25.001'));
      expect(over.extensions).toMatchObject({
        field: 'orders[0].storage.maxCharge',
        reason: 'ASSET_POWER_EXCEEDED',
      });
      const placed = await submitAuction(a.key, [storage('at-bound', a.asset.id, '25')]);
      expect(placed.errors).toBeUndefined();
      expect(placed.data.submitAuctionOrders[0]).toMatchObject({
        assetId: a.asset.id,
        status: 'OPEN',
      });
      const foreign = await owner();
      expect((await refused(storage('foreign', foreign.asset.id))).extensions.reason).toBe(
        'UNKNOWN_ASSET',
      );
    });

    it('WARNING cancels those beyond the derated power and refuses new ones; ALARM cancels the rest and suspends', async () => {
      const a = await owner();
      const placed = await submitAuction(a.key, [
        storage('full', a.asset.id, '25'),
        storage('half', a.asset.id, '12.5', '12.5'),
      ]);
      expect(placed.errors).toBeUndefined();
      const [full, half] = placed.data.submitAuctionOrders.map((o: Json) => o.id as string);

      const warning = await levelAfter(a.key, [
        sample(a.asset.id, Date.now() - 2000, { cellTempMaxDeciC: 555 }),
      ]);
      expect(warning.assets[0]).toMatchObject({ level: 'WARNING' });
      expect(await auctionStatus(full)).toBe('CANCELLED');
      expect(await auctionStatus(half)).toBe('OPEN');
      const derated = expectError(
        await submitAuction(a.key, [storage('again', a.asset.id, '13')]),
        'FORBIDDEN',
      );
      expect(derated.extensions).toMatchObject({
        reason: 'ASSET_DERATED',
        field: 'orders[0].storage.maxCharge',
      });

      const alarm = await levelAfter(a.key, [
        sample(a.asset.id, Date.now() - 1000, { cellTempMaxDeciC: 650 }),
      ]);
      expect(alarm.assets[0]).toMatchObject({ level: 'ALARM' });
      expect(await auctionStatus(half)).toBe('CANCELLED');
      const suspended = expectError(
        await submitAuction(a.key, [storage('late', a.asset.id, '1')]),
        'FORBIDDEN',
      );
      expect(suspended.extensions.reason).toBe('ASSET_SUSPENDED');
      const { rows } = await db.query(
        `SELECT args FROM audit_log WHERE action = 'safetyLinkage' AND args->>'assetId' = $1 ORDER BY id`,
        [a.asset.id],
      );
      expect(rows.map((r) => r.args.cancelledAuctionOrderIds)).toEqual([[full], [half]]);
    });
  });
});
