/**
 * Limits before and around authentication (README "Security"): one key lookup per request and
 * a negative cache for unknown keys, a per-address bucket for requests without a valid key
 * (X-Forwarded-For believed from trusted proxies only), the per-key limit weighted by query cost
 * and orders, and the JSON body limits (small before a PARTICIPANT key is known).
 */
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { ParticipantRepository } from '@parkex/db';
import request from 'supertest';
import { connectLive, wsUrlOf } from '@parkex/test-support/graphql-ws-client';
import {
  createProduct,
  expectError,
  type Json,
  openInterval,
  orderInput,
} from '@parkex/test-support/orders';
import { startTestApi, type TestApi, uniqueName } from '@parkex/test-support/test-api';

const ME = '{ me { id } }';
const PROXY = '127.0.0.1';

function aliasedMe(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
}

function post(api: TestApi, body: unknown, headers: Record<string, string> = {}) {
  const call = request(api.app.getHttpServer() as Server)
    .post('/graphql')
    .set('content-type', 'application/json');
  for (const [name, value] of Object.entries(headers)) call.set(name, value);
  return call.send(typeof body === 'string' ? body : JSON.stringify(body));
}

describe('key lookups', () => {
  let api: TestApi;
  let lookups: jest.SpyInstance;
  beforeAll(async () => {
    api = await startTestApi({ authNegativeCacheMs: 60_000 });
    // A spy that calls the real repository: it counts the database lookups of keys.
    lookups = jest.spyOn(api.app.get(ParticipantRepository), 'findByActiveKeyHash');
  });
  beforeEach(() => lookups.mockClear());
  afterAll(async () => {
    lookups.mockRestore();
    await api.close();
  });

  it('looks an unknown key up once for 1,500 aliased fields, then not at all while it is remembered', async () => {
    const unknownKey = `pkx_unknown_${uniqueName('key')}`;
    const first = await post(
      api,
      { query: aliasedMe(1500) },
      {
        authorization: `Bearer ${unknownKey}`,
      },
    );
    const body = first.body;
    // (graphql-js stops reporting once a non-null root field has nulled `data`)
    expect(body.data).toBeNull();
    expect(new Set(body.errors.map((e: Json) => e.extensions.code))).toEqual(
      new Set(['UNAUTHENTICATED']),
    );
    expect(body.errors[0].message).toBe('the API key is unknown or has been revoked');
    expect(lookups).toHaveBeenCalledTimes(1);

    const again = await api.gql(ME, {}, unknownKey);
    expectError(again, 'UNAUTHENTICATED');
    expect(lookups).toHaveBeenCalledTimes(1); // the negative cache answered
  });

  it('looks a valid key up at most once for 1,500 aliased fields', async () => {
    const trader = await api.createParticipant(uniqueName('Aliased'));
    lookups.mockClear();
    const result = await api.gql(aliasedMe(1500), {}, trader.key);
    expect(result.errors).toBeUndefined();
    expect(Object.keys(result.data)).toHaveLength(1500);
    expect(lookups.mock.calls.length).toBeLessThanOrEqual(1);
  });
});

describe('requests without a valid key, per client address', () => {
  let api: TestApi;
  let direct: TestApi;
  beforeAll(async () => {
    // The test client is the trusted proxy; X-Forwarded-For names the client.
    api = await startTestApi({
      rateLimitAnonPerSecond: 1,
      rateLimitAnonBurst: 5,
      trustedProxies: [PROXY],
      authCacheMs: 60_000,
    });
    direct = await startTestApi({ rateLimitAnonPerSecond: 1, rateLimitAnonBurst: 5 });
  });
  afterAll(async () => {
    await api.close();
    await direct.close();
  });

  it('refuses a burst from one address with RATE_LIMITED while another address is not limited', async () => {
    const from = (address: string, key?: string) =>
      post(
        api,
        { query: ME },
        {
          'x-forwarded-for': `198.51.100.1, ${address}`,
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
      );
    const answers = [];
    for (let i = 0; i < 8; i++)
      answers.push(await from('203.0.113.7', i % 2 ? 'pkx_nope' : undefined));
    expect(answers.map((a) => a.body.errors[0].extensions.code)).toEqual([
      ...Array(5).fill('UNAUTHENTICATED'),
      ...Array(3).fill('RATE_LIMITED'),
    ]);
    const limited = answers[7];
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.body.errors[0].message).toMatch(
      /^too many requests without a valid API key from 203\.0\.113\.7: the limit is 1 per second \(bursts of 5\); retry in \d+ ms/,
    );
    expect(limited.body.errors[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      reason: 'ADDRESS_RATE',
    });

    // another client behind the same proxy has its own bucket
    const other = await from('203.0.113.8');
    expect(other.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // a key this replica knows (looked up before) is not limited by its address; an unknown
    // one is refused before its lookup
    const unknownYet = await from('203.0.113.7', api.operatorKey);
    expect(unknownYet.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await api.gql(ME, {}, api.operatorKey)).errors).toBeUndefined();
    const known = await from('203.0.113.7', api.operatorKey);
    expect(known.body.errors).toBeUndefined();
    // exports count against the same bucket and answer in their own JSON shape
    const exported = await request(api.app.getHttpServer() as Server)
      .get('/exports/fills.csv?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z')
      .set('x-forwarded-for', '203.0.113.7');
    expect(exported.status).toBe(429);
    expect(exported.body).toMatchObject({ code: 'RATE_LIMITED', reason: 'ADDRESS_RATE' });
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const answers = [];
    for (let i = 0; i < 7; i++) {
      // each request claims another address; without trusted proxies all are the peer's
      answers.push(await post(direct, { query: ME }, { 'x-forwarded-for': `192.0.2.${i + 1}` }));
    }
    expect(answers.map((a) => a.body.errors[0].extensions.code)).toEqual([
      ...Array(5).fill('UNAUTHENTICATED'),
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    expect(answers[6].body.errors[0].message).toMatch(/from 127\.0\.0\.1:/);
  });

  it('counts graphql-ws connections without a valid key against the address too', async () => {
    const sockets = await startTestApi({ rateLimitAnonPerSecond: 1, rateLimitAnonBurst: 3 });
    const live = connectLive(wsUrlOf(sockets.app), 'pkx_unknown_socket_key');
    try {
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        const sub = live.subscribe(
          'subscription { clearingPublished(productCode: "X") { price } }',
        );
        await sub.waitForEnd(5000).catch(() => undefined);
        codes.push(...sub.errors.flat().map((e: Json) => e?.extensions?.code ?? String(e?.closed)));
      }
      // each attempt is refused at connection_init: 4401 while the address has tokens, then 4429
      expect(codes).toEqual([...Array(3).fill('4401'), ...Array(2).fill('4429')]);
    } finally {
      await live.close();
      await sockets.close();
    }
  });
});

describe('the per-key limit weighted by cost', () => {
  let api: TestApi;
  let product: Awaited<ReturnType<typeof createProduct>>;
  beforeAll(async () => {
    api = await startTestApi({ rateLimitPerSecond: 1, rateLimitBurst: 60 });
    // the operator's own bucket: upsertProduct and createParticipant weigh little
    product = await createProduct(api);
  });
  afterAll(() => api.close());

  const SUBMIT_IDS = 'mutation($orders: [OrderInput!]!) { submitOrders(orders: $orders) { id } }';

  it('takes one token per order submitted', async () => {
    const trader = await api.createParticipant(uniqueName('Batcher'));
    const start = openInterval(product);
    const batch = () =>
      Array.from({ length: 50 }, (_, i) =>
        orderInput(product, start, { price: `0.${10 + (i % 10)}` }),
      );
    // cost 1 + 50 orders × (id 1) = 51 of 60 tokens
    expect((await api.gql(SUBMIT_IDS, { orders: batch() }, trader.key)).errors).toBeUndefined();
    // small requests still pass, one more batch of 50 does not
    expect((await api.gql(ME, {}, trader.key)).errors).toBeUndefined();
    const refused = await api.gql(SUBMIT_IDS, { orders: batch() }, trader.key);
    const error = expectError(refused, 'RATE_LIMITED', { message: /this request: 51\)/ });
    expect(error.extensions).toMatchObject({ reason: 'KEY_RATE', weight: 51, burst: 60 });
  });

  it('takes a query’s cost, a query costlier than the burst only from a full bucket', async () => {
    const reader = await api.createParticipant(uniqueName('Reader'));
    // cost 1 + 25 × (edges 1 + node 1 + id 1) = 76 > 60: allowed once, then the key is in debt
    const heavy = '{ orders(first: 25) { edges { node { id } } } }';
    expect((await api.gql(heavy, {}, reader.key)).errors).toBeUndefined();
    const after = await api.gql(ME, {}, reader.key);
    const error = expectError(after, 'RATE_LIMITED');
    expect(error.extensions.weight).toBe(2);
    expect(error.extensions.retryAfterMs).toBeGreaterThan(15_000); // 16 tokens of debt + 2, at 1/s
  });
});

describe('request bodies', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ rateLimitAnonBurst: 1000 });
  });
  afterAll(() => api.close());

  const server = () => api.app.getHttpServer() as Server;
  const port = () => (server().address() as { port: number }).port;

  it('refuses a declared 8 MB body without a key before reading it (413)', async () => {
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect(port(), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      // headers and 1 KiB of the announced 8 MB: the answer comes without the rest
      socket.write(
        `POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${8 * 1024 * 1024}\r\n\r\n`,
      );
      socket.write(`{"query":"${' '.repeat(1024)}`);
    });
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
    expect(body.errors[0]).toMatchObject({
      message:
        'the request body is larger than 65536 bytes (only requests with a PARTICIPANT or METER key may be larger)',
      extensions: { code: 'BAD_USER_INPUT', reason: 'BODY_TOO_LARGE', limitBytes: 65536 },
    });
  });

  it('refuses an 8 MB body without a key, and a chunked one as soon as it passes the limit', async () => {
    const big = JSON.stringify({ query: ME, variables: { pad: 'x'.repeat(8 * 1024 * 1024) } });
    const sent = await post(api, big);
    expect(sent.status).toBe(413);
    expect(sent.body.errors[0].extensions.reason).toBe('BODY_TOO_LARGE');

    const chunked = await new Promise<string>((resolve, reject) => {
      const socket = connect(port(), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(
        'POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n',
      );
      const chunk = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 5; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('refuses more than 64 KiB with an operator key: the large limit is a participant’s', async () => {
    const pad = 'x'.repeat(70 * 1024);
    const response = await post(
      api,
      { query: ME, variables: { pad } },
      {
        authorization: `Bearer ${api.operatorKey}`,
      },
    );
    expect(response.status).toBe(413);
  });

  it('accepts a large submitOrders with a participant key', async () => {
    const product = await createProduct(api);
    const trader = await api.createParticipant(uniqueName('Bulk'));
    const start = openInterval(product);
    const orders = Array.from({ length: 2000 }, (_, i) =>
      orderInput(product, start, { price: `0.${1000 + (i % 1000)}`, quantity: '1.5' }),
    );
    const body = JSON.stringify({
      query: 'mutation($orders: [OrderInput!]!) { submitOrders(orders: $orders) { id } }',
      variables: { orders },
    });
    expect(body.length).toBeGreaterThan(4 * 65536);
    const response = await post(api, body, { authorization: `Bearer ${trader.key}` });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.submitOrders).toHaveLength(2000);
  });
});

describe('the body limit at its bound', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ bodyLimitBytes: 2048 });
  });
  afterAll(() => api.close());

  it('reads a body of exactly the limit and refuses one byte more', async () => {
    const bodyOf = (bytes: number) => {
      const base = JSON.stringify({ query: ME });
      return JSON.stringify({ query: ME + ' '.repeat(bytes - base.length) });
    };
    expect(Buffer.byteLength(bodyOf(2048))).toBe(2048);
    const atLimit = await post(api, bodyOf(2048));
    expect(atLimit.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const beyond = await post(api, bodyOf(2049));
    expect(beyond.status).toBe(413);
    expect(beyond.body.errors[0].extensions).toMatchObject({
      reason: 'BODY_TOO_LARGE',
      limitBytes: 2048,
    });
  });
});
