import type { Client } from 'pg';
import { connectLive, wsUrlOf, type LiveClient } from '@parkex/test-support/graphql-ws-client';
import {
  closeGate,
  createParticipants,
  createProduct,
  nextDeliveryStart,
  placeOrders,
  unitBook,
} from '@parkex/test-support/market-factory';
import { eventually } from '../../scripts/support/processes';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

const FIELDS = `productCode deliveryStart status price volume bidCount offerCount fillCount
  inputHash clearedAt failureReason fills { quantity }`;
const RESULT = `query($product: String!, $start: DateTime!) {
  clearingResult(productCode: $product, deliveryStart: $start) { ${FIELDS} } }`;
const RESULTS = `query($product: String!) {
  clearingResults(productCode: $product) { edges { node { deliveryStart status failureReason } } } }`;
const SUBSCRIBE = `subscription($product: String) { clearingPublished(productCode: $product) { ${FIELDS} } }`;
const RETRY = `mutation($product: String!, $start: DateTime!) {
  retryClearing(productCode: $product, deliveryStart: $start) { productCode deliveryStart state } }`;

/**
 * Failure isolation: an interval whose clearing throws (injected with a failpoint) is retried
 * with backoff while the others clear, then FAILED (published, audited); the operator re-runs it.
 */
describe('clearing failures', () => {
  let api: TestApi;
  let db: Client;
  const matchers: TestMatcher[] = [];
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(matchers.map((m) => m.close()));
    await db?.end();
    await api?.close();
  });

  async function matcher(
    products: string[],
    failpoint?: string,
    maxAttempts = 3,
  ): Promise<TestMatcher> {
    const started = await startTestMatcher(products, {
      failpoint,
      maxAttempts,
      retryBackoffMs: 50,
    });
    matchers.push(started);
    return started;
  }

  function live(): LiveClient {
    const client = connectLive(wsUrlOf(api.app), api.operatorKey);
    clients.push(client);
    return client;
  }

  /** A crossing book (two fills) for a new interval of `product`; returns its delivery start. */
  async function crossingBook(product: string): Promise<Date> {
    const [buyer, seller] = await createParticipants(db, 2);
    const start = nextDeliveryStart();
    await placeOrders(db, product, start, unitBook(buyer, seller, [7, 4], [1, 2]));
    return start;
  }

  async function state(product: string, start: Date): Promise<string> {
    const { rows } = await db.query<{ state: string }>(
      `SELECT state FROM product_interval WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    return rows[0].state;
  }

  /** Drains until the interval is in `wanted` state (backoff waits are real time). */
  async function drainUntil(m: TestMatcher, product: string, start: Date, wanted: string) {
    await eventually(
      async () => {
        await m.drain();
        return (await state(product, start)) === wanted ? true : undefined;
      },
      20_000,
      20,
    );
  }

  it('retries a failing clearing with backoff while later intervals of it and other products clear, then publishes it FAILED', async () => {
    const product = await createProduct(db);
    const other = await createProduct(db);
    const broken = await crossingBook(product);
    const later = await crossingBook(product);
    const elsewhere = await crossingBook(other);
    for (const [code, start] of [
      [product, broken],
      [product, later],
      [other, elsewhere],
    ] as const) {
      await closeGate(db, code, start);
    }
    const feed = live().subscribe(SUBSCRIBE, { product });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the subscription is set up
    const m = await matcher(
      [product, other],
      `after-load:throw@${product}/${broken.toISOString()}`,
    );

    // One round: the broken interval's first attempt fails; the others clear in the same round.
    expect(await m.drain()).toBe(2);
    expect(await state(product, broken)).toBe('OPEN');
    expect(await state(product, later)).toBe('CLEARED');
    expect(await state(other, elsewhere)).toBe('CLEARED');

    await drainUntil(m, product, broken, 'FAILED');
    const attempts = await db.query<{ event: string; error: string | null; run: number }>(
      `SELECT event, error, run FROM clearing_attempt
       WHERE product_code = $1 AND delivery_start = $2 ORDER BY id`,
      [product, broken],
    );
    expect(attempts.rows.map((a) => a.event)).toEqual([
      'STARTED',
      'FAILED',
      'STARTED',
      'FAILED',
      'STARTED',
      'FAILED',
    ]);
    expect(attempts.rows[1].error).toBe('FailpointError: failpoint after-load: injected failure');
    expect(attempts.rows.every((a) => a.run === 0)).toBe(true);

    // The attempts waited out a growing backoff: 50 ms, then 100 ms after the failure before.
    const times = await db.query<{ gap_ms: number }>(
      `SELECT extract(epoch FROM at - lag(at) OVER (ORDER BY id)) * 1000 AS gap_ms
       FROM clearing_attempt WHERE product_code = $1 AND delivery_start = $2 ORDER BY id`,
      [product, broken],
    );
    expect(Number(times.rows[2].gap_ms)).toBeGreaterThanOrEqual(50);
    expect(Number(times.rows[4].gap_ms)).toBeGreaterThanOrEqual(100);

    const failure = await db.query(
      `SELECT run, attempts, reason, bid_count, offer_count FROM clearing_failure
       WHERE product_code = $1 AND delivery_start = $2`,
      [product, broken],
    );
    expect(failure.rows).toEqual([
      {
        run: 0,
        attempts: 3,
        reason:
          '3 attempts failed; the last: FailpointError: failpoint after-load: injected failure',
        bid_count: 2,
        offer_count: 2,
      },
    ]);
    const written = await db.query(
      `SELECT (SELECT count(*) FROM clearing_result WHERE product_code = $1 AND delivery_start = $2)::int AS results,
              (SELECT count(*) FROM fill WHERE product_code = $1 AND delivery_start = $2)::int AS fills,
              (SELECT count(*) FROM journal WHERE product_code = $1 AND delivery_start = $2)::int AS journals`,
      [product, broken],
    );
    expect(written.rows[0]).toEqual({ results: 0, fills: 0, journals: 0 });

    const audit = await db.query(
      `SELECT actor_id, outcome, error_code, message, args FROM audit_log
       WHERE action = 'clearing:failed' AND args->>'productCode' = $1`,
      [product],
    );
    expect(audit.rows).toEqual([
      expect.objectContaining({
        actor_id: null,
        outcome: 'ERROR',
        error_code: 'CLEARING_FAILED',
        message: failure.rows[0].reason,
        args: expect.objectContaining({ deliveryStart: broken.toISOString(), attempts: 3 }),
      }),
    ]);

    // Published live (after the later interval's result), and shown by the queries.
    const published = await feed.waitForResults(2, 10_000);
    expect(published.map((r) => r.clearingPublished.status)).toEqual(['CLEARED', 'FAILED']);
    expect(published[1].clearingPublished).toMatchObject({
      deliveryStart: broken.toISOString(),
      status: 'FAILED',
      price: null,
      volume: '0',
      fillCount: 0,
      fills: [],
      failureReason: failure.rows[0].reason,
    });
    const one = await api.gql(RESULT, { product, start: broken }, api.operatorKey);
    expect(one.data.clearingResult).toMatchObject({
      status: 'FAILED',
      price: null,
      bidCount: 2,
      offerCount: 2,
      inputHash: '',
      failureReason: failure.rows[0].reason,
    });
    const list = await api.gql(RESULTS, { product }, api.operatorKey);
    expect(list.data.clearingResults.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { deliveryStart: later.toISOString(), status: 'CLEARED', failureReason: null },
      {
        deliveryStart: broken.toISOString(),
        status: 'FAILED',
        failureReason: failure.rows[0].reason,
      },
    ]);
  }, 60_000);

  it('re-runs a FAILED clearing once on the operator’s order; the newest outcome supersedes, all stay stored', async () => {
    const product = await createProduct(db);
    const start = await crossingBook(product);
    await closeGate(db, product, start);
    const feed = live().subscribe(SUBSCRIBE, { product });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const failing = await matcher([product], `after-clear:throw@${product}`, 1);
    await drainUntil(failing, product, start, 'FAILED');

    // Refusals: only the operator, only a FAILED interval, only an existing one.
    const tenant = await api.createParticipant(uniqueName('tenant'));
    const refused = await api.gql(RETRY, { product, start }, tenant.key);
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const unknown = await api.gql(RETRY, { product, start: nextDeliveryStart() }, api.operatorKey);
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    // The re-run fails again (one attempt): FAILED, run 1.
    const first = await api.gql(RETRY, { product, start }, api.operatorKey);
    expect(first.errors).toBeUndefined();
    expect(first.data.retryClearing).toEqual({
      productCode: product,
      deliveryStart: start.toISOString(),
      state: 'RETRYING',
    });
    const twice = await api.gql(RETRY, { product, start }, api.operatorKey);
    expect(twice.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'NOT_FAILED' });
    await drainUntil(failing, product, start, 'FAILED');
    const runs = await db.query<{ run: number; attempts: number }>(
      `SELECT run, attempts FROM clearing_failure WHERE product_code = $1 AND delivery_start = $2 ORDER BY run`,
      [product, start],
    );
    expect(runs.rows).toEqual([
      { run: 0, attempts: 1 },
      { run: 1, attempts: 1 },
    ]);

    // The second re-run, by a healthy matcher, clears it: the result supersedes the failures.
    expect((await api.gql(RETRY, { product, start }, api.operatorKey)).errors).toBeUndefined();
    const healthy = await matcher([product]);
    expect(await healthy.drain()).toBe(1);
    expect(await state(product, start)).toBe('CLEARED');
    const result = await api.gql(RESULT, { product, start }, api.operatorKey);
    expect(result.data.clearingResult).toMatchObject({
      status: 'CLEARED',
      price: '3',
      volume: '2',
      failureReason: null,
      fills: [{ quantity: '1' }, { quantity: '1' }],
    });
    const list = await api.gql(RESULTS, { product }, api.operatorKey);
    expect(list.data.clearingResults.edges).toHaveLength(1);
    expect(list.data.clearingResults.edges[0].node.status).toBe('CLEARED');
    const stored = await db.query(
      `SELECT (SELECT count(*) FROM clearing_failure WHERE product_code = $1)::int AS failures,
              (SELECT count(*) FROM clearing_result WHERE product_code = $1)::int AS results`,
      [product],
    );
    expect(stored.rows[0]).toEqual({ failures: 2, results: 1 });

    const published = await feed.waitForResults(3, 10_000);
    expect(published.map((r) => r.clearingPublished.status)).toEqual([
      'FAILED',
      'FAILED',
      'CLEARED',
    ]);
    const operator = await api.gql(`{ me { id } }`, {}, api.operatorKey);
    const audited = await db.query(
      `SELECT outcome, error_code FROM audit_log
       WHERE action = 'retryClearing' AND args->>'productCode' = $1 AND actor_id = $2 ORDER BY id`,
      [product, operator.data.me.id],
    );
    expect(audited.rows.map((r) => r.error_code ?? r.outcome)).toEqual([
      'NOT_FOUND',
      'OK',
      'CONFLICT',
      'OK',
    ]);
  }, 60_000);

  it('counts an attempt whose matcher died (no FAILED row) as failed', async () => {
    const product = await createProduct(db);
    const start = await crossingBook(product);
    await closeGate(db, product, start);
    // Three matchers that claimed it and died mid-clearing (their transactions rolled back).
    for (let i = 0; i < 3; i++) {
      await db.query(
        `INSERT INTO clearing_attempt (product_code, delivery_start, run, matcher_id, event, at)
         VALUES ($1, $2, 0, 'crashed', 'STARTED', clock_timestamp() - interval '1 hour')`,
        [product, start],
      );
    }
    const m = await matcher([product]);
    expect(await m.drain()).toBe(1);
    expect(await state(product, start)).toBe('FAILED');
    const failure = await db.query(
      `SELECT attempts, reason FROM clearing_failure WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    expect(failure.rows).toEqual([
      {
        attempts: 3,
        reason:
          '3 attempts failed; the last: the matcher stopped during the clearing (no error recorded)',
      },
    ]);
  });

  it('goes on with the intervals behind one whose FAILED result cannot be written', async () => {
    const product = await createProduct(db);
    const other = await createProduct(db);
    const stuck = await crossingBook(product);
    const later = await crossingBook(product);
    const elsewhere = await crossingBook(other);
    // `stuck` closes first (the earliest gate is claimed first) and its attempts are used up.
    for (const [code, start] of [
      [product, stuck],
      [product, later],
      [other, elsewhere],
    ] as const) {
      await closeGate(db, code, start);
    }
    for (let i = 0; i < 3; i++) {
      await db.query(
        `INSERT INTO clearing_attempt (product_code, delivery_start, run, matcher_id, event, at)
         VALUES ($1, $2, 0, 'crashed', 'STARTED', clock_timestamp() - interval '1 hour')`,
        [product, stuck],
      );
    }
    const broken = await matcher(
      [product, other],
      `before-failure-write:throw@${product}/${stuck.toISOString()}`,
    );
    const first = await broken.runner.clearNext();
    expect(first).toMatchObject({
      kind: 'failure-write-failed',
      error: 'FailpointError: failpoint before-failure-write: injected failure',
      retryInMs: 50,
    });
    // The same replica defers it and clears the others; nothing of the failed write remains.
    expect(await broken.drain()).toBe(2);
    expect(await state(product, later)).toBe('CLEARED');
    expect(await state(other, elsewhere)).toBe('CLEARED');
    expect(await state(product, stuck)).toBe('OPEN');
    const failures = await db.query(
      `SELECT 1 FROM clearing_failure WHERE product_code = $1 AND delivery_start = $2`,
      [product, stuck],
    );
    expect(failures.rowCount).toBe(0);

    // Once the result can be written (another replica here), the interval is FAILED.
    const healthy = await matcher([product]);
    expect(await healthy.drain()).toBe(1);
    expect(await state(product, stuck)).toBe('FAILED');
  });

  it('keeps attempt errors within 2,000 characters', async () => {
    const product = await createProduct(db);
    const start = await crossingBook(product);
    const insert = (error: string) =>
      db.query(
        `INSERT INTO clearing_attempt (product_code, delivery_start, run, matcher_id, event, error)
         VALUES ($1, $2, 0, 'bound', 'FAILED', $3)`,
        [product, start, error],
      );
    await expect(insert('x'.repeat(2000))).resolves.toBeDefined();
    await expect(insert('x'.repeat(2001))).rejects.toThrow(/clearing_attempt_error_check/);
    const { describeError } = await import('@parkex/db');
    expect(describeError(new Error('y'.repeat(5000)))).toHaveLength(2000);
  });
});
