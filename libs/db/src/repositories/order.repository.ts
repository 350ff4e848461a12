import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import type { ProductEntity } from '../entities/product.entity';
import { openTransaction, pgPool, transaction, type OpenTransaction } from '../pg-pool';
import {
  appendPendingAudit,
  auditColumns,
  currentPendingAudit,
  type PendingAudit,
} from './audit-log.repository';
import {
  CANCEL_LOCK_INTERVAL,
  CANCEL_LOOK,
  CANCEL_OPEN_ORDERS_IN,
  CANCEL_ORDER,
  CLOSED_INTERVALS,
  FIND_BY_CLIENT_ORDER_IDS,
  FIND_BY_ID,
  GATE_CLOSED_CONDITION,
  INSERT_ORDERS,
  listOrders,
  LOCK_AND_OPEN,
  LOCK_OPEN_INTERVALS_WITH_ORDERS_OF,
  type InsertRow,
  type LockAndOpenRow,
  type OrderRow,
  type ProductRow,
} from './order.sql';
import { pgError } from './pg-errors';
import { toAsset, type AssetRow } from './asset.repository';
import { LOCK_ASSETS_FOR_ORDERS, OPEN_ASSET_QUANTITIES, type AssetSqlRow } from './safety.sql';

export type OrderSide = 'BUY' | 'SELL';
export type OrderStatus = 'OPEN' | 'CANCELLED' | 'FILLED' | 'PARTIALLY_FILLED' | 'UNFILLED';

/**
 * A bid (BUY) or offer (SELL) of one participant for one product-interval, as the repository
 * returns it: a `market_order` row with its clearing outcome (`order_result`) merged in. Exact
 * units only: `price` is `numeric` text (currency per kWh), quantities are integer Wh as `int8`
 * text, `id` is `int8` text. Terms never change; the table's `status` moves once, from OPEN to
 * CANCELLED; FILLED, PARTIALLY_FILLED, UNFILLED and `filledWh` come from `order_result`.
 */
export interface MarketOrderRow {
  id: string;
  participantId: string;
  clientOrderId: string;
  productCode: string;
  deliveryStart: Date;
  side: OrderSide;
  price: string;
  quantityWh: string;
  /** From `order_result` ("0" until cleared). */
  filledWh: string;
  /** OPEN or CANCELLED in the table; the clearing outcome from `order_result` once cleared. */
  status: OrderStatus;
  createdAt: Date;
  /** The asset the order comes from, if it names one. */
  assetId: string | null;
}

/** One product-interval: a product and the start of a delivery interval. */
export interface IntervalKey {
  productCode: string;
  deliveryStart: Date;
}

/** An order to insert: exact units only (price as canonical decimal text, quantity in Wh). */
export interface NewOrderRow {
  clientOrderId: string;
  productCode: string;
  deliveryStart: Date;
  side: OrderSide;
  price: string;
  quantityWh: string;
  assetId: string | null;
}

/** A product-interval's gate closure as stored when it opened. */
export interface IntervalGate extends IntervalKey {
  gateClosureAt: Date;
}

/** What a submission learns first, under its locks. */
export interface SubmissionContext {
  /** False when the participant row does not exist. */
  participantFound: boolean;
  suspendedReason: string | null;
  /**
   * Whether the API key the batch came with (`submit`'s `keyHash`) is still active, read under a
   * share lock (a revocation waits for the submission, later ones see it); undefined without a
   * key.
   */
  keyActive?: boolean;
  /** The products the batch names that exist. */
  products: ProductEntity[];
  /** The database's clock (`clock_timestamp()`), the one its gate triggers go by. */
  now: Date;
  /** The stored gates of the batch's product-intervals (those of known products). */
  gates: IntervalGate[];
  /** The participant's orders under these clientOrderIds, read now (for the rare paths). */
  findExisting(clientOrderIds: readonly string[]): Promise<MarketOrderRow[]>;
  /**
   * The named assets with their safety state, share-locked (a safety linkage in progress commits
   * first), and their OPEN quantities in the batch's product-intervals.
   */
  assets(assetIds: readonly string[]): Promise<AssetTrading>;
}

/** What a submission naming assets trades against. */
export interface AssetTrading {
  /** The assets that exist, with their state and rules. */
  assets: AssetRow[];
  /** OPEN Wh per asset, product-interval and side (`assetId/productCode/deliveryStartMs/side`). */
  openWh: Map<string, bigint>;
}

/** The participant's own best OPEN prices in one product-interval of the batch. */
export interface OwnBest extends IntervalKey {
  /** Highest price of its OPEN bids (numeric text), null when none. */
  bestBuy: string | null;
  /** Lowest price of its OPEN offers (numeric text), null when none. */
  bestSell: string | null;
}

/** A submission's insert, with what the database held just before it (under the locks). */
export interface SubmissionInsert {
  /** Rows inserted now, in batch order. */
  inserted: MarketOrderRow[];
  /**
   * The participant's orders that already carried one of the batch's clientOrderIds (their rows
   * were skipped), whether from before this transaction or from a concurrent one.
   */
  existing: MarketOrderRow[];
  /** Per product-interval of the batch, the participant's best OPEN prices before the insert. */
  before: OwnBest[];
}

/**
 * The order rules a submission runs inside its transaction. Each step may throw to refuse the
 * whole batch: the transaction is rolled back and the error rethrown as it is.
 */
export interface SubmissionRules {
  /**
   * Under the participant's share lock and the (participant, interval) locks: check the
   * participant and every order's terms; return the rows to insert (all of the batch's orders:
   * a row whose clientOrderId is taken is skipped by the insert).
   */
  prepare(context: SubmissionContext): Promise<NewOrderRow[]>;
  /** After the insert: check idempotency and self-cross; throw to roll it back. */
  check(insert: SubmissionInsert): void;
  /**
   * How many orders the batch holds. A batch of at most GROUP_MEMBER_MAX_ORDERS may share its
   * transaction with other participants' batches (group commit); without it, it runs alone.
   */
  orderCount?: number;
}

/** A submission on its way to a transaction, alone or in a group. */
interface Submission {
  participantId: string;
  intervals: readonly IntervalKey[];
  rules: SubmissionRules;
  /** The hash of the API key the batch came with. */
  keyHash: string | undefined;
  /** The mutation's audit row, written in the submission's transaction. */
  audit: PendingAudit | undefined;
}

interface WaitingSubmission extends Submission {
  resolve(outcome: SubmissionInsert): void;
  reject(error: unknown): void;
}

/** Batches of at most this many orders may share a transaction (group commit). */
const GROUP_MEMBER_MAX_ORDERS = 100;
/** Bounds of one group: its submissions and their orders. */
const GROUP_MAX_SUBMISSIONS = 64;
const GROUP_MAX_ORDERS = 1000;
/**
 * Group transactions of one process running at once, at most; batches that arrive meanwhile wait
 * and go together into the next group. With none running, a batch starts at once.
 */
const GROUPS_IN_FLIGHT = 2;
/**
 * A second group starts only once the running one has taken this long. Most of the time one group
 * runs, and the batches arriving meanwhile make one larger group: fewer transactions, round trips
 * and COMMITs per order (bench:ingest single: ~20 % less PostgreSQL CPU per order at the same
 * throughput than two groups at once). A slow group (waiting for a lock, a stall) holds the others
 * up at most this long.
 */
const GROUP_PATIENCE_MS = 100;
/**
 * `lock_timeout` of a group transaction. A group waits for a lock only as long as this (a
 * clearing freezing an interval at its gate, a suspension, a large batch of one of its
 * participants): then its batches run alone, each waiting for what it needs as it would have
 * without the group, and the others are not held up behind it.
 */
const GROUP_LOCK_TIMEOUT_MS = 1000;
/**
 * `idle_in_transaction_session_timeout` of a group transaction, its own (not the connection's
 * default): one begun ahead for the next group idles until a running group gives up its place,
 * which takes at most GROUP_LOCK_TIMEOUT_MS plus that group's statements.
 */
const GROUP_IDLE_TIMEOUT_MS = 30_000;
/** How a group transaction begins. */
const GROUP_TRANSACTION = {
  isolation: 'READ COMMITTED',
  lockTimeoutMs: GROUP_LOCK_TIMEOUT_MS,
  idleInTransactionTimeoutMs: GROUP_IDLE_TIMEOUT_MS,
} as const;

/** The database refused a price off the grid its interval opened with (SQLSTATE PX003). */
export class OffIntervalGridError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OffIntervalGridError';
  }
}

export type BookLimitReason =
  'INTERVAL_VOLUME_LIMIT' | 'INTERVAL_MONEY_LIMIT' | 'PARTICIPANT_QUANTITY_LIMIT';

/**
 * The database refused an insert that would take a book past a bound (SQLSTATE PX004, migration
 * BoundOrderBooks): the first interval-side (in key order) over its limit. Integers as text.
 */
export interface BookLimitBreach extends IntervalKey {
  reason: BookLimitReason;
  side: OrderSide;
  /** The side's (or the participant's) total with the statement's orders, Wh. */
  totalWh: string;
  /** Volume limits: the bound in Wh. */
  limitWh?: string;
  /** INTERVAL_MONEY_LIMIT: which value passed the bound, at what rate (currency per kWh). */
  basis?: 'PRICE' | 'NETWORK_FEE';
  rate?: string;
  totalMinor?: string;
  limitMinor?: string;
  participantId?: string;
}

export class BookLimitError extends Error {
  constructor(readonly breach: BookLimitBreach) {
    super(
      `${breach.reason}: ${breach.side} ${breach.productCode} ${breach.deliveryStart.toISOString()}`,
    );
    this.name = 'BookLimitError';
  }
}

/**
 * The database refused orders for a product-interval that does not exist (the gate trigger's
 * check, SQLSTATE 23503 without a constraint): a product the batch names is unknown.
 */
export class UnknownIntervalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownIntervalError';
  }
}

/** The database refused an insert or a cancellation: these product-intervals' gates have closed. */
export class GateClosedError extends Error {
  constructor(readonly intervals: IntervalKey[]) {
    super(
      `the gate has closed for ${intervals.map((i) => `${i.productCode} ${i.deliveryStart.toISOString()}`).join(', ') || 'the interval'}`,
    );
    this.name = 'GateClosedError';
  }
}

export interface OrderListQuery {
  /** Only this participant's orders; all participants' when absent. */
  participantId?: string;
  productCode?: string;
  deliveryStart?: Date;
  status?: OrderStatus;
  side?: OrderSide;
  /** Keyset: only orders with a smaller id (the list runs newest first). */
  beforeId?: string;
  /**
   * Only orders whose interval's gate has closed (by the database's clock, the one the gate
   * triggers go by): an auditor's view of the book.
   */
  gateClosedOnly?: boolean;
  limit: number;
}

export type CancelOutcome =
  | { kind: 'CANCELLED'; order: MarketOrderRow }
  | { kind: 'NOT_FOUND' }
  | { kind: 'NOT_OPEN'; order: MarketOrderRow }
  | { kind: 'GATE_CLOSED'; order: MarketOrderRow };

/** SQLSTATE of the gate triggers (migration CreateOrderBook). */
const GATE_CLOSED_STATE = 'PX001';
/** SQLSTATE of the trigger's price-grid check against the interval's frozen terms. */
const OFF_INTERVAL_GRID_STATE = 'PX003';
/** SQLSTATE of the book bounds (migration BoundOrderBooks); DETAIL is a JSON `BookLimitBreach`. */
const BOOK_LIMIT_STATE = 'PX004';
/** SQLSTATE of the gate trigger's "no product-interval" (a foreign key it replaces). */
const FOREIGN_KEY_VIOLATION_STATE = '23503';
/** Deadlock and serialization failures: the transaction is retried as a whole. */
const RETRYABLE_STATES = new Set(['40P01', '40001']);
/** A group's transaction failed on a lock (lock_not_available) or was retryable. */
const WAITED_STATES = new Set(['55P03', ...RETRYABLE_STATES]);
const MAX_ATTEMPTS = 3;
/**
 * Orders: submission (one transaction, bulk insert, gate closure enforced by the database),
 * cancellation, and keyset-paginated listing. The only place that writes `market_order` rows
 * for clients.
 */
@Injectable()
export class OrderRepository {
  private readonly pool: Pool;
  /** Submissions waiting for a group, in arrival order. */
  private waiting: WaitingSubmission[] = [];
  private groupsInFlight = 0;
  /** When the newest running group started (performance.now()). */
  private lastGroupStartedAt = 0;
  /** Wakes `startGroups` when the running group has used up GROUP_PATIENCE_MS. */
  private patience: NodeJS.Timeout | undefined;
  /**
   * The next group's transaction, begun while batches wait for a running group: the next group
   * starts with its connection checked out and its BEGIN done, one round trip shorter.
   */
  private nextGroup: Promise<OpenTransaction> | undefined;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /**
   * Submits a batch of one participant's orders, all or nothing, in one transaction of two
   * statements (4 round trips with BEGIN and COMMIT, whatever the batch size):
   * 1. share-lock the participant and its API key (`keyHash`, when given), open the batch's
   *    missing product-intervals, lock the (participant, interval) pairs in key order, read the
   *    products → `rules.prepare` checks the key, the participant and the terms and returns the
   *    rows;
   * 2. insert them with one statement from `unnest` arrays, skipping clientOrderIds already
   *    taken, read the state just before it, and write the mutation's pending audit row
   *    → `rules.check` (idempotency, self-cross).
   * Group commit: a batch of at most GROUP_MEMBER_MAX_ORDERS orders (`rules.orderCount`) shares
   * its transaction with other participants' batches that arrive while a group transaction is
   * running (a second one starts only once the first has taken GROUP_PATIENCE_MS): the same two
   * statements for all of them, one COMMIT, and each caller answered only after it. While
   * batches wait, the next group's transaction is begun ahead (`openTransaction`), so that a
   * group under load takes 3 round trips. If any batch of a group is refused (by its rules or by
   * the database), the group is rolled back and each of its batches runs again in a transaction
   * of its own, so that one batch's refusal is never another's: the outcome is each batch's
   * alone. A group transaction (a lone batch's too) waits at most GROUP_LOCK_TIMEOUT_MS for a
   * lock (its setting travels with its BEGIN); past it, its batches run alone without that bound.
   * The database's refusals become errors of this module: `GateClosedError` (a gate closed,
   * PX001), `OffIntervalGridError` (a price off the interval's frozen grid, PX003),
   * `BookLimitError` (a book bound, PX004), `UnknownIntervalError` (no such product-interval).
   * `intervals` are the batch's distinct product-intervals.
   */
  async submit(
    participantId: string,
    intervals: readonly IntervalKey[],
    rules: SubmissionRules,
    keyHash?: string,
  ): Promise<SubmissionInsert> {
    const submission = { participantId, intervals, rules, keyHash, audit: currentPendingAudit() };
    if ((rules.orderCount ?? Infinity) > GROUP_MEMBER_MAX_ORDERS) {
      return this.submitAlone(submission);
    }
    return new Promise<SubmissionInsert>((resolve, reject) => {
      this.waiting.push({ ...submission, resolve, reject });
      this.startGroups();
    });
  }

  /**
   * Starts a group of the waiting submissions when none runs, or another one (up to
   * GROUPS_IN_FLIGHT) when the newest running one started GROUP_PATIENCE_MS ago or more; else
   * comes back when that time is up.
   */
  private startGroups(): void {
    while (this.groupsInFlight < GROUPS_IN_FLIGHT && this.waiting.length) {
      if (this.groupsInFlight > 0) {
        const wait = this.lastGroupStartedAt + GROUP_PATIENCE_MS - performance.now();
        if (wait > 0) {
          this.patience ??= setTimeout(() => {
            this.patience = undefined;
            this.startGroups();
          }, Math.ceil(wait)).unref();
          break;
        }
      }
      const group = this.takeGroup();
      const begun = this.nextGroup ?? openTransaction(this.pool, GROUP_TRANSACTION);
      this.nextGroup = undefined;
      this.groupsInFlight += 1;
      this.lastGroupStartedAt = performance.now();
      void this.runGroup(group, begun);
    }
    if (this.waiting.length && !this.nextGroup) {
      this.nextGroup = openTransaction(this.pool, GROUP_TRANSACTION);
      // A failed BEGIN is the next group's failure, reported to it; not an unhandled rejection.
      this.nextGroup.catch(() => undefined);
    }
  }

  /**
   * The next group, in arrival order, within GROUP_MAX_SUBMISSIONS and GROUP_MAX_ORDERS: one
   * submission per participant. A participant's other waiting ones go to later groups in their
   * order: two batches of one participant never meet in one statement, where neither would see
   * the other in its self-cross and idempotency checks.
   */
  private takeGroup(): WaitingSubmission[] {
    const group: WaitingSubmission[] = [];
    const rest: WaitingSubmission[] = [];
    const seen = new Set<string>();
    let orders = 0;
    for (const submission of this.waiting) {
      const count = submission.rules.orderCount ?? 1;
      const fits =
        !seen.has(submission.participantId) &&
        group.length < GROUP_MAX_SUBMISSIONS &&
        (group.length === 0 || orders + count <= GROUP_MAX_ORDERS);
      seen.add(submission.participantId);
      if (fits) {
        group.push(submission);
        orders += count;
      } else {
        rest.push(submission);
      }
    }
    this.waiting = rest;
    return group;
  }

  /**
   * Runs a group (one submission or more) in one transaction that waits at most
   * GROUP_LOCK_TIMEOUT_MS for any lock, then gives its place to the next group. If the
   * transaction fails, the group's submissions run again, each alone and outside the groups'
   * places (waiting for locks as long as they need); a lone submission refused for a reason of
   * its own is told at once. Never throws.
   */
  private async runGroup(
    group: readonly WaitingSubmission[],
    begun: Promise<OpenTransaction>,
  ): Promise<void> {
    let failure: unknown;
    try {
      const outcomes = await (await begun).run((client) => this.submitTogether(client, group));
      group.forEach((submission, i) => submission.resolve(outcomes[i]));
      return;
    } catch (error) {
      failure = error;
    } finally {
      this.groupsInFlight -= 1;
      this.startGroups();
    }
    const [first] = group;
    if (group.length === 1 && !WAITED_STATES.has(pgError(failure).code ?? '')) {
      await this.refusal(failure, first.intervals).then(first.reject, first.reject);
      return;
    }
    // Whoever was refused is told in its own transaction; the others go through.
    await Promise.all(
      group.map((submission) =>
        this.submitAlone(submission).then(submission.resolve, submission.reject),
      ),
    );
  }

  /** One submission in a transaction of its own, the database's refusals translated. */
  private async submitAlone(submission: Submission): Promise<SubmissionInsert> {
    try {
      const [outcome] = await this.inTransaction((client) =>
        this.submitTogether(client, [submission]),
      );
      return outcome;
    } catch (error) {
      throw await this.refusal(error, submission.intervals);
    }
  }

  /** The statements of `submit` for one or more submissions (distinct participants). */
  private async submitTogether(
    client: PoolClient,
    group: readonly Submission[],
  ): Promise<SubmissionInsert[]> {
    const triples = group.flatMap((s) => s.intervals.map((i) => ({ s, i })));
    const opened = await client.query<LockAndOpenRow>(
      named('order_submit_lock', LOCK_AND_OPEN, [
        triples.map((t) => t.s.participantId),
        triples.map((t) => t.i.productCode),
        triples.map((t) => t.i.deliveryStart.toISOString()),
        group.flatMap((s) => (s.keyHash === undefined ? [] : [s.keyHash])),
      ]),
    );
    const first = opened.rows[0];
    const participants = new Map(
      (first.participants ?? []).map((p) => [p.id.toLowerCase(), p.suspendedReason]),
    );
    const activeKeys = new Set(first.active_keys ?? []);
    const products = opened.rows.filter((row) => row.code !== null).map(toProduct);
    const gates = (first.gates ?? []).map((g) => ({
      productCode: g.code,
      deliveryStart: new Date(g.start),
      gateClosureAt: new Date(g.gate),
    }));
    const rows: NewOrderRow[][] = [];
    for (const submission of group) {
      const id = submission.participantId.toLowerCase();
      rows.push(
        await submission.rules.prepare({
          participantFound: participants.has(id),
          suspendedReason: participants.get(id) ?? null,
          keyActive:
            submission.keyHash === undefined ? undefined : activeKeys.has(submission.keyHash),
          products,
          now: first.db_now,
          gates,
          findExisting: (clientOrderIds) =>
            findExisting(client, submission.participantId, clientOrderIds),
          assets: (assetIds) => assetTrading(client, assetIds, submission.intervals),
        }),
      );
    }

    const all = rows.flatMap((batch, i) =>
      batch.map((row) => ({ pid: group[i].participantId, row })),
    );
    const audits = group.flatMap((s) => (s.audit ? [s.audit] : []));
    const result = await client.query<InsertRow>(
      named('order_submit_insert', INSERT_ORDERS, [
        all.map((r) => r.pid),
        all.map((r) => r.row.clientOrderId),
        all.map((r) => r.row.productCode),
        all.map((r) => r.row.deliveryStart.toISOString()),
        all.map((r) => r.row.side),
        all.map((r) => r.row.price),
        all.map((r) => r.row.quantityWh),
        all.map((r) => r.row.assetId),
        ...auditColumns(audits.map((a) => a.record)),
      ]),
    );
    const member = new Map(group.map((s, i) => [s.participantId.toLowerCase(), i]));
    const byClientId = rows.map((batch) => new Map(batch.map((r) => [r.clientOrderId, r])));
    const outcomes: SubmissionInsert[] = group.map(() => ({
      inserted: [],
      existing: [],
      before: [],
    }));
    for (const row of result.rows) {
      const i = member.get(row.pid.toLowerCase())!;
      if (row.id !== null) {
        const input = byClientId[i].get(row.cid!)!;
        outcomes[i].inserted.push({
          id: row.id,
          participantId: group[i].participantId,
          clientOrderId: input.clientOrderId,
          productCode: input.productCode,
          deliveryStart: input.deliveryStart,
          side: input.side,
          price: input.price,
          quantityWh: input.quantityWh,
          filledWh: '0',
          status: 'OPEN',
          createdAt: row.created_at!,
          assetId: input.assetId,
        });
      } else {
        outcomes[i].before.push({
          productCode: row.code!,
          deliveryStart: row.start!,
          bestBuy: row.best_buy,
          bestSell: row.best_sell,
        });
      }
    }
    for (const [i, outcome] of outcomes.entries()) {
      outcome.inserted.sort((a, b) => compareIds(a.id, b.id));
      if (outcome.inserted.length < rows[i].length) {
        // clientOrderIds already taken, before this transaction or by a concurrent one
        const got = new Set(outcome.inserted.map((o) => o.clientOrderId));
        const taken = rows[i].map((r) => r.clientOrderId).filter((cid) => !got.has(cid));
        outcome.existing.push(...(await findExisting(client, group[i].participantId, taken)));
      }
      group[i].rules.check(outcome);
    }
    // Inserted with the orders: it commits with them or the mutation fails.
    for (const audit of audits) audit.written = true;
    return outcomes;
  }

  /** The error a failed submission transaction is reported with (the database's refusals). */
  private async refusal(error: unknown, intervals: readonly IntervalKey[]): Promise<unknown> {
    const code = pgError(error).code;
    if (code === GATE_CLOSED_STATE)
      return new GateClosedError(await this.closedIntervals(intervals));
    if (code === OFF_INTERVAL_GRID_STATE) return new OffIntervalGridError((error as Error).message);
    if (code === BOOK_LIMIT_STATE) {
      const detail = JSON.parse(pgError(error).detail ?? '{}') as BookLimitBreach & {
        deliveryStart: string;
      };
      return new BookLimitError({ ...detail, deliveryStart: new Date(detail.deliveryStart) });
    }
    if (code === FOREIGN_KEY_VIOLATION_STATE && pgError(error).constraint === undefined) {
      return new UnknownIntervalError((error as Error).message);
    }
    return error;
  }

  /** Those of these product-intervals whose gate has closed (by the database's clock) or that are cleared. */
  async closedIntervals(intervals: readonly IntervalKey[]): Promise<IntervalKey[]> {
    const { rows } = await this.pool.query<{ product_code: string; delivery_start: Date }>(
      CLOSED_INTERVALS,
      [intervals.map((i) => i.productCode), intervals.map((i) => i.deliveryStart.toISOString())],
    );
    return rows.map((r) => ({ productCode: r.product_code, deliveryStart: r.delivery_start }));
  }

  /**
   * Cancels an OPEN order of this participant while its interval's gate is open. Looks at the
   * gate without a lock first (a late cancel must not hold the interval's lock, which would keep
   * `SKIP LOCKED` matchers off it), then share-locks the product-interval (as the gate trigger
   * would, and before the order row, so that it cannot deadlock with a matcher freezing the
   * interval), checks again and updates the order. The database refuses the COMMIT if the gate
   * closes before it (PX001).
   */
  async cancel(participantId: string, orderId: string): Promise<CancelOutcome> {
    try {
      return await this.inTransaction(async (client) => {
        const found = await client.query<OrderRow & { open: boolean }>(CANCEL_LOOK, [
          orderId,
          participantId,
        ]);
        if (!found.rows.length) return { kind: 'NOT_FOUND' };
        const order = toOrder(found.rows[0]);
        if (order.status !== 'OPEN') return { kind: 'NOT_OPEN', order };
        if (!found.rows[0].open) return { kind: 'GATE_CLOSED', order };
        const locked = await client.query<{ open: boolean }>(CANCEL_LOCK_INTERVAL, [
          order.productCode,
          order.deliveryStart.toISOString(),
        ]);
        if (!locked.rows[0]?.open) return { kind: 'GATE_CLOSED', order };
        const updated = await client.query<OrderRow>(CANCEL_ORDER, [orderId]);
        if (updated.rows.length) {
          await appendPendingAudit((text, values) => client.query(text, values));
          return { kind: 'CANCELLED', order: toOrder(updated.rows[0]) };
        }
        const now = await client.query<OrderRow>(FIND_BY_ID, [orderId]);
        return { kind: 'NOT_OPEN', order: toOrder(now.rows[0]) };
      });
    } catch (error) {
      if (pgError(error).code !== GATE_CLOSED_STATE) throw error;
      const order = await this.findById(orderId);
      if (!order) throw error;
      return { kind: 'GATE_CLOSED', order };
    }
  }

  async findById(id: string): Promise<MarketOrderRow | null> {
    const { rows } = await this.pool.query<OrderRow>(FIND_BY_ID, [id]);
    return rows.length ? toOrder(rows[0]) : null;
  }

  /** One page of orders, newest first (by id), matching the filter. */
  async list(query: OrderListQuery): Promise<MarketOrderRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (condition: (param: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (query.participantId !== undefined)
      add((p) => `o.participant_id = ${p}`, query.participantId);
    if (query.productCode !== undefined) add((p) => `o.product_code = ${p}`, query.productCode);
    if (query.deliveryStart !== undefined) {
      add((p) => `o.delivery_start = ${p}`, query.deliveryStart.toISOString());
    }
    if (query.status !== undefined) add((p) => `coalesce(r.status, o.status) = ${p}`, query.status);
    if (query.side !== undefined) add((p) => `o.side = ${p}`, query.side);
    if (query.beforeId !== undefined) add((p) => `o.id < ${p}::bigint`, query.beforeId);
    if (query.gateClosedOnly) {
      where.push(GATE_CLOSED_CONDITION);
    }
    values.push(query.limit);
    const { rows } = await this.pool.query<OrderRow>(
      listOrders(where, `$${values.length}`),
      values,
    );
    return rows.map(toOrder);
  }

  /**
   * Runs `work` in a READ COMMITTED transaction on one pooled connection (raw `pg` client,
   * named statements); retries the whole transaction on a deadlock or serialization failure.
   */
  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await transaction(this.pool, { isolation: 'READ COMMITTED' }, work);
      } catch (error) {
        const code = pgError(error).code;
        if (attempt < MAX_ATTEMPTS && code !== undefined && RETRYABLE_STATES.has(code)) continue;
        throw error;
      }
    }
  }
}

/** The participant's orders under these clientOrderIds, read in the caller's transaction. */
async function findExisting(
  client: PoolClient,
  participantId: string,
  clientOrderIds: readonly string[],
): Promise<MarketOrderRow[]> {
  const { rows } = await client.query<OrderRow>(FIND_BY_CLIENT_ORDER_IDS, [
    participantId,
    clientOrderIds,
  ]);
  return rows.map(toOrder);
}

/**
 * The named assets, share-locked, and their OPEN quantities in the batch's product-intervals,
 * read in the caller's transaction.
 */
async function assetTrading(
  client: PoolClient,
  assetIds: readonly string[],
  intervals: readonly IntervalKey[],
): Promise<AssetTrading> {
  const found = await client.query<AssetSqlRow>(LOCK_ASSETS_FOR_ORDERS, [assetIds]);
  const open = await client.query<{
    asset_id: string;
    product_code: string;
    delivery_start: Date;
    side: OrderSide;
    wh: string;
  }>(OPEN_ASSET_QUANTITIES, [
    assetIds,
    intervals.map((i) => i.productCode),
    intervals.map((i) => i.deliveryStart.toISOString()),
  ]);
  return {
    assets: found.rows.map(toAsset),
    openWh: new Map(
      open.rows.map((r) => [
        assetQuantityKey(r.asset_id, r.product_code, r.delivery_start, r.side),
        BigInt(r.wh),
      ]),
    ),
  };
}

/** Runs one statement in the caller's transaction and returns its rows. */
export type RowsQuery = <T>(text: string, values: unknown[]) => Promise<T[]>;

/**
 * Cancels, in the caller's transaction, the participant's OPEN orders in product-intervals whose
 * gate is still open (orders in frozen or closing books stay). Share-locks those intervals first,
 * in key order, like `cancel`. Returns how many orders were cancelled. Used by a suspension.
 */
export async function cancelOpenOrdersInOpenIntervals(
  query: RowsQuery,
  participantId: string,
): Promise<number> {
  const open = await query<{ product_code: string; delivery_start: Date }>(
    LOCK_OPEN_INTERVALS_WITH_ORDERS_OF,
    [participantId],
  );
  if (!open.length) return 0;
  const [cancelled] = await query<{ n: number }>(CANCEL_OPEN_ORDERS_IN, [
    participantId,
    open.map((r) => r.product_code),
    open.map((r) => r.delivery_start.toISOString()),
  ]);
  return cancelled.n;
}

/** True for the database's "gate closed" refusal (SQLSTATE PX001). */
export function isGateClosedError(error: unknown): boolean {
  return pgError(error).code === GATE_CLOSED_STATE;
}

/** A named statement: prepared once per pooled connection (the hot path skips parse and plan). */
function named(name: string, text: string, values: unknown[]): QueryConfig<unknown[]> {
  return { name, text, values };
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function toOrder(row: OrderRow): MarketOrderRow {
  return {
    id: row.id,
    participantId: row.participant_id,
    clientOrderId: row.client_order_id,
    productCode: row.product_code,
    deliveryStart: row.delivery_start,
    side: row.side,
    price: row.price,
    quantityWh: row.quantity_wh,
    filledWh: row.filled_wh,
    status: row.status,
    createdAt: row.created_at,
    assetId: row.asset_id,
  };
}

/** Key of `AssetTrading.openWh`. */
export function assetQuantityKey(
  assetId: string,
  productCode: string,
  deliveryStart: Date,
  side: OrderSide,
): string {
  return `${assetId}/${productCode}/${deliveryStart.getTime()}/${side}`;
}

function toProduct(row: ProductRow): ProductEntity {
  return {
    code: row.code,
    name: row.name,
    unit: row.unit,
    intervalSeconds: row.interval_seconds,
    gateClosureSeconds: row.gate_closure_seconds,
    horizonSeconds: row.horizon_seconds,
    priceTick: row.price_tick,
    minPrice: row.min_price,
    maxPrice: row.max_price,
    mechanism: row.mechanism,
    k: row.k,
    networkFee: row.network_fee,
    maxParticipantQuantityWh: row.max_participant_quantity_wh,
    meteringWindowSeconds: row.metering_window_seconds,
    correctionWindowSeconds: row.correction_window_seconds,
    importTariff: row.import_tariff,
    feedInTariff: row.feed_in_tariff,
    auctionSeries: row.auction_series,
    updatedAt: row.updated_at,
  };
}
