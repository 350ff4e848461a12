import { randomInt, randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { registerAsset } from '@parkex/test-support/assets';
import {
  auctionStart,
  closeAuctionGate,
  createSeries,
  submitAuction,
} from '@parkex/test-support/auctions';
import { closeGate, createProduct, placeOrders } from '@parkex/test-support/market-factory';
import { insertFixtureReadings } from '@parkex/test-support/meter-fixtures';
import { expectError } from '@parkex/test-support/orders';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';
import { getCsv } from '@parkex/test-support/csv-export';

const FIGURES = `consumption parkPurchases residual renewable renewableShare
  locationBasedGrams marketBasedGrams avoidedGrams`;
const REPORT = `query($month: String!, $participantId: ID) {
  carbonReport(month: $month, participantId: $participantId) {
    participantId participantName month from to
    electricity { ${FIGURES} } heat { ${FIGURES} } total { ${FIGURES} } } }`;
const INTENSITY = `query($from: DateTime!, $to: DateTime!) {
  parkCarbonIntensity(from: $from, to: $to) {
    deliveryStart consumption emissionsGrams intensity gridFactor } }`;
const UPLOAD = `mutation($factors: [GridCarbonFactorInput!]!) { uploadGridCarbonFactors(factors: $factors) }`;
const SET_FACTOR = `mutation($input: EmissionFactorInput!) { setEmissionFactor(input: $input) {
  id assetKind fuel validFrom gramsPerKwh electricalEfficiency thermalEfficiency
  referenceElectricalEfficiency referenceThermalEfficiency efficiency
  electricityGramsPerKwh heatGramsPerKwh renewable source } }`;
const SET_DEFAULT = `mutation($input: CarbonDefaultInput!) { setCarbonDefault(input: $input) {
  name validFrom gramsPerKwh source } }`;

// This file's month: a random one of 2039 (other files deliver in 2030–2038 and 2040+), so that
// the park's intensity over its two intervals holds only this file's meters and trades.
const MONTH = randomInt(0, 12);
const T1 = new Date(
  Date.UTC(2039, MONTH, 2 + randomInt(0, 25), randomInt(0, 23), 15 * randomInt(0, 4)),
);
const T2 = new Date(T1.getTime() + 900_000);
const MONTH_TEXT = `2039-${String(MONTH + 1).padStart(2, '0')}`;

/**
 * Issue 15, carbon: the hand-computed case of libs/market/src/carbon/carbon.spec.ts through the
 * API, on real fills cleared by the matcher and meter readings in meter_reading. The bakery buys
 * 2 kWh of PV electricity and 1 kWh of CHP heat in T1 (grid factor uploaded: 400 g/kWh), 1 kWh of
 * CHP electricity in T2 (the default, 380 g/kWh); its meters read 3 kWh and 1 kWh of heat in T1,
 * 1.5 kWh in T2. CHP on natural gas (201 g/kWh of fuel, 0.35 el + 0.5 heat, references 0.35 and
 * 0.8): 201·160/91 g per kWh of electricity, 201·10/13 g per kWh of heat.
 */
describe('carbon accounting', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let bakery: { id: string; key: string };
  let solar: { id: string; key: string };
  let chp: { id: string; key: string };
  let auditor: { id: string; key: string };

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    bakery = await api.createParticipant(uniqueName('Bakery'));
    solar = await api.createParticipant(uniqueName('Rooftop PV'));
    chp = await api.createParticipant(uniqueName('CHP plant'));
    auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
    const pv = await registerAsset(api, solar.id, { kind: 'PV', energyCapacity: '0' });
    const plant = await registerAsset(api, chp.id, { kind: 'CHP', energyCapacity: '0' });

    const uploaded = await api.gql(
      UPLOAD,
      { factors: [{ deliveryStart: T1.toISOString(), gramsPerKwh: '400' }] },
      api.operatorKey,
    );
    expect(uploaded).toEqual({ data: { uploadGridCarbonFactors: 1 } });

    const orders: [string, Date, string, 'BUY' | 'SELL', number, string | null][] = [
      ['ELECTRICITY', T1, bakery.id, 'BUY', 2000, null],
      ['ELECTRICITY', T1, solar.id, 'SELL', 2000, pv.id],
      ['HEAT', T1, bakery.id, 'BUY', 1000, null],
      ['HEAT', T1, chp.id, 'SELL', 1000, plant.id],
      ['ELECTRICITY', T2, bakery.id, 'BUY', 1000, null],
      ['ELECTRICITY', T2, chp.id, 'SELL', 1000, plant.id],
    ];
    for (const [product, start, participant, side, wh, asset] of orders) {
      await db.query(
        `INSERT INTO product_interval (product_code, delivery_start, gate_closure_at)
         VALUES ($1, $2, now() + interval '1 hour') ON CONFLICT DO NOTHING`,
        [product, start],
      );
      await db.query(
        `INSERT INTO market_order (participant_id, client_order_id, product_code, delivery_start,
                                   side, price, quantity_wh, asset_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          participant,
          randomUUID(),
          product,
          start,
          side,
          side === 'BUY' ? '0.3' : '0.1',
          wh,
          asset,
        ],
      );
    }
    for (const [product, start] of [
      ['ELECTRICITY', T1],
      ['HEAT', T1],
      ['ELECTRICITY', T2],
    ] as const) {
      await closeGate(db, product, start);
    }
    matcher = await startTestMatcher(['ELECTRICITY', 'HEAT']);
    await matcher.drain();

    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role) VALUES ($1, 'METER') RETURNING id`,
      [uniqueName('Meter')],
    );
    await insertFixtureReadings(
      db,
      (
        [
          ['ELECTRICITY', T1, 3000],
          ['HEAT', T1, 1000],
          ['ELECTRICITY', T2, 1500],
        ] as const
      ).map(([productCode, deliveryStart, importWh]) => ({
        readingId: `carbon-${randomUUID()}`,
        participantId: bakery.id,
        productCode,
        deliveryStart,
        importWh,
        submittedBy: rows[0].id,
      })),
    );
  }, 60_000);

  afterAll(async () => {
    await matcher?.close();
    await db?.end();
    await api?.close();
  });

  const BAKERY_REPORT = {
    electricity: {
      consumption: '4.5',
      parkPurchases: '3',
      residual: '1.5',
      renewable: '2',
      renewableShare: '0.4444',
      locationBasedGrams: '1770',
      marketBasedGrams: '943',
      avoidedGrams: '827',
    },
    heat: {
      consumption: '1',
      parkPurchases: '1',
      residual: '0',
      renewable: '0',
      renewableShare: '0.0000',
      locationBasedGrams: '280',
      marketBasedGrams: '155',
      avoidedGrams: '125',
    },
    total: {
      consumption: '5.5',
      parkPurchases: '4',
      residual: '1.5',
      renewable: '2',
      renewableShare: '0.3636',
      locationBasedGrams: '2050',
      marketBasedGrams: '1098',
      avoidedGrams: '952',
    },
  };

  it("gives a participant its own month's report: the hand-computed numbers", async () => {
    const result = await api.gql(REPORT, { month: MONTH_TEXT }, bakery.key);
    expect(result.errors).toBeUndefined();
    expect(result.data.carbonReport).toEqual([
      {
        participantId: bakery.id,
        participantName: expect.stringMatching(/^Bakery/),
        month: MONTH_TEXT,
        from: new Date(Date.UTC(2039, MONTH, 1)).toISOString(),
        to: new Date(Date.UTC(2039, MONTH + 1, 1)).toISOString(),
        ...BAKERY_REPORT,
      },
    ]);
  });

  it('lets the operator and the auditor read every report, a participant only its own', async () => {
    for (const key of [api.operatorKey, auditor.key]) {
      const all = await api.gql(REPORT, { month: MONTH_TEXT }, key);
      expect(all.errors).toBeUndefined();
      const byId = new Map(
        (all.data.carbonReport as { participantId: string }[]).map((r) => [r.participantId, r]),
      );
      expect(byId.get(bakery.id)).toMatchObject(BAKERY_REPORT);
      // the sellers metered nothing and bought nothing: zeros, no share
      expect(byId.get(solar.id)).toMatchObject({
        total: { consumption: '0', marketBasedGrams: '0', renewableShare: null },
      });
      const one = await api.gql(REPORT, { month: MONTH_TEXT, participantId: chp.id }, key);
      expect(one.data.carbonReport.map((r: { participantId: string }) => r.participantId)).toEqual([
        chp.id,
      ]);
    }
    expectError(
      await api.gql(REPORT, { month: MONTH_TEXT, participantId: solar.id }, bakery.key),
      'FORBIDDEN',
      { message: /only its own carbon report/ },
    );
    expectError(await api.gql(REPORT, { month: '2039-13' }, bakery.key), 'BAD_USER_INPUT', {
      field: 'month',
      message: /not a month like 2026-12/,
    });
    expectError(
      await api.gql(REPORT, { month: MONTH_TEXT, participantId: randomUUID() }, api.operatorKey),
      'NOT_FOUND',
    );
  });

  it("gives the park's carbon intensity per interval", async () => {
    const result = await api.gql(
      INTENSITY,
      { from: T1.toISOString(), to: new Date(T2.getTime() + 900_000).toISOString() },
      bakery.key,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.parkCarbonIntensity).toEqual([
      {
        deliveryStart: T1.toISOString(),
        consumption: '3',
        emissionsGrams: '400',
        intensity: '133.333',
        gridFactor: '400',
      },
      {
        deliveryStart: T2.toISOString(),
        consumption: '1.5',
        emissionsGrams: '543',
        intensity: '362.271',
        gridFactor: '380',
      },
    ]);
    // a week of quarter hours at most
    const weekMs = 672 * 900_000;
    const at = Date.UTC(2097, 0, 5);
    const week = await api.gql(
      INTENSITY,
      { from: new Date(at).toISOString(), to: new Date(at + weekMs).toISOString() },
      bakery.key,
    );
    expect(week.data.parkCarbonIntensity).toHaveLength(672);
    expectError(
      await api.gql(
        INTENSITY,
        { from: new Date(at).toISOString(), to: new Date(at + weekMs + 1).toISOString() },
        bakery.key,
      ),
      'BAD_USER_INPUT',
      { field: 'to', message: /more than 672 intervals/ },
    );
  });

  it('exports carbon.csv: three rows per participant, own for a participant', async () => {
    const get = (query: Record<string, string>, key: string) =>
      getCsv(api.app, '/exports/carbon.csv', query, key);
    const own = await get({ month: MONTH_TEXT }, bakery.key);
    expect(own.status).toBe(200);
    expect(own.headers['content-disposition']).toBe(
      `attachment; filename="carbon_${MONTH_TEXT}.csv"`,
    );
    const lines = (own.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'month,participant_id,participant_name,carrier,consumption_kwh,park_purchases_kwh,residual_kwh,renewable_kwh,renewable_share,location_based_g,market_based_g,avoided_g',
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(3).join(','))).toEqual([
      'ELECTRICITY,4.5,3,1.5,2,0.4444,1770,943,827',
      'HEAT,1,1,0,0,0.0000,280,155,125',
      'TOTAL,5.5,4,1.5,2,0.3636,2050,1098,952',
    ]);
    const refused = await get({ month: MONTH_TEXT, participantId: solar.id }, bakery.key);
    expect(refused.status).toBe(403);
    const all = await get({ month: MONTH_TEXT }, auditor.key);
    expect(all.status).toBe(200);
    expect((all.body as string).split('\r\n').filter((l) => l.includes(chp.id))).toHaveLength(3);
    const missing = await get({}, auditor.key);
    expect(missing.status).toBe(400);
  });

  it("counts a product's fills and readings once the operator says which carrier it delivers", async () => {
    const product = await createProduct(db, { priceTick: '0.0001' });
    const T3 = new Date(T2.getTime() + 900_000);
    const buyer = await api.createParticipant(uniqueName('Laundry'));
    const seller = await api.createParticipant(uniqueName('Reseller'));
    await placeOrders(db, product, T3, [
      { participant: buyer.id, side: 'BUY', price: '0.3', quantityWh: 1000 },
      { participant: seller.id, side: 'SELL', price: '0.1', quantityWh: 1000 },
    ]);
    await closeGate(db, product, T3);
    const productMatcher = await startTestMatcher([product]);
    try {
      await productMatcher.drain();
    } finally {
      await productMatcher.close();
    }
    const meter = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role) VALUES ($1, 'METER') RETURNING id`,
      [uniqueName('Meter')],
    );
    await insertFixtureReadings(db, [
      {
        readingId: `carbon-${randomUUID()}`,
        participantId: buyer.id,
        productCode: product,
        deliveryStart: T3,
        importWh: 1200,
        submittedBy: meter.rows[0].id,
      },
    ]);
    const total = async () =>
      (await api.gql(REPORT, { month: MONTH_TEXT }, buyer.key)).data.carbonReport[0].electricity;
    expect(await total()).toMatchObject({ consumption: '0', parkPurchases: '0' });

    const SET = `mutation($p: String!, $c: Carrier) { setProductCarrier(productCode: $p, carrier: $c) {
      productCode carrier } }`;
    expectError(await api.gql(SET, { p: product, c: 'ELECTRICITY' }, buyer.key), 'FORBIDDEN');
    expectError(
      await api.gql(SET, { p: 'NO_SUCH_PRODUCT', c: 'HEAT' }, api.operatorKey),
      'NOT_FOUND',
    );
    expect(await api.gql(SET, { p: product, c: 'ELECTRICITY' }, api.operatorKey)).toEqual({
      data: { setProductCarrier: { productCode: product, carrier: 'ELECTRICITY' } },
    });
    // 1 kWh from a seller without an asset: the grid's factor (380 g/kWh by default); 0.2 kWh
    // metered beyond it from the grid
    expect(await total()).toEqual({
      consumption: '1.2',
      parkPurchases: '1',
      residual: '0.2',
      renewable: '0',
      renewableShare: '0.0000',
      locationBasedGrams: '456',
      marketBasedGrams: '456',
      avoidedGrams: '0',
    });
    const listed = await api.gql(`{ productCarriers { productCode carrier } }`, {}, buyer.key);
    expect(listed.data.productCarriers).toEqual(
      expect.arrayContaining([
        { productCode: product, carrier: 'ELECTRICITY' },
        { productCode: 'HEAT', carrier: 'HEAT' },
        { productCode: 'STORAGE', carrier: null },
      ]),
    );
    const intensity = await api.gql(
      `query($from: DateTime!, $to: DateTime!, $p: String) {
         parkCarbonIntensity(from: $from, to: $to, productCode: $p) { consumption intensity } }`,
      { from: T3.toISOString(), to: new Date(T3.getTime() + 900_000).toISOString(), p: product },
      buyer.key,
    );
    expect(intensity.data.parkCarbonIntensity).toEqual([{ consumption: '1.2', intensity: '380' }]);
    expectError(
      await api.gql(
        `query($from: DateTime!, $to: DateTime!) {
           parkCarbonIntensity(from: $from, to: $to, productCode: "STORAGE") { intensity } }`,
        { from: T3.toISOString(), to: new Date(T3.getTime() + 900_000).toISOString() },
        buyer.key,
      ),
      'BAD_USER_INPUT',
      { field: 'productCode', message: /does not carry ELECTRICITY/ },
    );
    // taken out again: the product counts no more
    await api.gql(SET, { p: product, c: null }, api.operatorKey);
    expect(await total()).toMatchObject({ consumption: '0', parkPurchases: '0' });
  });

  it("gives an auction buyer its pool's factor: the CHP's outputs and the grid's import", async () => {
    // One quarter hour: the factory bids for 10 kWh, the laundry for 5 kWh of heat; the CHP on gas
    // (0.35 el + 0.5 heat per kWh of fuel, up to 10 kWh) covers the heat and 3.5 kWh of the
    // electricity, the grid the other 6.5 kWh (at the default 380 g/kWh).
    const series = await createSeries(api, { intervals: 1 });
    const start = auctionStart(24 + randomInt(0, 24 * 20));
    const month = start.toISOString().slice(0, 7);
    const factory = await api.createParticipant(uniqueName('Factory'));
    const laundry = await api.createParticipant(uniqueName('Laundry'));
    const plant = await api.createParticipant(uniqueName('CHP owner'));
    const order = (id: string, terms: Record<string, unknown>) => ({
      clientOrderId: id,
      series,
      deliveryStart: start.toISOString(),
      ...terms,
    });
    await submitAuction(api, factory.key, [
      order('load', {
        step: { carrier: 'ELECTRICITY', interval: 0, side: 'BUY', price: '1', quantity: '10' },
      }),
    ]);
    await submitAuction(api, laundry.key, [
      order('dryer', {
        step: { carrier: 'HEAT', interval: 0, side: 'BUY', price: '0.5', quantity: '5' },
      }),
    ]);
    await submitAuction(api, plant.key, [
      order('chp', {
        conversion: {
          input: null,
          outputs: [
            { carrier: 'ELECTRICITY', ratio: '0.35' },
            { carrier: 'HEAT', ratio: '0.5' },
          ],
          maxInput: ['10'],
          cost: '0.05',
        },
      }),
    ]);
    await closeAuctionGate(db, series, start);
    const auctionMatcher = await startTestMatcher([], { clearsAuctions: true, series: [series] });
    try {
      await auctionMatcher.drain();
    } finally {
      await auctionMatcher.close();
    }
    const meter = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role) VALUES ($1, 'METER') RETURNING id`,
      [uniqueName('Meter')],
    );
    await insertFixtureReadings(
      db,
      (
        [
          [factory.id, 'ELECTRICITY', 10_000],
          [laundry.id, 'HEAT', 5_000],
        ] as const
      ).map(([participantId, productCode, importWh]) => ({
        readingId: `carbon-${randomUUID()}`,
        participantId,
        productCode,
        deliveryStart: start,
        importWh,
        submittedBy: meter.rows[0].id,
      })),
    );
    // electricity: 3.5 kWh at 201·160/91 g + 6.5 kWh at 380 g = 1236.92 + 2470 = 3706.92 g
    const factoryReport = await api.gql(REPORT, { month }, factory.key);
    expect(factoryReport.data.carbonReport[0].electricity).toEqual({
      consumption: '10',
      parkPurchases: '10',
      residual: '0',
      renewable: '0',
      renewableShare: '0.0000',
      locationBasedGrams: '3800',
      marketBasedGrams: '3707',
      avoidedGrams: '93',
    });
    // heat: 5 kWh at 201·10/13 g = 773.08 g, against 5 kWh at 280 g
    const laundryReport = await api.gql(REPORT, { month }, laundry.key);
    expect(laundryReport.data.carbonReport[0].heat).toEqual({
      consumption: '5',
      parkPurchases: '5',
      residual: '0',
      renewable: '0',
      renewableShare: '0.0000',
      locationBasedGrams: '1400',
      marketBasedGrams: '773',
      avoidedGrams: '627',
    });
  });

  describe('factors', () => {
    const far = (days: number) => new Date(Date.UTC(2098, 0, 1) + days * 86_400_000);

    it('lists the seeded factors with their sources, CHP outputs as exact fractions', async () => {
      const result = await api.gql(
        `{ emissionFactors { assetKind fuel validFrom gramsPerKwh electricityGramsPerKwh
             heatGramsPerKwh efficiency renewable source }
           carbonDefaults { name validFrom gramsPerKwh source } }`,
        {},
        bakery.key,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data.emissionFactors).toContainEqual(
        expect.objectContaining({
          assetKind: 'CHP',
          fuel: 'NATURAL_GAS',
          validFrom: '1970-01-01T00:00:00.000Z',
          gramsPerKwh: '201',
          electricityGramsPerKwh: '32160/91',
          heatGramsPerKwh: '2010/13',
          source: expect.stringMatching(/BAFA/),
        }),
      );
      expect(result.data.emissionFactors).toContainEqual(
        expect.objectContaining({ assetKind: 'PV', gramsPerKwh: '0', renewable: true }),
      );
      expect(result.data.carbonDefaults).toContainEqual({
        name: 'GRID_ELECTRICITY',
        validFrom: '1970-01-01T00:00:00.000Z',
        gramsPerKwh: '380',
        source: expect.stringMatching(/Umweltbundesamt.*Climate Change 23\/2024/),
      });
    });

    it('takes new versions from the operator only, audited, refusing a second at one instant', async () => {
      const input = {
        assetKind: 'CHP',
        fuel: `BIOMETHANE_${randomInt(1e6)}`,
        validFrom: far(1).toISOString(),
        gramsPerKwh: '54.5',
        electricalEfficiency: '0.4',
        thermalEfficiency: '0.45',
        referenceElectricalEfficiency: '0.35',
        referenceThermalEfficiency: '0.8',
        renewable: true,
        source: 'test: biomethane',
      };
      const set = await api.gql(SET_FACTOR, { input }, api.operatorKey);
      expect(set.errors).toBeUndefined();
      expect(set.data.setEmissionFactor).toMatchObject({
        gramsPerKwh: '54.5',
        electricalEfficiency: '0.4',
        renewable: true,
      });
      const audited = await db.query(
        `SELECT outcome FROM audit_log WHERE action = 'setEmissionFactor' AND args::text LIKE $1`,
        [`%${input.fuel}%`],
      );
      expect(audited.rows).toEqual([{ outcome: 'OK' }]);
      expectError(await api.gql(SET_FACTOR, { input }, api.operatorKey), 'CONFLICT', {
        message: /exists already/,
      });
      expectError(await api.gql(SET_FACTOR, { input }, bakery.key), 'FORBIDDEN');
      expectError(await api.gql(SET_FACTOR, { input }, auditor.key), 'FORBIDDEN');
      expectError(
        await api.gql(
          SET_FACTOR,
          { input: { ...input, validFrom: far(2).toISOString(), thermalEfficiency: '0.61' } },
          api.operatorKey,
        ),
        'BAD_USER_INPUT',
        { field: 'input.thermalEfficiency', message: /electrical \+ thermal ≤ 1/ },
      );
      expectError(
        await api.gql(
          SET_FACTOR,
          { input: { ...input, assetKind: 'BATTERY', validFrom: far(3).toISOString() } },
          api.operatorKey,
        ),
        'BAD_USER_INPUT',
        { field: 'input.assetKind' },
      );
      expectError(
        await api.gql(
          SET_FACTOR,
          { input: { ...input, assetKind: 'PV', validFrom: far(4).toISOString() } },
          api.operatorKey,
        ),
        'BAD_USER_INPUT',
        { field: 'input.electricalEfficiency', message: /takes no electricalEfficiency/ },
      );
      const heatPump = await api.gql(
        SET_FACTOR,
        {
          input: {
            assetKind: 'HEAT_PUMP',
            fuel: input.fuel,
            validFrom: far(5).toISOString(),
            efficiency: '10',
            renewable: false,
            source: 'test: COP at the bound',
          },
        },
        api.operatorKey,
      );
      expect(heatPump.data.setEmissionFactor.efficiency).toBe('10');
      expectError(
        await api.gql(
          SET_FACTOR,
          {
            input: {
              assetKind: 'HEAT_PUMP',
              fuel: input.fuel,
              validFrom: far(6).toISOString(),
              efficiency: '10.000001',
              renewable: false,
              source: 'test: COP beyond the bound',
            },
          },
          api.operatorKey,
        ),
        'BAD_USER_INPUT',
        { field: 'input.efficiency', message: /at most 10/ },
      );
    });

    it('sets a default version with its bounds', async () => {
      const input = {
        name: 'HEAT',
        validFrom: far(10 + randomInt(1000)).toISOString(),
        gramsPerKwh: '10000000',
        source: 'test: the largest factor',
      };
      const set = await api.gql(SET_DEFAULT, { input }, api.operatorKey);
      expect(set.data.setCarbonDefault).toEqual({ ...input, gramsPerKwh: '10000000' });
      for (const gramsPerKwh of ['10000000.001', '-1', '1.0001']) {
        expectError(
          await api.gql(
            SET_DEFAULT,
            { input: { ...input, validFrom: far(2000).toISOString(), gramsPerKwh } },
            api.operatorKey,
          ),
          'BAD_USER_INPUT',
          { field: 'input.gramsPerKwh' },
        );
      }
    });

    it('uploads at most 672 grid factors per call, on interval starts, once each', async () => {
      const base = Date.UTC(2098, 6, 1) + randomInt(0, 100) * 672 * 900_000;
      const factors = (n: number, from = base) =>
        Array.from({ length: n }, (_, i) => ({
          deliveryStart: new Date(from + i * 900_000).toISOString(),
          gramsPerKwh: String(300 + (i % 100)),
        }));
      const full = await api.gql(UPLOAD, { factors: factors(672) }, api.operatorKey);
      expect(full).toEqual({ data: { uploadGridCarbonFactors: 672 } });
      const listed = await api.gql(
        `query($from: DateTime!, $to: DateTime!) { gridCarbonFactors(from: $from, to: $to) {
           deliveryStart gramsPerKwh } }`,
        { from: new Date(base).toISOString(), to: new Date(base + 672 * 900_000).toISOString() },
        auditor.key,
      );
      expect(listed.data.gridCarbonFactors).toHaveLength(672);
      expect(listed.data.gridCarbonFactors[1]).toEqual({
        deliveryStart: new Date(base + 900_000).toISOString(),
        gramsPerKwh: '301',
      });
      expectError(
        await api.gql(UPLOAD, { factors: factors(673) }, api.operatorKey),
        'BAD_USER_INPUT',
        { field: 'factors', message: /1 to 672 grid factors per call/ },
      );
      expectError(await api.gql(UPLOAD, { factors: [] }, api.operatorKey), 'BAD_USER_INPUT', {
        field: 'factors',
      });
      expectError(
        await api.gql(UPLOAD, { factors: factors(1, base + 60_000) }, api.operatorKey),
        'BAD_USER_INPUT',
        { field: 'factors[0].deliveryStart', message: /not an interval start of ELECTRICITY/ },
      );
      expectError(
        await api.gql(UPLOAD, { factors: [...factors(2), ...factors(1)] }, api.operatorKey),
        'BAD_USER_INPUT',
        { field: 'factors[2].deliveryStart', message: /twice/ },
      );
      expectError(await api.gql(UPLOAD, { factors: factors(1) }, bakery.key), 'FORBIDDEN');
      // a later upload counts for reports
      expect(
        await api.gql(
          UPLOAD,
          { factors: [{ deliveryStart: new Date(base).toISOString(), gramsPerKwh: '123.456' }] },
          api.operatorKey,
        ),
      ).toEqual({ data: { uploadGridCarbonFactors: 1 } });
      const intensity = await api.gql(
        INTENSITY,
        { from: new Date(base).toISOString(), to: new Date(base + 900_000).toISOString() },
        bakery.key,
      );
      expect(intensity.data.parkCarbonIntensity[0].gridFactor).toBe('123.456');
    });
  });
});
