import { GraphQLSchemaHost } from '@nestjs/graphql';
import { CONNECTIONS, LIST_BOUNDS } from '@parkex/api/graphql/query-limits';
import { GraphQLList, GraphQLNonNull, GraphQLObjectType, type GraphQLType } from 'graphql';
import request from 'supertest';
import { connectLive, wsUrlOf, type LiveClient } from '@parkex/test-support/graphql-ws-client';
import { startTestApi, type TestApi } from '@parkex/test-support/test-api';

/** `query { ...F0 }` and `levels` fragments, each spreading the next one twice. */
function fragmentBomb(levels: number, operation = 'query'): string {
  let query = `${operation} { ...F0 }`;
  for (let i = 0; i < levels; i++) {
    query += ` fragment F${i} on ${operation === 'query' ? 'Query' : 'Subscription'} { ...F${i + 1} ...F${i + 1} }`;
  }
  const leaf = operation === 'query' ? 'me { id }' : 'clearingPublished { price }';
  return `${query} fragment F${levels} on ${operation === 'query' ? 'Query' : 'Subscription'} { ${leaf} }`;
}

/** `count` aliases of one orders page of `first` rows. */
function aliasedOrders(count: number, first: string): string {
  const aliases = Array.from(
    { length: count },
    (_, i) => `o${i}: orders(first: ${first}) { edges { cursor } }`,
  );
  return `query${first === '$n' ? '($n: Int)' : ''} { ${aliases.join(' ')} }`;
}

/**
 * Issue 11's "Fragment bomb" and "Cost by default", reproduced over HTTP and graphql-ws:
 * refused before anything runs, without the event loop stalling.
 */
describe('query limits', () => {
  let api: TestApi;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await api.close();
  });

  it('gives every list field of the schema a bounded cost', () => {
    const schema = api.app.get(GraphQLSchemaHost).schema;
    const unbounded: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const paged = field.args.some((arg) => arg.name === 'first');
        if (paged !== CONNECTIONS.has(field.name)) unbounded.push(`${type.name}.${field.name}`);
        if (isList(field.type) && !(field.name in LIST_BOUNDS)) {
          unbounded.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(unbounded).toEqual([]);
  });

  it.each([20, 25])(
    'refuses a %p-level fragment bomb without a key at once; /health answers meanwhile',
    async (levels) => {
      const bomb = fragmentBomb(levels);
      expect(Buffer.byteLength(bomb)).toBeLessThan(1100); // 823 bytes at 20 levels
      const server = api.app.getHttpServer();
      const started = Date.now();
      const [refused, health] = await Promise.all([
        request(server).post('/graphql').send({ query: bomb }),
        request(server).get('/health'),
      ]);
      // Generous: before the fix, 20 levels took about 3 s and 25 about 80 s.
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/^query cost exceeds the limit of 200000/),
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_COSTLY' },
        }),
      ]);
      expect(health.status).toBe(200);
    },
  );

  it('refuses a document of more than 10,000 tokens while parsing it', async () => {
    const long = `{ ${Array.from({ length: 3_400 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const result = await api.gql(long);
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(result.errors?.[0].message).toMatch(/contains more tha[nt] 10000 tokens/);
  });

  it('costs a page size passed as a variable by its value: 420 aliases of 500 refused like literals', async () => {
    const literal = await api.gql(aliasedOrders(420, '500'), {}, api.operatorKey);
    expect(literal.errors?.[0].extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'QUERY_TOO_COSTLY',
    });
    const variable = await api.gql(aliasedOrders(420, '$n'), { n: 500 }, api.operatorKey);
    expect(variable.errors?.[0].extensions).toEqual(literal.errors?.[0].extensions);
    expect(variable.data).toBeUndefined();
    // the same document with small pages runs
    const small = await api.gql(aliasedOrders(420, '$n'), { n: 2 }, api.operatorKey);
    expect(small.errors).toBeUndefined();
    expect(Object.keys(small.data)).toHaveLength(420);
  });

  it.each([
    ['literal', 0],
    ['literal', 501],
    ['variable', 0],
    ['variable', 501],
  ])(
    'refuses first = %s %p with BAD_USER_INPUT, reason PAGE_SIZE, before running',
    async (kind, n) => {
      const query =
        kind === 'literal'
          ? `{ clearingResults(productCode: "NOPE", first: ${n}) { edges { cursor } } }`
          : `query($n: Int) { clearingResults(productCode: "NOPE", first: $n) { edges { cursor } } }`;
      const response = await request(api.app.getHttpServer())
        .post('/graphql')
        .set('authorization', `Bearer ${api.operatorKey}`)
        .send({ query, variables: { n } });
      expect(response.status).toBe(400);
      // refused before execution: the unknown product is never looked up (it would be NOT_FOUND)
      expect(response.body.errors).toEqual([
        {
          message: `first must be between 1 and 500, got ${n} (clearingResults)`,
          extensions: { code: 'BAD_USER_INPUT', reason: 'PAGE_SIZE', field: 'first' },
        },
      ]);
    },
  );

  it('accepts first = 500, literal or variable', async () => {
    const literal = await api.gql(
      `{ orders(first: 500) { edges { cursor } pageInfo { hasNextPage } } }`,
      {},
      api.operatorKey,
    );
    expect(literal.errors).toBeUndefined();
    const variable = await api.gql(
      `query($n: Int) { orders(first: $n) { edges { cursor } } }`,
      { n: 500 },
      api.operatorKey,
    );
    expect(variable.errors).toBeUndefined();
  });

  it('refuses a fragment bomb and a page size over graphql-ws before running it', async () => {
    const live = connectLive(wsUrlOf(api.app), api.operatorKey);
    clients.push(live);
    const started = Date.now();
    const bomb = live.subscribe(fragmentBomb(25, 'subscription'));
    await bomb.waitForEnd(5_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(bomb.errors.flat()).toEqual([
      expect.objectContaining({
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_COSTLY' },
      }),
    ]);

    // graphql-ws runs queries too: the page size is checked from the variables there as well
    const page = live.subscribe(`query($n: Int) { orders(first: $n) { edges { cursor } } }`, {
      n: 501,
    });
    await page.waitForEnd(5_000);
    expect(page.errors.flat()).toEqual([
      expect.objectContaining({
        message: 'first must be between 1 and 500, got 501 (orders)',
        extensions: { code: 'BAD_USER_INPUT', reason: 'PAGE_SIZE', field: 'first' },
      }),
    ]);
  });
});

function isList(type: GraphQLType): boolean {
  const inner = type instanceof GraphQLNonNull ? type.ofType : type;
  return inner instanceof GraphQLList;
}
