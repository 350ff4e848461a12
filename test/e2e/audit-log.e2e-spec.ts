import { createProduct, openInterval, orderInput, type Json } from '@parkex/test-support/orders';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';

const AUDIT_LOG = `query($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id at actorId action args outcome errorCode message } }
    pageInfo { hasNextPage endCursor } } }`;
const CREATE = `mutation($input: CreateParticipantInput!) {
  createParticipant(input: $input) { participant { id } } }`;
const UPSERT = `mutation($input: ProductInput!) { upsertProduct(input: $input) { code } }`;

/** The audit log over GraphQL. Every assertion is scoped to an operator of this file's own. */
describe('auditLog', () => {
  let api: TestApi;
  let operator: { id: string; key: string };
  let auditor: { id: string; key: string };
  let tenant: { id: string; key: string };
  const names: string[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    operator = await api.createParticipant(uniqueName('Utility shift'), 'OPERATOR');
    auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
    tenant = await api.createParticipant(uniqueName('Tenant'));
    // What this operator does: three participants, then a product the rules refuse.
    for (let i = 0; i < 3; i++) {
      names.push(uniqueName('Chiller'));
      const created = await api.gql(
        CREATE,
        { input: { name: names[i], role: 'PARTICIPANT' } },
        operator.key,
      );
      expect(created.errors).toBeUndefined();
    }
    const refused = await api.gql(
      UPSERT,
      {
        input: {
          code: 'AUDITED',
          name: 'Cooling',
          unit: 'kWh',
          intervalSeconds: 900,
          gateClosureSeconds: 300,
          horizonSeconds: 86_400,
          priceTick: '0.0001',
          minPrice: '5',
          maxPrice: '1',
          mechanism: 'UNIFORM_PRICE',
          k: '0.5',
          networkFee: '0',
        },
      },
      operator.key,
    );
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
  afterAll(() => api.close());

  const auditLog = (variables: Record<string, unknown>, key = auditor.key) =>
    api.gql(AUDIT_LOG, variables, key);
  const nodes = (result: { data?: Json }) => result.data.auditLog.edges.map((e: Json) => e.node);

  it('lists what an actor did, newest first, a page at a time', async () => {
    const filter = { actorId: operator.id };
    const first = await auditLog({ filter, first: 2 });
    expect(first.errors).toBeUndefined();
    expect(first.data.auditLog.pageInfo.hasNextPage).toBe(true);
    const second = await auditLog({
      filter,
      first: 2,
      after: first.data.auditLog.pageInfo.endCursor,
    });
    expect(second.data.auditLog.pageInfo).toEqual({
      hasNextPage: false,
      endCursor: expect.any(String),
    });
    const entries = [...nodes(first), ...nodes(second)];
    expect(entries.map((e: Json) => [e.action, e.outcome, e.errorCode])).toEqual([
      ['upsertProduct', 'ERROR', 'BAD_USER_INPUT'],
      ['createParticipant', 'OK', null],
      ['createParticipant', 'OK', null],
      ['createParticipant', 'OK', null],
    ]);
    const ids = entries.map((e: Json) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);
    expect(entries.every((e: Json) => e.actorId === operator.id)).toBe(true);
    // args is the stored JSON: the newest participant is the last one created.
    expect(JSON.parse(entries[1].args)).toEqual({
      input: { name: names[2], role: 'PARTICIPANT' },
    });
    expect(entries[0].message).toMatch(/minPrice|maxPrice/);
  });

  it('filters by action, outcome and time', async () => {
    const created = await auditLog({
      filter: { actorId: operator.id, action: 'createParticipant' },
    });
    expect(nodes(created)).toHaveLength(3);
    const failed = await auditLog({ filter: { actorId: operator.id, outcome: 'ERROR' } });
    expect(nodes(failed).map((e: Json) => e.action)).toEqual(['upsertProduct']);

    const [newest, , middle, oldest] = nodes(await auditLog({ filter: { actorId: operator.id } }));
    const between = await auditLog({
      filter: { actorId: operator.id, from: oldest.at, to: newest.at },
    });
    // [from, to): the oldest is in, the newest is out.
    expect(nodes(between).map((e: Json) => e.id)).toEqual([
      expect.any(String),
      middle.id,
      oldest.id,
    ]);
    expect(nodes(between)).not.toContainEqual(newest);
  });

  it('is for the auditor and the operator only', async () => {
    const asTenant = await auditLog({}, tenant.key);
    expect(asTenant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const asOperator = await auditLog({ filter: { actorId: operator.id }, first: 1 }, operator.key);
    expect(nodes(asOperator)).toHaveLength(1);
  });

  it('withholds order terms from the auditor until the orders reach their delivery start', async () => {
    const product = await createProduct(api, {
      intervalSeconds: 2,
      gateClosureSeconds: 1,
      horizonSeconds: 60,
    });
    const trader = await api.createParticipant(uniqueName('Trader'));
    const start = openInterval(product, 0, 200);
    const submitted = await api.gql(
      `mutation($orders: [OrderInput!]!) { submitOrders(orders: $orders) { id } }`,
      { orders: [orderInput(product, start, { price: '0.4321' })] },
      trader.key,
    );
    expect(submitted.errors).toBeUndefined();
    const row = async (key: string) =>
      nodes(await auditLog({ filter: { actorId: trader.id, action: 'submitOrders' } }, key))[0];

    const early = await row(auditor.key);
    expect(early.args).toBeNull();
    expect(early.message).toBe(`(order terms withheld from auditors until ${start.toISOString()})`);
    expect((await row(operator.key)).args).toContain('0.4321'); // the operator's live view

    await new Promise((resolve) => setTimeout(resolve, start.getTime() - Date.now() + 50));
    const late = await row(auditor.key);
    expect(late.args).toContain('0.4321');
    expect(late.message).toBeNull();
  });

  it('refuses a bad cursor, page size or actor id', async () => {
    const cursor = await auditLog({ after: 'bm90LWEtY3Vyc29y' });
    expect(cursor.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const size = await auditLog({ first: 501 });
    expect(size.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const actor = await auditLog({ filter: { actorId: 'someone' } });
    expect(actor.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.actorId',
    });
  });
});
