import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import type { Client } from 'pg';
import { registerAsset } from '@parkex/test-support/assets';
import { getCsv } from '@parkex/test-support/csv-export';
import { connectLive, wsUrlOf } from '@parkex/test-support/graphql-ws-client';
import { createProduct } from '@parkex/test-support/market-factory';
import { expectError } from '@parkex/test-support/orders';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';

// Responses are untyped JSON.

type Json = any;

const READING_FIELDS = `id readingId version participantId assetId productCode deliveryStart
  imported exported reason receivedAt`;
const SUBMIT = `mutation($readings: [MeterReadingInput!]!) {
  submitMeterReadings(readings: $readings) { ${READING_FIELDS} } }`;
const LIST = `query($filter: MeterReadingFilter, $first: Int, $after: String) {
  meterReadings(filter: $filter, first: $first, after: $after) {
    edges { cursor node { ${READING_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const PRODUCT_FIELDS = `code meteringWindowSeconds correctionWindowSeconds importTariff feedInTariff
  auctionSeries`;
const SET_TERMS = `mutation($input: ImbalanceTermsInput!) {
  setImbalanceTerms(input: $input) { ${PRODUCT_FIELDS} } }`;

const QUARTER_HOUR_MS = 900_000;
/** The start of the ELECTRICITY interval `k` intervals before the current one (k ≥ 1: ended). */
function intervalAgo(k: number): Date {
  return new Date(Math.floor(Date.now() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS - k * QUARTER_HOUR_MS);
}

let readingSeq = 0;
function reading(participantId: string, overrides: Record<string, unknown> = {}) {
  readingSeq += 1;
  return {
    readingId: `mr-${process.pid}-${Date.now().toString(36)}-${readingSeq}`,
    participantId,
    productCode: 'ELECTRICITY',
    deliveryStart: intervalAgo(1).toISOString(),
    imported: '1.5',
    exported: '0.25',
    ...overrides,
  };
}

/**
 * Metering (README "Meter readings"): the METER role, submitMeterReadings and its refusals (each
 * writes nothing), corrections, idempotency, the meterReadings connection per role, and the
 * operator's setImbalanceTerms. Readings go to recent ended ELECTRICITY intervals, inside the
 * correction window (31 days); each test uses participants of its own.
 */
describe('meter readings', () => {
  let api: TestApi;
  let db: Client;
  let meter: { id: string; key: string };
  let auditor: { id: string; key: string };

  const submit = (readings: unknown[], key = meter.key) => api.gql(SUBMIT, { readings }, key);
  // this spec's readings: other specs meter their own products in the same database meanwhile
  const count = async (): Promise<number> =>
    Number(
      (
        await db.query(`SELECT count(*) AS n FROM meter_reading WHERE submitted_by = $1`, [
          meter.id,
        ])
      ).rows[0].n,
    );
  const tenant = () => api.createParticipant(uniqueName('Tenant'));

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    meter = await api.createParticipant(uniqueName('Metering system'), 'METER');
    auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await api?.close();
  });

  describe('the METER role', () => {
    let schema: GraphQLSchema;

    beforeAll(async () => {
      schema = api.app.get(GraphQLSchemaHost).schema;
    });

    it('is registered by the operator with a key of its own, and `me` is refused to it', async () => {
      const { rows } = await db.query(`SELECT role FROM participant WHERE id = $1`, [meter.id]);
      expect(rows).toEqual([{ role: 'METER' }]);
      expectError(await api.gql(`{ me { id } }`, {}, meter.key), 'FORBIDDEN');
      const issued = await api.gql(
        `mutation($id: ID!) { issueApiKey(participantId: $id) }`,
        { id: meter.id },
        api.operatorKey,
      );
      expect(typeof issued.data?.issueApiKey).toBe('string');
      expectError(await api.gql(`{ me { id } }`, {}, issued.data.issueApiKey), 'FORBIDDEN');
    });

    it('is refused every query and mutation of the schema but submitMeterReadings', async () => {
      const results: { field: string; code: unknown }[] = [];
      for (const root of ['Query', 'Mutation'] as const) {
        const type = root === 'Query' ? schema.getQueryType()! : schema.getMutationType()!;
        for (const field of Object.values(type.getFields())) {
          const { document, variables } = operation(root === 'Query' ? 'query' : 'mutation', field);
          const result = await api.gql(document, variables, meter.key);
          results.push({
            field: `${root}.${field.name}`,
            code: result.errors?.[0]?.extensions?.code,
          });
        }
      }
      expect(results.length).toBeGreaterThan(40);
      const expected = results.map(({ field }) => ({
        field,
        code: field === 'Mutation.submitMeterReadings' ? 'BAD_USER_INPUT' : 'FORBIDDEN',
      }));
      expect(results).toEqual(expected);
    }, 120_000);

    it('is refused every subscription', async () => {
      const fields = Object.values(schema.getSubscriptionType()!.getFields());
      expect(fields.length).toBeGreaterThan(0);
      const live = connectLive(wsUrlOf(api.app), meter.key);
      try {
        for (const field of fields) {
          const { document, variables } = operation('subscription', field);
          const subscription = live.subscribe(document, variables);
          await subscription.waitForEnd(10_000);
          expect({ field: field.name, code: subscription.errors[0]?.extensions?.code }).toEqual({
            field: field.name,
            code: 'FORBIDDEN',
          });
        }
      } finally {
        await live.close();
      }
    });

    it('is refused every CSV export', async () => {
      const from = '2030-01-01T00:00:00Z';
      const to = '2030-01-02T00:00:00Z';
      for (const [path, query] of [
        ['/exports/settlements.csv', { from, to }],
        ['/exports/fills.csv', { from, to }],
        ['/exports/carbon.csv', { month: '2030-01' }],
      ] as const) {
        const response = await getCsv(api.app, path, query, meter.key);
        expect({ path, status: response.status, code: JSON.parse(response.body).code }).toEqual({
          path,
          status: 403,
          code: 'FORBIDDEN',
        });
      }
    });

    it('is the only role that may submit readings', async () => {
      const bakery = await tenant();
      for (const key of [api.operatorKey, auditor.key, bakery.key]) {
        expectError(await submit([reading(bakery.id)], key), 'FORBIDDEN');
      }
    });
  });

  describe('submitMeterReadings', () => {
    it('stores a batch and returns it in order, submitted by the meter', async () => {
      const bakery = await tenant();
      const battery = await registerAsset(api, bakery.id);
      const readings = [
        reading(bakery.id, { deliveryStart: intervalAgo(3).toISOString(), imported: '2.000' }),
        reading(bakery.id, { assetId: battery.id, version: 1, exported: '0' }),
        reading(bakery.id, { productCode: 'HEAT', imported: '0.001', exported: '0' }),
      ];
      const before = await count();
      const result = await submit(readings);
      expect(result.errors).toBeUndefined();
      expect(result.data.submitMeterReadings).toEqual([
        expect.objectContaining({
          readingId: readings[0].readingId,
          version: 1,
          participantId: bakery.id,
          assetId: null,
          productCode: 'ELECTRICITY',
          deliveryStart: readings[0].deliveryStart,
          imported: '2',
          exported: '0.25',
          reason: null,
        }),
        expect.objectContaining({
          readingId: readings[1].readingId,
          assetId: battery.id,
          exported: '0',
        }),
        expect.objectContaining({
          readingId: readings[2].readingId,
          productCode: 'HEAT',
          imported: '0.001',
        }),
      ]);
      expect(await count()).toBe(before + 3);
      const { rows } = await db.query(
        `SELECT DISTINCT submitted_by, import_wh::text FROM meter_reading WHERE reading_id = $1`,
        [readings[0].readingId],
      );
      expect(rows).toEqual([{ submitted_by: meter.id, import_wh: '2000' }]);
    });

    it('refuses bad readings, naming the reading, and writes nothing of the batch', async () => {
      const bakery = await tenant();
      const other = await tenant();
      const othersAsset = await registerAsset(api, other.id);
      const now = Date.now();
      const cases: [string, Record<string, unknown>, string, string, RegExp][] = [
        ['a negative value', { imported: '-1' }, 'imported', 'NEGATIVE', /must not be negative/],
        [
          'more than 3 decimals',
          { exported: '0.0005' },
          'exported',
          'TOO_MANY_DECIMALS',
          /more than 3 decimal places/,
        ],
        [
          'an unknown participant',
          { participantId: '00000000-0000-4000-8000-000000000000' },
          'participantId',
          'NOT_A_PARTICIPANT',
          /does not exist or is not a trading participant/,
        ],
        [
          'an OPERATOR as participant',
          {
            participantId: (
              await db.query(`SELECT id FROM participant WHERE role = 'OPERATOR' LIMIT 1`)
            ).rows[0].id,
          },
          'participantId',
          'NOT_A_PARTICIPANT',
          /not a trading participant/,
        ],
        [
          "another participant's asset",
          { assetId: othersAsset.id },
          'assetId',
          'NOT_THE_PARTICIPANTS_ASSET',
          /is not an asset of participant/,
        ],
        [
          'a product without tariffs',
          { productCode: 'STORAGE' },
          'productCode',
          'PRODUCT_NOT_METERED',
          /STORAGE is not metered/,
        ],
        [
          'an unknown product',
          { productCode: 'NO_SUCH_PRODUCT' },
          'productCode',
          'UNKNOWN_PRODUCT',
          /does not exist/,
        ],
        [
          'a delivery start off the grid',
          { deliveryStart: new Date(intervalAgo(2).getTime() + 60_000).toISOString() },
          'deliveryStart',
          'OFF_INTERVAL_GRID',
          /is not the start of a ELECTRICITY interval/,
        ],
        [
          'an interval that has not ended',
          { deliveryStart: intervalAgo(0).toISOString() },
          'deliveryStart',
          'INTERVAL_NOT_ENDED',
          /has not ended yet/,
        ],
        [
          'an interval whose correction window has closed',
          {
            deliveryStart: new Date(
              Math.floor(now / QUARTER_HOUR_MS) * QUARTER_HOUR_MS - 40 * 86_400_000,
            ).toISOString(),
          },
          'deliveryStart',
          'CORRECTION_WINDOW_CLOSED',
          /correction window .* has closed/,
        ],
        [
          'a reason on version 1',
          { reason: 'typo' },
          'reason',
          'REASON_ON_FIRST_VERSION',
          /takes no reason/,
        ],
        [
          'a correction without reason',
          { version: 2 },
          'reason',
          'REASON_REQUIRED',
          /needs a reason/,
        ],
        [
          'a correction without its first version',
          { version: 2, reason: 'meter replaced' },
          'version',
          'CORRECTION_DOES_NOT_FOLLOW',
          /needs version 1/,
        ],
        [
          'a bad reading id',
          { readingId: 'has space' },
          'readingId',
          'INVALID_READING_ID',
          /printable ASCII/,
        ],
      ];
      const before = await count();
      for (const [what, overrides, field, reason, message] of cases) {
        const good = reading(bakery.id, { deliveryStart: intervalAgo(5).toISOString() });
        const bad = reading(bakery.id, {
          deliveryStart: intervalAgo(6).toISOString(),
          ...overrides,
        });
        const error = expectError(await submit([good, bad]), 'BAD_USER_INPUT', { message });
        expect({ what, field: error.extensions.field, reason: error.extensions.reason }).toEqual({
          what,
          field: `readings[1].${field}`,
          reason,
        });
        expect(error.message).toContain(`reading 1 (readingId ${JSON.stringify(bad.readingId)})`);
        expect({ what, count: await count() }).toEqual({ what, count: before });
      }
    }, 60_000);

    it('keeps a correction (version 2 with a reason) beside the first version', async () => {
      const bakery = await tenant();
      const first = reading(bakery.id, { deliveryStart: intervalAgo(2).toISOString() });
      expect((await submit([first])).errors).toBeUndefined();
      const correction = {
        ...first,
        version: 2,
        imported: '1.75',
        reason: 'meter drift corrected',
      };
      const result = await submit([correction]);
      expect(result.errors).toBeUndefined();
      expect(result.data.submitMeterReadings[0]).toMatchObject({
        version: 2,
        imported: '1.75',
        reason: 'meter drift corrected',
      });
      const listed = await api.gql(
        LIST,
        { filter: { readingId: first.readingId } },
        api.operatorKey,
      );
      expect(
        listed.data.meterReadings.edges.map((e: Json) => [
          e.node.version,
          e.node.imported,
          e.node.reason,
        ]),
      ).toEqual([
        [2, '1.75', 'meter drift corrected'],
        [1, '1.5', null],
      ]);
    });

    it('returns the stored readings on an identical resubmission and writes nothing', async () => {
      const bakery = await tenant();
      const batch = [
        reading(bakery.id, { deliveryStart: intervalAgo(7).toISOString() }),
        reading(bakery.id, { deliveryStart: intervalAgo(8).toISOString(), imported: '3' }),
      ];
      const first = await submit(batch);
      expect(first.errors).toBeUndefined();
      const before = await count();
      const again = await submit(
        batch.map((r) => ({ ...r, imported: r.imported === '3' ? '3.000' : r.imported })),
      );
      expect(again.errors).toBeUndefined();
      expect(again.data.submitMeterReadings).toEqual(first.data.submitMeterReadings);
      expect(await count()).toBe(before);
    });

    it('stores a batch sent twice at once exactly once, and answers both calls with it', async () => {
      const bakery = await tenant();
      const batch = Array.from({ length: 20 }, (_, i) =>
        reading(bakery.id, { deliveryStart: intervalAgo(1100 + i).toISOString() }),
      );
      const before = await count();
      const [one, two] = await Promise.all([submit(batch), submit(batch)]);
      expect([one.errors, two.errors]).toEqual([undefined, undefined]);
      expect(two.data.submitMeterReadings).toEqual(one.data.submitMeterReadings);
      expect(await count()).toBe(before + 20);
    });

    it('refuses the same readingId and version with other content (CONFLICT, READING_CHANGED)', async () => {
      const bakery = await tenant();
      const stored = reading(bakery.id, { deliveryStart: intervalAgo(9).toISOString() });
      expect((await submit([stored])).errors).toBeUndefined();
      const before = await count();
      const error = expectError(
        await submit([
          reading(bakery.id, { deliveryStart: intervalAgo(10).toISOString() }),
          { ...stored, imported: '9' },
        ]),
        'CONFLICT',
        { field: 'readings[1].readingId', message: /stored with other content/ },
      );
      expect(error.extensions.reason).toBe('READING_CHANGED');
      expect(await count()).toBe(before);
    });

    it('refuses another reading id for a meter point, interval and version already read', async () => {
      const bakery = await tenant();
      const start = intervalAgo(11).toISOString();
      expect((await submit([reading(bakery.id, { deliveryStart: start })])).errors).toBeUndefined();
      const before = await count();
      const error = expectError(
        await submit([reading(bakery.id, { deliveryStart: start, imported: '2' })]),
        'CONFLICT',
        {
          field: 'readings[0].readingId',
          message: /another reading id already reported version 1/,
        },
      );
      expect(error.extensions.reason).toBe('METER_POINT_TAKEN');
      expect(await count()).toBe(before);
    });

    it('takes 1000 readings in one call and refuses 1001, writing nothing', async () => {
      const bakery = await tenant();
      const batch = Array.from({ length: 1001 }, (_, i) =>
        reading(bakery.id, { deliveryStart: intervalAgo(20 + i).toISOString() }),
      );
      const before = await count();
      const error = expectError(await submit(batch), 'BAD_USER_INPUT', { field: 'readings' });
      expect(error.extensions).toMatchObject({ reason: 'BATCH_SIZE', limit: 1000 });
      expect(await count()).toBe(before);
      const accepted = await submit(batch.slice(0, 1000));
      expect(accepted.errors).toBeUndefined();
      expect(accepted.data.submitMeterReadings).toHaveLength(1000);
      expect(await count()).toBe(before + 1000);
    }, 60_000);
  });

  describe('meterReadings', () => {
    let a: { id: string; key: string };
    let b: { id: string; key: string };
    // Two intervals no other test of this file meters (they use up to 1019 and from 1100 ago),
    // taken once: a quarter-hour boundary passing while the file runs must not move the window
    // below onto another test's readings.
    const older = intervalAgo(1061);
    const newer = new Date(older.getTime() + QUARTER_HOUR_MS);

    beforeAll(async () => {
      a = await tenant();
      b = await tenant();
      const result = await submit([
        reading(a.id, { deliveryStart: newer.toISOString() }),
        reading(a.id, { deliveryStart: older.toISOString() }),
        reading(b.id, { deliveryStart: newer.toISOString() }),
      ]);
      expect(result.errors).toBeUndefined();
    });

    const ids = (result: Json) =>
      result.data.meterReadings.edges.map((e: Json) => e.node.participantId as string);

    it("shows a participant its own readings only, and refuses another's", async () => {
      expect(ids(await api.gql(LIST, {}, a.key))).toEqual([a.id, a.id]);
      expect(ids(await api.gql(LIST, { filter: { participantId: a.id } }, a.key))).toEqual([
        a.id,
        a.id,
      ]);
      expectError(await api.gql(LIST, { filter: { participantId: b.id } }, a.key), 'FORBIDDEN');
    });

    it('shows the operator and the auditor every participant, filtered on request', async () => {
      for (const key of [api.operatorKey, auditor.key]) {
        expect(ids(await api.gql(LIST, { filter: { participantId: b.id } }, key))).toEqual([b.id]);
        // ELECTRICITY: the other specs meter products of their own in these intervals
        const window = {
          productCode: 'ELECTRICITY',
          from: older.toISOString(),
          to: new Date(newer.getTime() + QUARTER_HOUR_MS).toISOString(),
        };
        const all = ids(await api.gql(LIST, { filter: window }, key));
        expect(all.sort()).toEqual([a.id, a.id, b.id].sort());
      }
    });

    it('pages newest first with cursors, within the page bound', async () => {
      const page1 = await api.gql(
        LIST,
        { filter: { participantId: a.id }, first: 1 },
        api.operatorKey,
      );
      expect(page1.data.meterReadings.pageInfo.hasNextPage).toBe(true);
      const page2 = await api.gql(
        LIST,
        {
          filter: { participantId: a.id },
          first: 1,
          after: page1.data.meterReadings.pageInfo.endCursor,
        },
        api.operatorKey,
      );
      expect(page2.data.meterReadings.pageInfo.hasNextPage).toBe(false);
      const [n1] = page1.data.meterReadings.edges.map((e: Json) => Number(e.node.id));
      const [n2] = page2.data.meterReadings.edges.map((e: Json) => Number(e.node.id));
      expect(n1).toBeGreaterThan(n2);
      expectError(await api.gql(LIST, { first: 501 }, api.operatorKey), 'BAD_USER_INPUT');
      expectError(await api.gql(LIST, { after: 'bm9wZQ==' }, api.operatorKey), 'BAD_USER_INPUT', {
        field: 'after',
      });
    });

    it('is refused to the METER role', async () => {
      expectError(await api.gql(LIST, {}, meter.key), 'FORBIDDEN');
    });
  });

  describe('setImbalanceTerms', () => {
    let code: string;
    const terms = (overrides: Record<string, unknown> = {}) => ({
      productCode: code,
      meteringWindowSeconds: 3600,
      correctionWindowSeconds: 7200,
      importTariff: '0.3',
      feedInTariff: '0.05',
      ...overrides,
    });

    beforeAll(async () => {
      code = await createProduct(db);
    });

    it('refuses bad terms with a message naming the field, and changes nothing', async () => {
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ meteringWindowSeconds: -1 }, 'meteringWindowSeconds', /0 to 2678400/],
        [
          { meteringWindowSeconds: 2678401, correctionWindowSeconds: 2678401 },
          'meteringWindowSeconds',
          /0 to 2678400/,
        ],
        [{ correctionWindowSeconds: 31622401 }, 'correctionWindowSeconds', /0 to 31622400/],
        [
          { correctionWindowSeconds: 1800 },
          'correctionWindowSeconds',
          /not be shorter than meteringWindowSeconds/,
        ],
        [{ feedInTariff: null }, 'feedInTariff', /go together/],
        [{ importTariff: null }, 'importTariff', /go together/],
        [{ feedInTariff: '0.5' }, 'feedInTariff', /must not be above importTariff/],
        [{ importTariff: '0.123456789' }, 'importTariff', /at most 8 decimals/],
        [{ auctionSeries: 'NO_SUCH_SERIES' }, 'auctionSeries', /does not exist/],
      ];
      for (const [overrides, field, message] of cases) {
        expectError(
          await api.gql(SET_TERMS, { input: terms(overrides) }, api.operatorKey),
          'BAD_USER_INPUT',
          {
            field: `input.${field}`,
            message,
          },
        );
      }
      const { rows } = await db.query(`SELECT import_tariff FROM product WHERE code = $1`, [code]);
      expect(rows).toEqual([{ import_tariff: null }]);
      expectError(
        await api.gql(
          SET_TERMS,
          { input: terms({ productCode: 'NO_SUCH_PRODUCT' }) },
          api.operatorKey,
        ),
        'NOT_FOUND',
      );
      const bakery = await tenant();
      for (const key of [bakery.key, auditor.key, meter.key]) {
        expectError(await api.gql(SET_TERMS, { input: terms() }, key), 'FORBIDDEN');
      }
    });

    it('sets the terms, shows them on products, writes an audit row, and makes the product metered', async () => {
      const bakery = await tenant();
      const off = reading(bakery.id, { productCode: code });
      expectError(await submit([off]), 'BAD_USER_INPUT', { field: 'readings[0].productCode' });

      const result = await api.gql(
        SET_TERMS,
        { input: terms({ importTariff: '0.30', auctionSeries: 'PARK_DA' }) },
        api.operatorKey,
      );
      expect(result.errors).toBeUndefined();
      const expected = {
        code,
        meteringWindowSeconds: 3600,
        correctionWindowSeconds: 7200,
        importTariff: '0.3',
        feedInTariff: '0.05',
        auctionSeries: 'PARK_DA',
      };
      expect(result.data.setImbalanceTerms).toEqual(expected);
      const products = await api.gql(`{ products { ${PRODUCT_FIELDS} } }`, {}, bakery.key);
      expect(products.data.products.find((p: Json) => p.code === code)).toEqual(expected);
      expect(products.data.products.find((p: Json) => p.code === 'ELECTRICITY')).toMatchObject({
        importTariff: '0.25',
        feedInTariff: '0.07',
      });
      const audit = await db.query(
        `SELECT outcome FROM audit_log WHERE action = 'setImbalanceTerms' AND args::text LIKE $1`,
        [`%${code}%`],
      );
      expect(audit.rows.map((r) => r.outcome)).toContain('OK');

      expect((await submit([off])).errors).toBeUndefined();

      const cleared = await api.gql(
        SET_TERMS,
        { input: terms({ importTariff: null, feedInTariff: null }) },
        api.operatorKey,
      );
      expect(cleared.data.setImbalanceTerms).toMatchObject({
        importTariff: null,
        feedInTariff: null,
        auctionSeries: null,
      });
    });
  });
});

/** An operation calling `field` with made-up values of its required arguments. */
function operation(
  kind: 'query' | 'mutation' | 'subscription',
  field: GraphQLField<unknown, unknown>,
): { document: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  const args: string[] = [];
  for (const arg of field.args) {
    if (!isNonNullType(arg.type)) continue;
    const name = `v_${arg.name}`;
    variables[name] = sampleValue(arg.type);
    definitions.push(`$${name}: ${String(arg.type)}`);
    args.push(`${arg.name}: $${name}`);
  }
  const named = getNamedType(field.type);
  const selection =
    isObjectType(named) || isInterfaceType(named) || isUnionType(named) ? ' { __typename }' : '';
  const head = definitions.length ? `(${definitions.join(', ')})` : '';
  const call = args.length ? `(${args.join(', ')})` : '';
  return { document: `${kind}${head} { ${field.name}${call}${selection} }`, variables };
}

/** A value the type's coercion accepts (the guard refuses the call before anything else). */
function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, sampleValue(f.type)]),
    );
  }
  switch (type.name) {
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    case 'ID':
      return '00000000-0000-4000-8000-000000000000';
    case 'Decimal':
      return '1';
    case 'DateTime':
      return '2030-01-01T00:00:00Z';
    default:
      return 'x';
  }
}
