import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';

const PRODUCT_FIELDS =
  'code name unit intervalSeconds gateClosureSeconds horizonSeconds priceTick minPrice maxPrice mechanism k networkFee';

function productInput(overrides: Record<string, unknown> = {}) {
  return {
    code: `H2_${Math.floor(Math.random() * 1e9)}`,
    name: 'Hydrogen',
    unit: 'kg',
    intervalSeconds: 900,
    gateClosureSeconds: 300,
    horizonSeconds: 172800,
    priceTick: '0.01',
    minPrice: '-5',
    maxPrice: '20',
    mechanism: 'UNIFORM_PRICE',
    k: '0.5',
    networkFee: '0.02',
    ...overrides,
  };
}

const UPSERT = `mutation($input: ProductInput!) { upsertProduct(input: $input) { ${PRODUCT_FIELDS} } }`;

describe('foundation over HTTP (API keys, roles, products, audit)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('refuses a request without a key with UNAUTHENTICATED', async () => {
    const result = await api.gql('{ me { id } }');
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.data).toBeNull();
  });

  it('refuses an unknown key and a malformed Authorization header', async () => {
    const unknown = await api.gql('{ me { id } }', {}, 'pkx_not-a-real-key');
    expect(unknown.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(unknown.errors?.[0].message).toMatch(/unknown or has been revoked/);
  });

  it('creates participants whose key identifies them through `me`', async () => {
    const name = uniqueName('Metal works');
    const { id, key } = await api.createParticipant(name);
    expect(key).toMatch(/^pkx_[A-Za-z0-9_-]{43}$/);
    const me = await api.gql('{ me { id name role } }', {}, key);
    expect(me.data.me).toEqual({ id, name, role: 'PARTICIPANT' });
  });

  it('rejects a duplicate participant name with CONFLICT and writes nothing', async () => {
    const name = uniqueName('Office');
    await api.createParticipant(name);
    const again = await api.gql(
      `mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { apiKey } }`,
      { input: { name, role: 'PARTICIPANT' } },
      api.operatorKey,
    );
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
    const db = await connectTestDatabase();
    try {
      const rows = await db.query('SELECT count(*)::int AS n FROM participant WHERE name = $1', [
        name,
      ]);
      expect(rows.rows[0].n).toBe(1);
    } finally {
      await db.end();
    }
  });

  it('gives FORBIDDEN to a participant calling an operator mutation, and audits the attempt', async () => {
    const { id, key } = await api.createParticipant(uniqueName('Furniture shop'));
    const result = await api.gql(UPSERT, { input: productInput() }, key);
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(result.errors?.[0].message).toMatch(/upsertProduct is for OPERATOR only/);
    const db = await connectTestDatabase();
    try {
      const audit = await db.query(
        `SELECT action, outcome, error_code FROM audit_log WHERE actor_id = $1`,
        [id],
      );
      expect(audit.rows).toEqual([
        { action: 'upsertProduct', outcome: 'ERROR', error_code: 'FORBIDDEN' },
      ]);
    } finally {
      await db.end();
    }
  });

  it('gives FORBIDDEN to an auditor creating a participant', async () => {
    const { key } = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
    const result = await api.gql(
      `mutation { createParticipant(input: { name: "x", role: PARTICIPANT }) { apiKey } }`,
      {},
      key,
    );
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('rejects a revoked key', async () => {
    const { id, key } = await api.createParticipant(uniqueName('EV chargers'));
    expect((await api.gql('{ me { id } }', {}, key)).data.me.id).toBe(id);
    const revoked = await api.gql(
      `mutation($id: ID!) { revokeApiKey(participantId: $id) }`,
      { id },
      api.operatorKey,
    );
    expect(revoked.data.revokeApiKey).toBe(1);
    const after = await api.gql('{ me { id } }', {}, key);
    expect(after.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // a freshly issued key works again
    const issued = await api.gql(
      `mutation($id: ID!) { issueApiKey(participantId: $id) }`,
      { id },
      api.operatorKey,
    );
    expect((await api.gql('{ me { id } }', {}, issued.data.issueApiKey)).data.me.id).toBe(id);
  });

  it('lists the seeded products', async () => {
    const { key } = await api.createParticipant(uniqueName('Battery plant'));
    const result = await api.gql(`{ products { ${PRODUCT_FIELDS} } }`, {}, key);
    const codes = result.data.products.map((p: { code: string }) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['ELECTRICITY', 'HEAT', 'STORAGE']));
    const electricity = result.data.products.find(
      (p: { code: string }) => p.code === 'ELECTRICITY',
    );
    expect(electricity).toMatchObject({
      intervalSeconds: 900,
      gateClosureSeconds: 300,
      horizonSeconds: 172800,
      priceTick: '0.0001',
      mechanism: 'UNIFORM_PRICE',
      k: '0.5',
    });
  });

  it('creates and then changes a product (operator)', async () => {
    const input = productInput();
    const created = await api.gql(UPSERT, { input }, api.operatorKey);
    expect(created.data.upsertProduct).toEqual(input);
    const changed = await api.gql(
      UPSERT,
      { input: { ...input, k: '1', intervalSeconds: 1, gateClosureSeconds: 5 } },
      api.operatorKey,
    );
    expect(changed.data.upsertProduct).toMatchObject({
      k: '1',
      intervalSeconds: 1,
      gateClosureSeconds: 5,
    });
  });

  it.each([
    ['intervalSeconds', { intervalSeconds: 0 }, /intervalSeconds must be at least 1/],
    ['priceTick', { priceTick: '0' }, /priceTick must be greater than 0/],
    ['minPrice', { minPrice: '30' }, /minPrice 30 must be below maxPrice 20/],
    ['minPrice', { minPrice: '-5.005' }, /not a multiple of the tick/],
    ['k', { k: '1.5' }, /k must lie in \[0, 1\]/],
    [
      'priceTick',
      { priceTick: '0.00000001', maxPrice: '100000000000' },
      /holds more than 2\^53 ticks/,
    ],
    ['code', { code: 'bad code' }, /code must be/],
    ['networkFee', { networkFee: '-0.01' }, /networkFee must not be negative/],
  ])(
    'rejects invalid product settings (%s) with BAD_USER_INPUT naming the field',
    async (field, change, message) => {
      const input = productInput(change);
      const result = await api.gql(UPSERT, { input }, api.operatorKey);
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].extensions?.field).toBe(`input.${field}`);
      expect(result.errors?.[0].message).toMatch(message);
      const products = await api.gql(`{ products { code } }`, {}, api.operatorKey);
      expect(products.data.products.map((p: { code: string }) => p.code)).not.toContain(input.code);
    },
  );

  it('rejects a Decimal sent as a number', async () => {
    const result = await api.gql(
      `mutation { upsertProduct(input: { code: "X", name: "x", unit: "x", intervalSeconds: 1, gateClosureSeconds: 0, horizonSeconds: 10, priceTick: 0.5, minPrice: "0", maxPrice: "1", mechanism: PAY_AS_BID, k: "0", networkFee: "0" }) { code } }`,
      {},
      api.operatorKey,
    );
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0].message).toMatch(/Decimal values travel as strings/);
  });

  it('writes an audit row per mutation and the database refuses to change or delete them', async () => {
    const name = uniqueName('CHP unit');
    await api.createParticipant(name);
    const db = await connectTestDatabase();
    try {
      const rows = await db.query(
        `SELECT id, outcome, args FROM audit_log WHERE action = 'createParticipant' AND args->'input'->>'name' = $1`,
        [name],
      );
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0].outcome).toBe('OK');
      const id = rows.rows[0].id;
      await expect(
        db.query(`UPDATE audit_log SET outcome = 'ERROR' WHERE id = $1`, [id]),
      ).rejects.toThrow(/audit_log is append-only: UPDATE refused/);
      await expect(db.query(`DELETE FROM audit_log WHERE id = $1`, [id])).rejects.toThrow(
        /audit_log is append-only: DELETE refused/,
      );
      // The seals' foreign key refuses a plain TRUNCATE first; CASCADE meets the trigger.
      await expect(db.query(`TRUNCATE audit_log`)).rejects.toThrow(/foreign key/);
      await expect(db.query(`TRUNCATE audit_log CASCADE`)).rejects.toThrow(
        /append-only: TRUNCATE refused/,
      );
      const still = await db.query(`SELECT outcome FROM audit_log WHERE id = $1`, [id]);
      expect(still.rows[0].outcome).toBe('OK');
    } finally {
      await db.end();
    }
  });

  it('writes one audit row for each of many concurrent mutations (group commit)', async () => {
    const names = Array.from({ length: 25 }, () => uniqueName('Concurrent tenant'));
    await Promise.all(names.map((name) => api.createParticipant(name)));
    const db = await connectTestDatabase();
    try {
      const rows = await db.query(
        `SELECT args->'input'->>'name' AS name FROM audit_log
         WHERE action = 'createParticipant' AND outcome = 'OK' AND args->'input'->>'name' = ANY($1)`,
        [names],
      );
      expect(rows.rows.map((r) => r.name).sort()).toEqual([...names].sort());
    } finally {
      await db.end();
    }
  });

  it('refuses queries nested deeper than the limit', async () => {
    const deep = `{ me { ${'__typename '.repeat(1)} } ${'products { code } '.repeat(1)} }`;
    expect((await api.gql(deep, {}, api.operatorKey)).errors).toBeUndefined();
    const tooDeep = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }`;
    const result = await api.gql(tooDeep, {}, api.operatorKey);
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0].message).toMatch(/levels deep/);
  });

  it('answers an unknown HTTP route with a 404, not a hang', async () => {
    const response = await fetch(`${await api.app.getUrl()}/no-such-page`, {
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(404);
  });

  it('answers /health', async () => {
    const response = await fetch(`${await api.app.getUrl()}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok' });
  });
});

describe('production settings', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ nodeEnv: 'production' });
  });
  afterAll(() => api.close());

  it('turns introspection off', async () => {
    const result = await api.gql('{ __schema { queryType { name } } }', {}, api.operatorKey);
    expect(result.errors?.[0].message).toMatch(/introspection/i);
  });

  it('does not accept batched HTTP requests', async () => {
    const response = await fetch(`${await api.app.getUrl()}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.operatorKey}` },
      body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]),
    });
    expect(response.status).toBe(400);
  });
});
