import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  closeGate,
  createParticipants,
  createProduct,
  nextDeliveryStart,
  placeOrders,
  unitBook,
} from '@parkex/test-support/market-factory';
import { connectTestDatabase, testDatabaseUrl } from '@parkex/test-support/test-database';
import { createDataSource } from '../data-source';
import { ClearingRepository, type ClaimOptions, type ClearingSession } from './clearing.repository';
import { ClearingOutcomeRepository } from './clearing-outcome.repository';
import { LEDGER_LOCK_WAIT_MS, settleOneFill } from './clearing.spec-support';

/**
 * ClearingRepository against the real schema, as the runtime role: which intervals a claim
 * takes, that two claimers never share one, the interval's state machine, and that an
 * interval is settled once. Each case makes its own products, so `products` keeps the claims of
 * parallel spec files apart.
 */
describe('ClearingRepository (medium)', () => {
  let dataSource: DataSource;
  let clearing: ClearingRepository;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await createDataSource(testDatabaseUrl(), {
      poolSize: 6,
      name: 'parkex-clearing-medium',
    }).initialize();
    clearing = new ClearingRepository(dataSource);
    admin = await connectTestDatabase();
  });
  afterAll(async () => {
    await admin?.end();
    await dataSource?.destroy();
  });

  function options(products: string[], overrides: Partial<ClaimOptions> = {}): ClaimOptions {
    return {
      matcherId: 'medium-spec',
      claimTimeoutMs: 30_000,
      statementTimeoutMs: 30_000,
      lockTimeoutMs: LEDGER_LOCK_WAIT_MS,
      maxAttempts: 3,
      retryBackoffMs: 0,
      products,
      ...overrides,
    };
  }

  /** A crossing unit book (buyer at 7, seller at 1) for a new interval; its gate closed. */
  async function dueInterval(product: string): Promise<{ start: Date; orderIds: string[] }> {
    const [buyer, seller] = await createParticipants(admin, 2);
    const start = nextDeliveryStart();
    const orderIds = await placeOrders(admin, product, start, unitBook(buyer, seller, [7], [1]));
    await closeGate(admin, product, start);
    return { start, orderIds };
  }

  async function stateOf(product: string, start: Date): Promise<string> {
    const { rows } = await admin.query<{ state: string }>(
      `SELECT state FROM product_interval WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    return rows[0].state;
  }

  async function count(table: string, product: string, start: Date): Promise<number> {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    return rows[0].n;
  }

  async function settle(session: ClearingSession): Promise<void> {
    await settleOneFill(session);
  }

  /** Clears the product's due interval with `settle`: the test stops here unless it cleared. */
  async function clearDue(product: string): Promise<void> {
    const outcome = await clearing.clearNextDue(options([product]), (session) => settle(session));
    expect(outcome).toEqual({ kind: 'cleared', value: undefined });
  }

  it('claims nothing while the gate is open, and only the products it is given', async () => {
    const product = await createProduct(admin);
    const other = await createProduct(admin);
    const [buyer, seller] = await createParticipants(admin, 2);
    const start = nextDeliveryStart();
    await placeOrders(admin, product, start, unitBook(buyer, seller, [7], [1]));

    expect(await clearing.clearNextDue(options([product]), async () => 'work')).toBeNull();
    await closeGate(admin, product, start);
    expect(await clearing.clearNextDue(options([other]), async () => 'work')).toBeNull();
    const outcome = await clearing.clearNextDue(options([product]), async (session) => ({
      interval: session.interval,
      book: await session.loadBook(),
    }));

    expect(outcome?.kind).toBe('cleared');
    const { interval, book } = (
      outcome as { value: { interval: unknown; book: { side: string[] } } }
    ).value;
    expect(interval).toMatchObject({ productCode: product, deliveryStart: start, run: 0 });
    expect(book.side).toEqual(['BUY', 'SELL']);
  });

  it('claims the due interval with the earliest gate first', async () => {
    const product = await createProduct(admin);
    const first = await dueInterval(product);
    const second = await dueInterval(product);

    const claimed = await clearing.clearNextDue(options([product]), async (session) => {
      await settle(session);
      return session.interval.deliveryStart;
    });

    // closeGate sets each gate to now(): the first interval's gate closed first; a claim whose
    // work writes nothing leaves its interval due, so the first one is settled here
    expect(claimed).toEqual({ kind: 'cleared', value: first.start });
    const next = await clearing.clearNextDue(
      options([product]),
      async (session) => session.interval.deliveryStart,
    );
    expect(next).toEqual({ kind: 'cleared', value: second.start });
  });

  it('never gives one interval to two claimers at once', async () => {
    const product = await createProduct(admin);
    const { start } = await dueInterval(product);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimedByFirst!: () => void;
    const claimed = new Promise<void>((resolve) => (claimedByFirst = resolve));

    const first = clearing.clearNextDue(options([product]), async (session) => {
      claimedByFirst();
      await held;
      return session.interval.deliveryStart;
    });
    await claimed;
    const second = await new ClearingRepository(dataSource).clearNextDue(
      options([product]),
      async () => 'second',
    );
    release();

    // the second claimer skips the locked row (SKIP LOCKED) and finds nothing else due
    expect(second).toBeNull();
    expect(await first).toEqual({ kind: 'cleared', value: start });
  });

  it('settles an interval exactly once, however many claimers race for it', async () => {
    const product = await createProduct(admin);
    const { start } = await dueInterval(product);
    const claimers = [0, 1, 2].map(() => new ClearingRepository(dataSource));

    const outcomes = await Promise.all(
      claimers.map((c) => c.clearNextDue(options([product]), (session) => settle(session))),
    );

    expect(outcomes.filter((o) => o?.kind === 'cleared')).toHaveLength(1);
    expect(outcomes.filter((o) => o === null)).toHaveLength(2);
    expect(await stateOf(product, start)).toBe('CLEARED');
    expect(await count('clearing_result', product, start)).toBe(1);
    expect(await count('fill', product, start)).toBe(1);
    expect(await count('journal', product, start)).toBe(1);
    // CLEARED is final: nothing is due any more, and the database refuses a second result
    expect(await clearing.clearNextDue(options([product]), async () => 'again')).toBeNull();
    await expect(
      admin.query(
        `INSERT INTO clearing_result (product_code, delivery_start, status, price, volume_wh,
           amount_minor, fee_minor, mechanism, k, price_tick, min_price, max_price, network_fee,
           bid_count, offer_count, fill_count, input_hash, result_hash, demand_curve,
           supply_curve, matcher_version, matcher_id, timings)
         SELECT product_code, delivery_start, status, price, volume_wh, amount_minor, fee_minor,
           mechanism, k, price_tick, min_price, max_price, network_fee, bid_count, offer_count,
           fill_count, input_hash, result_hash, demand_curve, supply_curve, matcher_version,
           matcher_id, timings
         FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`,
        [product, start],
      ),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('rolls a failed attempt back and records it; the last attempt writes the FAILED result', async () => {
    const product = await createProduct(admin);
    const { start } = await dueInterval(product);
    const claim = options([product], { maxAttempts: 2 });
    const boom = async (session: ClearingSession) => {
      await settle(session);
      throw new Error('boom');
    };

    const first = await clearing.clearNextDue(claim, boom);
    const second = await clearing.clearNextDue(claim, boom);
    const last = await clearing.clearNextDue(claim, async () => 'never runs');

    expect(first).toMatchObject({ kind: 'attempt-failed', attempt: 1 });
    expect(second).toMatchObject({ kind: 'attempt-failed', attempt: 2 });
    expect(last).toMatchObject({
      kind: 'failed',
      attempts: 2,
      reason: '2 attempts failed; the last: Error: boom',
    });
    expect(await stateOf(product, start)).toBe('FAILED');
    // the settlements of the failed attempts were rolled back
    expect(await count('clearing_result', product, start)).toBe(0);
    expect(await count('journal', product, start)).toBe(0);
    expect(await count('clearing_failure', product, start)).toBe(1);
    const { rows } = await admin.query<{ event: string; run: number }>(
      `SELECT event, run FROM clearing_attempt
       WHERE product_code = $1 AND delivery_start = $2 ORDER BY id`,
      [product, start],
    );
    expect(rows).toEqual([
      { event: 'STARTED', run: 0 },
      { event: 'FAILED', run: 0 },
      { event: 'STARTED', run: 0 },
      { event: 'FAILED', run: 0 },
    ]);
    expect(await clearing.clearNextDue(claim, async () => 'again')).toBeNull();
  });

  it('moves FAILED → RETRYING on the operator’s re-run, and RETRYING → CLEARED on its clearing', async () => {
    const product = await createProduct(admin);
    const { start } = await dueInterval(product);
    const claim = options([product], { maxAttempts: 1 });
    await clearing.clearNextDue(claim, async () => {
      throw new Error('first run fails');
    });
    expect((await clearing.clearNextDue(claim, async () => 'never runs'))?.kind).toBe('failed');
    const outcomes = new ClearingOutcomeRepository(dataSource);

    expect(await outcomes.retry(product, start)).toEqual({ kind: 'retrying' });
    expect(await outcomes.retry(product, start)).toEqual({
      kind: 'not-failed',
      state: 'RETRYING',
    });
    expect(await stateOf(product, start)).toBe('RETRYING');
    const rerun = await clearing.clearNextDue(claim, async (session) => {
      await settle(session);
      return session.interval.run;
    });

    expect(rerun).toEqual({ kind: 'cleared', value: 1 });
    expect(await stateOf(product, start)).toBe('CLEARED');
    expect(await outcomes.retry(product, start)).toEqual({ kind: 'not-failed', state: 'CLEARED' });
  });

  it('refuses every other state change of an interval (PX010)', async () => {
    const product = await createProduct(admin);
    const { start } = await dueInterval(product);
    const move = (state: string) =>
      admin.query(
        `UPDATE product_interval SET state = $3 WHERE product_code = $1 AND delivery_start = $2`,
        [product, start, state],
      );

    await expect(move('RETRYING')).rejects.toMatchObject({ code: 'PX010' });
    await clearDue(product);
    await expect(move('OPEN')).rejects.toMatchObject({ code: 'PX010' });
    await expect(move('FAILED')).rejects.toMatchObject({ code: 'PX010' });
    expect(await stateOf(product, start)).toBe('CLEARED');
  });

  it('reads a cleared interval’s book back as it was cleared', async () => {
    const product = await createProduct(admin);
    const { start, orderIds } = await dueInterval(product);
    expect(await clearing.loadClearedBook(product, start)).toBeNull();
    await clearDue(product);

    const stored = await clearing.loadClearedBook(product, start);

    expect(stored?.book.id).toEqual(orderIds);
    expect(stored?.book.side).toEqual(['BUY', 'SELL']);
    expect(stored).toMatchObject({ inputHash: 'i'.repeat(64), resultHash: 'r'.repeat(64) });
  });
});
