import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  createParticipants,
  createProduct,
  nextDeliveryStart,
  tamper,
} from '@parkex/test-support/market-factory';
import {
  connectAsRuntimeRole,
  connectTestDatabase,
  testDatabaseUrl,
} from '@parkex/test-support/test-database';
import { createDataSource } from '../data-source';
import { runWithPendingAudit } from './audit-log.repository';
import {
  BookLimitError,
  cancelOpenOrdersInOpenIntervals,
  GateClosedError,
  OffIntervalGridError,
  OrderRepository,
  UnknownIntervalError,
  type IntervalKey,
  type NewOrderRow,
  type SubmissionContext,
  type SubmissionInsert,
  type SubmissionRules,
} from './order.repository';

/**
 * OrderRepository against the real schema, as the runtime role: the locks a submission takes,
 * idempotency by clientOrderId, and every refusal of the order book's triggers as the error (or
 * outcome) the repository turns it into. Each case makes its own product, participants and
 * intervals.
 */
describe('OrderRepository (medium)', () => {
  let dataSource: DataSource;
  let orders: OrderRepository;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await createDataSource(testDatabaseUrl(), {
      poolSize: 4,
      name: 'parkex-order-medium',
    }).initialize();
    orders = new OrderRepository(dataSource);
    admin = await connectTestDatabase();
  });
  afterAll(async () => {
    await admin?.end();
    await dataSource?.destroy();
  });

  /** Rules that accept the given rows as they are and record what the repository showed them. */
  function accept(
    rows: NewOrderRow[],
    hooks: {
      prepare?: (context: SubmissionContext) => Promise<void>;
      check?: (insert: SubmissionInsert) => void;
    } = {},
  ): SubmissionRules & { seen?: SubmissionContext } {
    const rules: SubmissionRules & { seen?: SubmissionContext } = {
      async prepare(context) {
        rules.seen = context;
        await hooks.prepare?.(context);
        return rows;
      },
      check(insert) {
        hooks.check?.(insert);
      },
    };
    return rules;
  }

  function row(product: string, start: Date, terms: Partial<NewOrderRow> = {}): NewOrderRow {
    return {
      clientOrderId: randomUUID(),
      productCode: product,
      deliveryStart: start,
      assetId: null,
      side: 'BUY',
      price: '10',
      quantityWh: '1000',
      ...terms,
    };
  }

  const keyOf = (r: NewOrderRow): IntervalKey => ({
    productCode: r.productCode,
    deliveryStart: r.deliveryStart,
  });

  async function submit(participant: string, rows: NewOrderRow[], rules = accept(rows)) {
    return orders.submit(participant, distinct(rows.map(keyOf)), rules);
  }

  async function openInterval(product: string, start: Date, gateAt: string): Promise<void> {
    await admin.query(
      `INSERT INTO product_interval (product_code, delivery_start, gate_closure_at)
       VALUES ($1, $2, ${gateAt})`,
      [product, start],
    );
  }

  async function statusOf(id: string): Promise<string> {
    const { rows } = await admin.query<{ status: string }>(
      `SELECT status FROM market_order WHERE id = $1`,
      [id],
    );
    return rows[0].status;
  }

  async function ordersOf(participant: string): Promise<number> {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM market_order WHERE participant_id = $1`,
      [participant],
    );
    return rows[0].n;
  }

  it('inserts a batch in batch order, opening its intervals with the gate the product sets', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const [early, late] = [nextDeliveryStart(), nextDeliveryStart()];
    const rows = [
      row(product, late, { side: 'SELL', price: '12.5' }),
      row(product, early),
      row(product, late, { quantityWh: '2500' }),
    ];
    const rules = accept(rows);

    const result = await submit(participant, rows, rules);

    expect(result.inserted.map((o) => o.clientOrderId)).toEqual(rows.map((r) => r.clientOrderId));
    expect(
      result.inserted.map((o) => [o.side, o.price, o.quantityWh, o.status, o.filledWh]),
    ).toEqual([
      ['SELL', '12.5', '1000', 'OPEN', '0'],
      ['BUY', '10', '1000', 'OPEN', '0'],
      ['BUY', '10', '2500', 'OPEN', '0'],
    ]);
    expect(result.existing).toEqual([]);
    // the factory's products close their gate at the delivery start
    expect(rules.seen!.participantFound).toBe(true);
    expect(rules.seen!.products.map((p) => p.code)).toEqual([product]);
    expect(
      rules
        .seen!.gates.map((g) => [g.deliveryStart.toISOString(), g.gateClosureAt.toISOString()])
        .sort(),
    ).toEqual([
      [early.toISOString(), early.toISOString()],
      [late.toISOString(), late.toISOString()],
    ]);
    const stored = await orders.findById(result.inserted[0].id);
    expect(stored).toEqual(result.inserted[0]);
  });

  it('tells the rules when the participant does not exist', async () => {
    const product = await createProduct(admin);
    const rules = accept([]);
    await orders.submit(
      randomUUID(),
      [{ productCode: product, deliveryStart: nextDeliveryStart() }],
      rules,
    );
    expect(rules.seen!.participantFound).toBe(false);
  });

  it('tells the rules whether the API key is still active, and share-locks it while they run', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const [active, revoked] = [randomUUID(), randomUUID()];
    await admin.query(
      `INSERT INTO api_key (participant_id, key_hash, prefix, revoked_at)
       VALUES ($1, $2, 'pkx_a', NULL), ($1, $3, 'pkx_r', now())`,
      [participant, active, revoked],
    );
    const order = row(product, nextDeliveryStart());
    const seen: string[] = [];
    const rules = accept([order], {
      prepare: async () => {
        seen.push(await tryLock(`SELECT 1 FROM api_key WHERE key_hash = $1`, [active]));
      },
    });

    await orders.submit(participant, [keyOf(order)], rules, active);
    expect(rules.seen!.keyActive).toBe(true);
    // 55P03 lock_not_available: a revocation waits for the submission in flight
    expect(seen).toEqual(['55P03']);

    const late = accept([]);
    await orders.submit(participant, [keyOf(order)], late, revoked);
    expect(late.seen!.keyActive).toBe(false);
    const keyless = accept([]);
    await orders.submit(participant, [keyOf(order)], keyless);
    expect(keyless.seen!.keyActive).toBeUndefined();
  });

  it('is idempotent by clientOrderId: a resubmission inserts nothing and shows the stored order', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const first = row(product, nextDeliveryStart());
    const [stored] = (await submit(participant, [first])).inserted;

    const again = await submit(participant, [{ ...first, price: '11' }]);

    expect(again.inserted).toEqual([]);
    expect(again.existing).toEqual([stored]);
    expect(await ordersOf(participant)).toBe(1);
  });

  it("shows the participant's own best OPEN prices as they were before the insert", async () => {
    const product = await createProduct(admin);
    const [participant, other] = await createParticipants(admin, 2);
    const start = nextDeliveryStart();
    const [cancelled] = (
      await submit(participant, [
        row(product, start, { price: '12' }),
        row(product, start, { price: '9' }),
        row(product, start, { side: 'SELL', price: '20' }),
        row(product, start, { side: 'SELL', price: '18.5' }),
      ])
    ).inserted;
    expect((await orders.cancel(participant, cancelled.id)).kind).toBe('CANCELLED');
    // Another participant's better prices are not this participant's.
    await submit(other, [
      row(product, start, { price: '15' }),
      row(product, start, { side: 'SELL', price: '16' }),
    ]);

    const result = await submit(participant, [
      row(product, start, { price: '11' }),
      row(product, start, { side: 'SELL', price: '17' }),
    ]);

    // The batch's own 11 and 17 are not in it: read from the snapshot before the insert.
    expect(result.before).toEqual([
      { productCode: product, deliveryStart: start, bestBuy: '9', bestSell: '18.5' },
    ]);
  });

  it("reads a participant's best prices from its own index range, not the interval's whole book", async () => {
    const product = await createProduct(admin);
    const [participant, ...others] = await createParticipants(admin, 3);
    const start = nextDeliveryStart();
    for (const other of others) {
      await submit(
        other,
        Array.from({ length: 400 }, (_, i) =>
          row(product, start, { side: i % 2 ? 'SELL' : 'BUY', price: i % 2 ? '30' : '5' }),
        ),
      );
    }
    await submit(participant, [row(product, start, { price: '7' })]);
    // Tuples each index returned in this transaction so far (the transaction's own counters).
    const indexes = ['market_order_book', 'market_order_participant_open'];
    const reads = async () => {
      const { rows } = await admin.query<{ n: string[] }>(
        `SELECT array_agg(pg_stat_get_xact_tuples_returned(i::regclass)::text ORDER BY o) AS n
         FROM unnest($1::text[]) WITH ORDINALITY AS t(i, o)`,
        [indexes],
      );
      return new Map(indexes.map((index, i) => [index, Number(rows[0].n[i])]));
    };

    await admin.query('BEGIN');
    try {
      const before = await reads();
      const { rows } = await admin.query<{ buy: string | null; sell: string | null }>(
        `SELECT participant_best_open_price($1, $2, $3, 'BUY')::text AS buy,
                participant_best_open_price($1, $2, $3, 'SELL')::text AS sell`,
        [participant, product, start],
      );
      const after = await reads();
      expect(rows).toEqual([{ buy: '7', sell: null }]);
      const read = (index: string) => (after.get(index) ?? 0) - (before.get(index) ?? 0);
      // 800 orders of others in the interval: the book index would return them all.
      expect(read('market_order_book')).toBe(0);
      expect(read('market_order_participant_open')).toBeLessThanOrEqual(1);
    } finally {
      await admin.query('ROLLBACK');
    }
  });

  it('lets exactly one of two concurrent submissions of one clientOrderId insert it', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const order = row(product, nextDeliveryStart());

    const results = await Promise.all([submit(participant, [order]), submit(participant, [order])]);

    expect(results.map((r) => r.inserted.length).sort()).toEqual([0, 1]);
    const winner = results.find((r) => r.inserted.length === 1)!.inserted[0];
    expect(results.find((r) => r.inserted.length === 0)!.existing).toEqual([winner]);
    expect(await ordersOf(participant)).toBe(1);
  });

  describe('group commit', () => {
    /** Rules of a small batch, which may share its transaction with others'. */
    function grouped(rows: NewOrderRow[], hooks: Parameters<typeof accept>[1] = {}) {
      return { ...accept(rows, hooks), orderCount: rows.length };
    }

    function auditFor(participant: string) {
      return {
        record: { actorId: participant, action: 'test:grouped', args: {}, outcome: 'OK' as const },
        written: false,
      };
    }

    /**
     * Two open intervals of the product; the frozen one is held FOR UPDATE, as a matcher freezing
     * it would, until `release`.
     */
    async function freeAndFrozen(product: string) {
      const [free, frozen] = [nextDeliveryStart(), nextDeliveryStart()];
      await openInterval(product, free, `now() + interval '1 hour'`);
      await openInterval(product, frozen, `now() + interval '1 hour'`);
      const blocker = await connectTestDatabase();
      await blocker.query('BEGIN');
      await blocker.query(
        `SELECT 1 FROM product_interval WHERE product_code = $1 AND delivery_start = $2 FOR UPDATE`,
        [product, frozen],
      );
      const release = async () => {
        await blocker.query('ROLLBACK');
        await blocker.end();
      };
      return { free, frozen, release };
    }

    async function transactionsOf(participants: string[]): Promise<number> {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(DISTINCT xmin::text)::int AS n FROM market_order WHERE participant_id = ANY($1)`,
        [participants],
      );
      return rows[0].n;
    }

    it('commits concurrent small batches of different participants together, each with its audit row', async () => {
      const product = await createProduct(admin);
      const participants = await createParticipants(admin, 12);
      const start = nextDeliveryStart();
      const audits = participants.map(auditFor);

      const results = await Promise.all(
        participants.map((participant, i) => {
          const rows = [row(product, start), row(product, start, { side: 'SELL', price: '20' })];
          return runWithPendingAudit(audits[i], () =>
            orders.submit(participant, [keyOf(rows[0])], grouped(rows)),
          );
        }),
      );

      expect(results.map((r) => r.inserted.length)).toEqual(participants.map(() => 2));
      results.forEach((r, i) => {
        expect(r.inserted.every((o) => o.participantId === participants[i])).toBe(true);
        expect(r.before).toEqual([
          { productCode: product, deliveryStart: start, bestBuy: null, bestSell: null },
        ]);
      });
      expect(audits.every((a) => a.written)).toBe(true);
      const { rows: logged } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'test:grouped' AND actor_id = ANY($1)`,
        [participants],
      );
      expect(logged[0].n).toBe(participants.length);
      // fewer transactions than batches: those that waited went together
      expect(await transactionsOf(participants)).toBeLessThan(participants.length);
    });

    it("keeps a refused batch's refusal its own: the others of its group commit", async () => {
      const product = await createProduct(admin);
      const participants = await createParticipants(admin, 10);
      const start = nextDeliveryStart();
      const closed = nextDeliveryStart();
      await openInterval(product, closed, `now() - interval '1 minute'`);

      const outcomes = await Promise.allSettled(
        participants.map((participant, i) => {
          const rows = [row(product, i === 7 ? closed : start)];
          const hooks =
            i === 5
              ? {
                  check: () => {
                    throw new Error('self-cross');
                  },
                }
              : {};
          return orders.submit(participant, distinct(rows.map(keyOf)), grouped(rows, hooks));
        }),
      );

      outcomes.forEach((outcome, i) => {
        if (i === 5)
          expect(outcome).toMatchObject({ status: 'rejected', reason: new Error('self-cross') });
        else if (i === 7) {
          expect(outcome.status).toBe('rejected');
          expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(GateClosedError);
        } else expect(outcome).toMatchObject({ status: 'fulfilled' });
      });
      expect(await ordersOf(participants[5])).toBe(0);
      expect(await ordersOf(participants[7])).toBe(0);
      expect(await ordersOf(participants[0])).toBe(1);
    });

    it('does not hold a group behind one batch that waits for a lock: past the lock timeout, each runs alone', async () => {
      const product = await createProduct(admin);
      const participants = await createParticipants(admin, 6);
      const { free, frozen, release } = await freeAndFrozen(product);
      const done: number[] = [];
      // the first starts at once; the others wait and go together, the frozen one among them
      const submissions = participants.map((participant, i) => {
        const rows = [row(product, i === 2 ? frozen : free)];
        return orders
          .submit(participant, [keyOf(rows[0])], grouped(rows))
          .then((result) => (done.push(i), result));
      });
      try {
        await until(async () => done.length === participants.length - 1);
        expect(done).not.toContain(2);
      } finally {
        await release();
      }
      const results = await Promise.all(submissions);
      expect(results.map((r) => r.inserted.length)).toEqual(participants.map(() => 1));
    });

    it('starts a second group while the running one waits for a lock, well before its lock timeout', async () => {
      const product = await createProduct(admin);
      const [held, other] = await createParticipants(admin, 2);
      const { free, frozen, release } = await freeAndFrozen(product);
      // The group transaction of `held`, waiting for the frozen interval: when it began.
      const waitingSince = () => sessions(`wait_event_type = 'Lock'`);
      const heldRow = row(product, frozen);
      const heldDone = orders.submit(held, [keyOf(heldRow)], grouped([heldRow]));
      try {
        await until(async () => (await waitingSince()).length === 1);
        const [began] = await waitingSince();

        const otherRow = row(product, free);
        const result = await orders.submit(other, [keyOf(otherRow)], grouped([otherRow]));

        expect(result.inserted).toHaveLength(1);
        // Still the first attempt of `held`'s group: the other batch did not wait for its lock
        // timeout (after which that batch would run again, in a new transaction).
        expect(await waitingSince()).toEqual([began]);
      } finally {
        await release();
      }
      expect((await heldDone).inserted).toHaveLength(1);
    });

    it("begins the next group's transaction while its batches wait for a place", async () => {
      const product = await createProduct(admin);
      const [first, second, next] = await createParticipants(admin, 3);
      const { free, frozen, release } = await freeAndFrozen(product);
      const backends = async (where: string) => (await sessions(where)).length;
      const frozenRows = [row(product, frozen), row(product, frozen)];
      const waiting = [first, second].map((participant, i) =>
        orders.submit(participant, [keyOf(frozenRows[i])], grouped([frozenRows[i]])),
      );
      let nextDone: Promise<SubmissionInsert> | undefined;
      try {
        // Both groups' places taken by transactions waiting for the frozen interval.
        await until(async () => (await backends(`wait_event_type = 'Lock'`)) === 2);
        const nextRow = row(product, free);
        nextDone = orders.submit(next, [keyOf(nextRow)], grouped([nextRow]));

        // The waiting batch's transaction is begun already: a connection idle in a transaction.
        await until(async () => (await backends(`state = 'idle in transaction'`)) === 1);
        expect(await backends(`wait_event_type = 'Lock'`)).toBe(2);
      } finally {
        await release();
      }
      expect((await nextDone).inserted).toHaveLength(1);
      for (const done of waiting) expect((await done).inserted).toHaveLength(1);
      expect(await backends(`state = 'idle in transaction'`)).toBe(0);
    });

    it('never puts two batches of one participant in one transaction', async () => {
      const product = await createProduct(admin);
      const [participant] = await createParticipants(admin, 1);
      const start = nextDeliveryStart();
      const batches = Array.from({ length: 8 }, () => [row(product, start)]);

      const results = await Promise.all(
        batches.map((rows) => orders.submit(participant, [keyOf(rows[0])], grouped(rows))),
      );

      expect(results.map((r) => r.inserted.length)).toEqual(batches.map(() => 1));
      expect(await transactionsOf([participant])).toBe(batches.length);
    });
  });

  /** When the transactions of this spec's connections matching `where` (pg_stat_activity) began. */
  async function sessions(where: string): Promise<Date[]> {
    const { rows } = await admin.query<{ since: Date }>(
      `SELECT xact_start AS since FROM pg_stat_activity
       WHERE application_name = 'parkex-order-medium' AND ${where}`,
    );
    return rows.map((r) => r.since);
  }

  /** Tries to lock rows at once (NOWAIT) as the administrator: 55P03 when someone holds them. */
  async function tryLock(sql: string, values: unknown[]): Promise<string> {
    await admin.query('BEGIN');
    try {
      await admin.query(`${sql} FOR UPDATE NOWAIT`, values);
      return 'free';
    } catch (error) {
      return (error as { code: string }).code;
    } finally {
      await admin.query('ROLLBACK');
    }
  }

  it('share-locks the participant while the rules run, and not the interval before the insert', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const order = row(product, nextDeliveryStart());
    await openInterval(product, order.deliveryStart, `now() + interval '1 hour'`);
    const seen: string[] = [];

    await submit(
      participant,
      [order],
      accept([order], {
        prepare: async () => {
          seen.push(await tryLock(`SELECT 1 FROM participant WHERE id = $1`, [participant]));
          seen.push(
            await tryLock(
              `SELECT 1 FROM product_interval WHERE product_code = $1 AND delivery_start = $2`,
              [product, order.deliveryStart],
            ),
          );
        },
      }),
    );

    // 55P03 lock_not_available: a suspension waits for the submission in flight
    expect(seen).toEqual(['55P03', 'free']);
  });

  it('holds the interval share-locked from the insert until COMMIT', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const order = row(product, nextDeliveryStart());
    const interval = `SELECT 1 FROM product_interval WHERE product_code = $1 AND delivery_start = $2`;
    await openInterval(product, order.deliveryStart, `now() + interval '1 hour'`);
    const taken = row(product, order.deliveryStart);
    await submit(participant, [taken]);
    // Stop the submission after the insert: reading the order it skipped (its clientOrderId is
    // taken) waits for order_result.
    const blocker = await connectTestDatabase();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE order_result IN ACCESS EXCLUSIVE MODE');
    const pending = {
      record: { actorId: null, action: 'test:submit', args: {}, outcome: 'OK' as const },
      written: false,
    };
    const submitted = runWithPendingAudit(pending, () => submit(participant, [order, taken]));
    try {
      await until(
        async () =>
          (await sessions(`wait_event_type = 'Lock' AND query LIKE '%order_result%'`)).length > 0,
      );
      expect(await tryLock(interval, [product, order.deliveryStart])).toBe('55P03');
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect((await submitted).inserted).toHaveLength(1);
    expect(pending.written).toBe(true);
    expect(await tryLock(interval, [product, order.deliveryStart])).toBe('free');
  });

  it('maps a closed gate (PX001) to GateClosedError naming the closed intervals', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const [closed, open] = [nextDeliveryStart(), nextDeliveryStart()];
    await openInterval(product, closed, `now() - interval '1 minute'`);
    const rows = [row(product, open), row(product, closed)];

    const error = await submit(participant, rows).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GateClosedError);
    expect((error as GateClosedError).intervals).toEqual([
      { productCode: product, deliveryStart: closed },
    ]);
    expect(await ordersOf(participant)).toBe(0);
  });

  it('maps a price off the grid the interval opened with (PX003) to OffIntervalGridError', async () => {
    const product = await createProduct(admin, { priceTick: '0.5' });
    const [participant] = await createParticipants(admin, 1);
    const start = nextDeliveryStart();
    await submit(participant, [row(product, start, { price: '1' })]);
    // the product changes; the open interval keeps its terms (tick 0.5)
    await admin.query(`UPDATE product SET price_tick = 0.25 WHERE code = $1`, [product]);

    const error = await submit(participant, [row(product, start, { price: '1.25' })]).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(OffIntervalGridError);
    expect((error as Error).message).toMatch(/not on the grid/);
    expect(await ordersOf(participant)).toBe(1);
  });

  it('maps an order for an interval that does not exist to UnknownIntervalError', async () => {
    const [participant] = await createParticipants(admin, 1);
    const rows = [row(`NOPE${Date.now()}`, nextDeliveryStart())];

    const error = await submit(participant, rows).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnknownIntervalError);
    expect(await ordersOf(participant)).toBe(0);
  });

  it('maps the interval volume bound (PX004) to BookLimitError INTERVAL_VOLUME_LIMIT', async () => {
    const product = await createProduct(admin, { minPrice: '-1', maxPrice: '1' });
    const [participant] = await createParticipants(admin, 1);
    const start = nextDeliveryStart();

    const error = await submit(participant, [
      row(product, start, { side: 'SELL', price: '1', quantityWh: '1000000000000001' }),
    ]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BookLimitError);
    expect((error as BookLimitError).breach).toEqual({
      reason: 'INTERVAL_VOLUME_LIMIT',
      productCode: product,
      deliveryStart: start,
      side: 'SELL',
      totalWh: '1000000000000001',
      limitWh: '1000000000000000',
    });
  });

  it('maps the interval money bound at the price cap (PX004) to INTERVAL_MONEY_LIMIT, PRICE', async () => {
    const product = await createProduct(admin, { minPrice: '-100', maxPrice: '1000' });
    const [participant] = await createParticipants(admin, 1);
    const start = nextDeliveryStart();

    const error = await submit(participant, [
      row(product, start, { quantityWh: '20000000000000' }),
    ]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BookLimitError);
    expect((error as BookLimitError).breach).toMatchObject({
      reason: 'INTERVAL_MONEY_LIMIT',
      basis: 'PRICE',
      side: 'BUY',
      deliveryStart: start,
      totalWh: '20000000000000',
      totalMinor: '2000000000000000',
      limitMinor: '1000000000000000',
    });
    expect(Number((error as BookLimitError).breach.rate)).toBe(1000);
  });

  it('maps the interval money bound at the network fee (PX004) to INTERVAL_MONEY_LIMIT, NETWORK_FEE', async () => {
    const product = await createProduct(admin, {
      minPrice: '-1',
      maxPrice: '1',
      networkFee: '100',
    });
    const [participant] = await createParticipants(admin, 1);
    const start = nextDeliveryStart();

    const error = await submit(participant, [
      row(product, start, { price: '1', quantityWh: '200000000000000' }),
    ]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BookLimitError);
    expect((error as BookLimitError).breach).toMatchObject({
      reason: 'INTERVAL_MONEY_LIMIT',
      basis: 'NETWORK_FEE',
      totalMinor: '2000000000000000',
    });
    expect(Number((error as BookLimitError).breach.rate)).toBe(100);
  });

  it('maps the participant quantity bound (PX004) to PARTICIPANT_QUANTITY_LIMIT', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const start = nextDeliveryStart();
    await admin.query(`UPDATE product SET max_participant_quantity_wh = 5000 WHERE code = $1`, [
      product,
    ]);
    await submit(participant, [row(product, start, { quantityWh: '3000' })]);

    const error = await submit(participant, [row(product, start, { quantityWh: '2001' })]).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(BookLimitError);
    expect((error as BookLimitError).breach).toEqual({
      reason: 'PARTICIPANT_QUANTITY_LIMIT',
      productCode: product,
      deliveryStart: start,
      side: 'BUY',
      participantId: participant,
      totalWh: '5001',
      limitWh: '5000',
    });
    expect(await ordersOf(participant)).toBe(1);
  });

  it('cancels an OPEN order once; another participant’s order is NOT_FOUND', async () => {
    const product = await createProduct(admin);
    const [participant, stranger] = await createParticipants(admin, 2);
    const [order] = (await submit(participant, [row(product, nextDeliveryStart())])).inserted;

    expect(await orders.cancel(stranger, order.id)).toEqual({ kind: 'NOT_FOUND' });
    const cancelled = await orders.cancel(participant, order.id);
    expect(cancelled).toEqual({ kind: 'CANCELLED', order: { ...order, status: 'CANCELLED' } });
    expect(await orders.cancel(participant, order.id)).toEqual({
      kind: 'NOT_OPEN',
      order: { ...order, status: 'CANCELLED' },
    });
  });

  it('answers GATE_CLOSED to a cancellation after the gate and leaves the order OPEN', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const start = nextDeliveryStart();
    const [order] = (await submit(participant, [row(product, start)])).inserted;
    await tamper(
      admin,
      `UPDATE product_interval SET gate_closure_at = now() - interval '1 second'
       WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );

    expect(await orders.cancel(participant, order.id)).toEqual({ kind: 'GATE_CLOSED', order });
    expect(await statusOf(order.id)).toBe('OPEN');
    expect(await orders.closedIntervals([{ productCode: product, deliveryStart: start }])).toEqual([
      { productCode: product, deliveryStart: start },
    ]);
  });

  it('keeps orders immutable (PX002): terms never change, a final status never moves', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const [order] = (await submit(participant, [row(product, nextDeliveryStart())])).inserted;
    // as the administrator: the runtime role may not even name these columns in an UPDATE
    await expect(
      admin.query(`UPDATE market_order SET status = 'CANCELLED', price = 11 WHERE id = $1`, [
        order.id,
      ]),
    ).rejects.toMatchObject({ code: 'PX002' });
    expect((await orders.cancel(participant, order.id)).kind).toBe('CANCELLED');
    await expect(
      admin.query(`UPDATE market_order SET status = 'OPEN' WHERE id = $1`, [order.id]),
    ).rejects.toMatchObject({ code: 'PX002' });
    // the repository never asks for what the trigger refuses: a second cancel is NOT_OPEN
    expect((await orders.cancel(participant, order.id)).kind).toBe('NOT_OPEN');
  });

  it('cancels a suspended participant’s OPEN orders only where the gate is still open', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const [open, closing] = [nextDeliveryStart(), nextDeliveryStart()];
    const [inOpen] = (await submit(participant, [row(product, open)])).inserted;
    const [inClosing] = (await submit(participant, [row(product, closing)])).inserted;
    await tamper(
      admin,
      `UPDATE product_interval SET gate_closure_at = now() - interval '1 second'
       WHERE product_code = $1 AND delivery_start = $2`,
      [product, closing],
    );
    const runtime = await connectAsRuntimeRole();
    try {
      await runtime.query('BEGIN');
      const cancelled = await cancelOpenOrdersInOpenIntervals(
        async <T>(text: string, values: unknown[]) =>
          (await runtime.query(text, values)).rows as T[],
        participant,
      );
      await runtime.query('COMMIT');
      expect(cancelled).toBe(1);
    } finally {
      await runtime.end();
    }
    expect(await statusOf(inOpen.id)).toBe('CANCELLED');
    expect(await statusOf(inClosing.id)).toBe('OPEN');
  });

  it('lists a participant’s orders newest first, by keyset', async () => {
    const product = await createProduct(admin);
    const [participant] = await createParticipants(admin, 1);
    const start = nextDeliveryStart();
    const { inserted } = await submit(participant, [row(product, start), row(product, start)]);

    const page = await orders.list({ participantId: participant, limit: 1 });
    const next = await orders.list({ participantId: participant, beforeId: page[0].id, limit: 5 });

    expect([...page, ...next].map((o) => o.id)).toEqual(inserted.map((o) => o.id).reverse());
    expect(
      await orders.list({ participantId: participant, gateClosedOnly: true, limit: 5 }),
    ).toEqual([]);
  });
});

/** Polls `probe` (every 20 ms, for up to 10 s) until it is true. */
async function until(probe: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; !(await probe()); tries++) {
    if (tries > 500) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function distinct(keys: IntervalKey[]): IntervalKey[] {
  const seen = new Map<string, IntervalKey>();
  for (const key of keys) seen.set(`${key.productCode}@${key.deliveryStart.getTime()}`, key);
  return [...seen.values()];
}
