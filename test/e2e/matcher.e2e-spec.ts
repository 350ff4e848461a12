import { ClearingRepository, createDataSource } from '@parkex/db';
import { replayClearing } from '@parkex/market';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { firstBrokenJournal } from '@parkex/test-support/ledger-check';
import {
  closeGate,
  createParticipants,
  createProduct,
  nextDeliveryStart,
  placeOrders,
  unitBook,
  tamper,
} from '@parkex/test-support/market-factory';
import { eventually, startAppProcess, type AppProcess } from '../../scripts/support/processes';
import {
  appDatabaseEnv,
  connectTestDatabase,
  testDatabaseUrl,
} from '@parkex/test-support/test-database';

/** Real matcher processes (`apps/matcher/src/main.ts`) against the run's PostgreSQL. */
describe('matcher processes', () => {
  let db: Client;
  let dataSource: DataSource;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    db = await connectTestDatabase();
    dataSource = await createDataSource(testDatabaseUrl(), { poolSize: 2 }).initialize();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await dataSource.destroy();
    await db.end();
  });

  function matcher(products: string[], env: Record<string, string> = {}): AppProcess {
    const started = startAppProcess('matcher', {
      ...appDatabaseEnv(),
      MATCHER_POLL_MS: '50',
      MATCHER_PRODUCTS: products.join(','),
      ...env,
    });
    processes.push(started);
    return started;
  }

  async function resultOf(product: string, start: Date) {
    const { rows } = await db.query(
      `SELECT status, price::text, volume_wh::text, input_hash, result_hash, matcher_id
       FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    return rows[0] as
      | {
          status: string;
          price: string;
          input_hash: string;
          result_hash: string;
          matcher_id: string;
        }
      | undefined;
  }

  async function counts(product: string) {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM clearing_result WHERE product_code = $1)::int AS results,
              (SELECT count(*) FROM fill WHERE product_code = $1)::int AS fills,
              (SELECT count(*) FROM journal WHERE product_code = $1)::int AS journals,
              (SELECT count(*) FROM market_order o WHERE o.product_code = $1
                 AND NOT EXISTS (SELECT 1 FROM order_result r WHERE r.order_id = o.id))::int AS open`,
      [product],
    );
    return rows[0] as { results: number; fills: number; journals: number; open: number };
  }

  /** What an auditor recomputes from the stored book and terms. */
  async function recomputedHashes(product: string, start: Date) {
    const stored = await new ClearingRepository(dataSource).loadClearedBook(product, start);
    const replay = replayClearing(stored!.book, stored!.terms);
    return { input_hash: replay.inputHash, result_hash: replay.resultHash };
  }

  it('two matchers started together clear every interval exactly once', async () => {
    const product = await createProduct(db);
    const [buyer, seller] = await createParticipants(db, 2);
    const starts = Array.from({ length: 12 }, () => nextDeliveryStart());
    for (const start of starts)
      await placeOrders(db, product, start, unitBook(buyer, seller, [9, 8, 7], [6, 7, 8]));
    for (const start of starts) await closeGate(db, product, start);

    const a = matcher([product], { MATCHER_ID: 'matcher-a' });
    const b = matcher([product], { MATCHER_ID: 'matcher-b' });
    await eventually(async () => ((await counts(product)).results === 12 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300)); // both keep polling: nothing more may appear
    expect(await counts(product)).toEqual({ results: 12, fills: 24, journals: 12, open: 0 });
    const byMatcher = await db.query(
      `SELECT DISTINCT matcher_id FROM clearing_result WHERE product_code = $1`,
      [product],
    );
    expect(byMatcher.rows.every((r) => ['matcher-a', 'matcher-b'].includes(r.matcher_id))).toBe(
      true,
    );
    expect(a.output()).not.toMatch(/ERROR/);
    expect(b.output()).not.toMatch(/ERROR/);
    expect(await firstBrokenJournal(db)).toBeNull();
  });

  it.each(['after-load', 'after-clear', 'after-write'])(
    'a matcher killed with SIGKILL %s leaves nothing behind, and the next run gives the same hashes',
    async (step) => {
      const product = await createProduct(db, { networkFee: '0.01' });
      const [buyer, seller] = await createParticipants(db, 2);
      const start = nextDeliveryStart();
      await placeOrders(
        db,
        product,
        start,
        unitBook(buyer, seller, [100, 90, 80, 70, 60], [80, 85, 95, 100, 110]),
      );
      await closeGate(db, product, start);

      const doomed = matcher([product], { MATCHER_FAILPOINT: `${step}:exit` });
      const code = await doomed.exited();
      if (code !== null) {
        throw new Error(
          `the matcher exited with ${code} before its failpoint:\n${doomed.output()}`,
        );
      }
      expect(code).toBeNull(); // killed by SIGKILL, no exit code
      expect(doomed.child.signalCode).toBe('SIGKILL');
      expect(await counts(product)).toEqual({ results: 0, fills: 0, journals: 0, open: 10 });
      const state = await db.query(`SELECT state FROM product_interval WHERE product_code = $1`, [
        product,
      ]);
      expect(state.rows[0].state).toBe('OPEN');

      matcher([product]);
      const result = await eventually(() => resultOf(product, start));
      expect(result).toMatchObject({ status: 'CLEARED', price: '87.5', volume_wh: '2000' });
      expect(await counts(product)).toEqual({ results: 1, fills: 2, journals: 1, open: 0 });
      expect({ input_hash: result.input_hash, result_hash: result.result_hash }).toEqual(
        await recomputedHashes(product, start),
      );
      expect(await firstBrokenJournal(db)).toBeNull();
    },
  );

  it('a stalled matcher loses its claim and cannot commit stale results', async () => {
    const product = await createProduct(db);
    const [buyer, seller] = await createParticipants(db, 2);
    const start = nextDeliveryStart();
    await placeOrders(db, product, start, unitBook(buyer, seller, [5, 4], [3, 4]));
    await closeGate(db, product, start);

    const stalled = matcher([product], {
      MATCHER_ID: 'stalled',
      MATCHER_FAILPOINT: 'after-write:stall-3000',
      MATCHER_CLAIM_TIMEOUT_MS: '500',
      LOG_LEVEL: 'debug', // a commit would print its line
    });
    // it holds the claim with everything written but not committed…
    await eventually(async () => {
      const { rows } = await db.query(
        `SELECT 1 FROM pg_stat_activity WHERE application_name = 'stalled' AND state = 'idle in transaction'`,
      );
      return rows.length ? true : undefined;
    });
    // …until the server drops its idle transaction; then another matcher clears the interval
    matcher([product], { MATCHER_ID: 'rescuer' });
    const result = await eventually(() => resultOf(product, start));
    expect(result.matcher_id).toBe('rescuer');
    expect(await counts(product)).toEqual({ results: 1, fills: 2, journals: 1, open: 0 });
    // when it wakes up, its commit fails: its session is gone
    await stalled.waitFor(/attempt 1 to clear \S+ \S+ failed/, 10_000);
    expect(stalled.output()).not.toMatch(/committed/);
    expect(await counts(product)).toEqual({ results: 1, fills: 2, journals: 1, open: 0 });
  });

  it('clears an interval whose gate closed while no matcher was running', async () => {
    const product = await createProduct(db);
    const [buyer, seller] = await createParticipants(db, 2);
    const start = nextDeliveryStart();
    await placeOrders(db, product, start, unitBook(buyer, seller, [7, 4, 3], [1, 1, 5]));
    await tamper(
      db,
      `UPDATE product_interval SET gate_closure_at = now() - interval '2 hours' WHERE product_code = $1`,
      [product],
    );
    expect(await resultOf(product, start)).toBeUndefined();
    matcher([product]);
    expect(await eventually(() => resultOf(product, start))).toMatchObject({
      status: 'CLEARED',
      price: '3.5',
    });
  });
});
