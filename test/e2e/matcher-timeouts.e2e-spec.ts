import type { Client } from 'pg';
import {
  closeGate,
  createParticipants,
  createProduct,
  nextDeliveryStart,
  placeOrders,
  unitBook,
} from '@parkex/test-support/market-factory';
import { eventually, startAppProcess, type AppProcess } from '../../scripts/support/processes';
import { appDatabaseEnv, connectTestDatabase } from '@parkex/test-support/test-database';

const LOCK_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 3_000;
const BACKOFF_MS = 200;

/**
 * A matcher frozen (SIGSTOP) in the middle of its ledger COPY keeps its connection open and
 * holds the ledger lock; the server cannot end that COPY by itself (it waits for the client).
 * Another matcher's wait for the lock is bounded by lock_timeout; the stuck holder is ended once
 * its statement is older than the statement timeout; the other matcher then clears its own
 * interval and the frozen one's.
 */
describe('a matcher stopped while holding the ledger lock', () => {
  let db: Client;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    db = await connectTestDatabase();
  });
  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
    await Promise.all(processes.map((p) => p.exited()));
    await db.end();
  });

  function matcher(env: Record<string, string>): AppProcess {
    const started = startAppProcess('matcher', {
      ...appDatabaseEnv(),
      MATCHER_POLL_MS: '50',
      DB_POOL_SIZE: '2',
      ...env,
    });
    processes.push(started);
    return started;
  }

  async function crossingBook(product: string): Promise<Date> {
    const [buyer, seller] = await createParticipants(db, 2);
    const start = nextDeliveryStart();
    await placeOrders(db, product, start, unitBook(buyer, seller, [7, 4], [1, 2]));
    await closeGate(db, product, start);
    return start;
  }

  async function resultOf(product: string, start: Date) {
    const { rows } = await db.query<{ status: string; matcher_id: string; fills: number }>(
      `SELECT r.status, r.matcher_id,
              (SELECT count(*) FROM fill f WHERE f.product_code = r.product_code
                 AND f.delivery_start = r.delivery_start)::int AS fills
       FROM clearing_result r WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    return rows[0];
  }

  it('blocks another matcher for a bounded time only; its interval is cleared too', async () => {
    const frozenProduct = await createProduct(db);
    const otherProduct = await createProduct(db);
    const frozenStart = await crossingBook(frozenProduct);

    const frozen = matcher({
      MATCHER_ID: `frozen-${process.pid}`,
      MATCHER_PRODUCTS: frozenProduct,
      MATCHER_FAILPOINT: 'ledger-copy:sigstop',
    });
    try {
      await frozen.waitFor(/failpoint ledger-copy: SIGSTOP/, 30_000);
      // The frozen matcher's session: in its COPY, the server waiting for the client to send.
      const stuck = await eventually(async () => {
        const { rows } = await db.query<{ pid: number; wait_event: string; query: string }>(
          `SELECT pid, wait_event, query FROM pg_stat_activity
           WHERE application_name = $1 AND state = 'active'`,
          [`frozen-${process.pid}`],
        );
        return rows[0]?.wait_event === 'ClientRead' ? rows[0] : undefined;
      });
      expect(stuck.query).toMatch(/^COPY ledger_entry/);

      const otherStart = await crossingBook(otherProduct);
      const began = Date.now();
      matcher({
        MATCHER_ID: `rescuer-${process.pid}`,
        MATCHER_PRODUCTS: `${frozenProduct},${otherProduct}`,
        MATCHER_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
        MATCHER_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        MATCHER_RETRY_BACKOFF_MS: String(BACKOFF_MS),
        MATCHER_MAX_ATTEMPTS: '5',
      });
      // Bound: the stuck COPY is ended once older than the statement timeout, noticed when a
      // lock wait times out; then a backoff. Generous here: the rescuer's start-up is inside it.
      const bound = 20_000 + STATEMENT_TIMEOUT_MS + 2 * LOCK_TIMEOUT_MS + 2 * BACKOFF_MS;
      const other = await eventually(() => resultOf(otherProduct, otherStart), bound, 50);
      const elapsedMs = Date.now() - began;
      expect(other).toEqual({ status: 'CLEARED', matcher_id: `rescuer-${process.pid}`, fills: 2 });
      process.stderr.write(`rescuer cleared the other interval ${elapsedMs} ms after its start\n`);

      // Its first attempt gave up waiting for the ledger lock and was recorded.
      const attempts = await db.query<{ event: string; error: string | null }>(
        `SELECT event, error FROM clearing_attempt
         WHERE product_code = $1 AND delivery_start = $2 ORDER BY id`,
        [otherProduct, otherStart],
      );
      expect(attempts.rows[1]).toEqual({
        event: 'FAILED',
        error: expect.stringMatching(
          new RegExp(`^Error: the ledger lock was not free within ${LOCK_TIMEOUT_MS} ms`),
        ),
      });
      expect(attempts.rows.at(-1)?.event).toBe('STARTED');

      // The frozen session is gone, and its interval was cleared by the rescuer.
      const frozenResult = await eventually(() => resultOf(frozenProduct, frozenStart), 20_000);
      expect(frozenResult).toEqual({
        status: 'CLEARED',
        matcher_id: `rescuer-${process.pid}`,
        fills: 2,
      });
      const alive = await db.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [stuck.pid]);
      expect(alive.rowCount).toBe(0);
      const frozenAttempts = await db.query<{ matcher_id: string; event: string }>(
        `SELECT matcher_id, event FROM clearing_attempt
         WHERE product_code = $1 AND delivery_start = $2 ORDER BY id`,
        [frozenProduct, frozenStart],
      );
      expect(frozenAttempts.rows).toEqual([
        { matcher_id: `frozen-${process.pid}`, event: 'STARTED' },
        { matcher_id: `rescuer-${process.pid}`, event: 'STARTED' },
      ]);
    } finally {
      frozen.child.kill('SIGKILL');
    }
  }, 90_000);

  it('frozen between statements, it loses its session to the server (idle in transaction)', async () => {
    const frozenProduct = await createProduct(db);
    const otherProduct = await createProduct(db);
    const frozenStart = await crossingBook(frozenProduct);
    const frozen = matcher({
      MATCHER_ID: `idle-${process.pid}`,
      MATCHER_PRODUCTS: frozenProduct,
      MATCHER_FAILPOINT: 'ledger-locked:sigstop',
      MATCHER_CLAIM_TIMEOUT_MS: '2000',
    });
    try {
      await frozen.waitFor(/failpoint ledger-locked: SIGSTOP/, 30_000);
      const otherStart = await crossingBook(otherProduct);
      matcher({
        MATCHER_ID: `idle-rescuer-${process.pid}`,
        MATCHER_PRODUCTS: `${frozenProduct},${otherProduct}`,
        MATCHER_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
        MATCHER_RETRY_BACKOFF_MS: String(BACKOFF_MS),
        MATCHER_MAX_ATTEMPTS: '5',
      });
      const bound = 20_000 + 2_000 + 2 * LOCK_TIMEOUT_MS + 2 * BACKOFF_MS;
      expect(await eventually(() => resultOf(otherProduct, otherStart), bound, 50)).toEqual({
        status: 'CLEARED',
        matcher_id: `idle-rescuer-${process.pid}`,
        fills: 2,
      });
      expect(await eventually(() => resultOf(frozenProduct, frozenStart), 20_000)).toEqual({
        status: 'CLEARED',
        matcher_id: `idle-rescuer-${process.pid}`,
        fills: 2,
      });
      const sessions = await db.query(
        `SELECT 1 FROM pg_stat_activity WHERE application_name = $1`,
        [`idle-${process.pid}`],
      );
      expect(sessions.rowCount).toBe(0);
    } finally {
      frozen.child.kill('SIGKILL');
    }
  }, 90_000);
});
