import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import type { ProductEntity } from '../entities/product.entity';
import { pgPool, transaction } from '../pg-pool';
import { appendPendingAudit } from './audit-log.repository';
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
}

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
const MAX_ATTEMPTS = 3;
/**
 * Orders: submission (one transaction, bulk insert, gate closure enforced by the database),
 * cancellation, and keyset-paginated listing. The only place that writes `market_order` rows
 * for clients.
 */
@Injectable()
export class OrderRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /**
   * Submits a batch of one participant's orders, all or nothing, in one transaction of three
   * statements (5 round trips with BEGIN and COMMIT, whatever the batch size):
   * 1. share-lock the participant, open the batch's product-intervals (`ON CONFLICT DO
   *    NOTHING`), lock the (participant, interval) pairs in key order, read the products
   *    → `rules.prepare` checks the terms and returns the rows;
   * 2. insert them with one statement from `unnest` arrays, skipping clientOrderIds already
   *    taken, and read the state just before it → `rules.check` (idempotency, self-cross);
   * 3. the mutation's audit row (`appendPendingAudit`), committed with the orders.
   * The database's refusals become errors of this module: `GateClosedError` (a gate closed,
   * PX001), `OffIntervalGridError` (a price off the interval's frozen grid, PX003),
   * `BookLimitError` (a book bound, PX004), `UnknownIntervalError` (no such product-interval).
   * `intervals` are the batch's distinct product-intervals.
   */
  async submit(
    participantId: string,
    intervals: readonly IntervalKey[],
    rules: SubmissionRules,
  ): Promise<SubmissionInsert> {
    const codes = intervals.map((i) => i.productCode);
    const starts = intervals.map((i) => i.deliveryStart.toISOString());
    try {
      return await this.inTransaction(async (client) => {
        const opened = await client.query<LockAndOpenRow>(
          named('order_submit_lock', LOCK_AND_OPEN, [participantId, codes, starts]),
        );
        const first = opened.rows[0];
        const findExisting = async (clientOrderIds: readonly string[]) =>
          (
            await client.query<OrderRow>(FIND_BY_CLIENT_ORDER_IDS, [participantId, clientOrderIds])
          ).rows.map(toOrder);
        const assets = async (assetIds: readonly string[]): Promise<AssetTrading> => {
          const found = await client.query<AssetSqlRow>(LOCK_ASSETS_FOR_ORDERS, [assetIds]);
          const open = await client.query<{
            asset_id: string;
            product_code: string;
            delivery_start: Date;
            side: OrderSide;
            wh: string;
          }>(OPEN_ASSET_QUANTITIES, [assetIds, codes, starts]);
          return {
            assets: found.rows.map(toAsset),
            openWh: new Map(
              open.rows.map((r) => [
                assetQuantityKey(r.asset_id, r.product_code, r.delivery_start, r.side),
                BigInt(r.wh),
              ]),
            ),
          };
        };
        const rows = await rules.prepare({
          participantFound: first?.found ?? false,
          suspendedReason: first?.suspended_reason ?? null,
          products: opened.rows.filter((row) => row.code !== null).map(toProduct),
          now: first.db_now,
          gates: (first.gates ?? []).map((g) => ({
            productCode: g.code,
            deliveryStart: new Date(g.start),
            gateClosureAt: new Date(g.gate),
          })),
          findExisting,
          assets,
        });

        const result = await client.query<InsertRow>(
          named('order_submit_insert', INSERT_ORDERS, [
            participantId,
            rows.map((r) => r.clientOrderId),
            rows.map((r) => r.productCode),
            rows.map((r) => r.deliveryStart.toISOString()),
            rows.map((r) => r.side),
            rows.map((r) => r.price),
            rows.map((r) => r.quantityWh),
            rows.map((r) => r.assetId),
          ]),
        );
        const byClientId = new Map(rows.map((r) => [r.clientOrderId, r]));
        const outcome: SubmissionInsert = { inserted: [], existing: [], before: [] };
        for (const row of result.rows) {
          if (row.id !== null) {
            const input = byClientId.get(row.cid!)!;
            outcome.inserted.push({
              id: row.id,
              participantId,
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
            outcome.before.push({
              productCode: row.code!,
              deliveryStart: row.start!,
              bestBuy: row.best_buy,
              bestSell: row.best_sell,
            });
          }
        }
        outcome.inserted.sort((a, b) => compareIds(a.id, b.id));
        if (outcome.inserted.length < rows.length) {
          // clientOrderIds already taken, before this transaction or by a concurrent one
          const got = new Set(outcome.inserted.map((o) => o.clientOrderId));
          const taken = rows.map((r) => r.clientOrderId).filter((cid) => !got.has(cid));
          outcome.existing.push(...(await findExisting(taken)));
        }
        rules.check(outcome);
        await appendPendingAudit((text, values) => client.query(text, values));
        return outcome;
      });
    } catch (error) {
      if (pgError(error).code === GATE_CLOSED_STATE) {
        throw new GateClosedError(await this.closedIntervals(intervals));
      }
      if (pgError(error).code === OFF_INTERVAL_GRID_STATE) {
        throw new OffIntervalGridError((error as Error).message);
      }
      if (pgError(error).code === BOOK_LIMIT_STATE) {
        const detail = JSON.parse(pgError(error).detail ?? '{}') as BookLimitBreach & {
          deliveryStart: string;
        };
        throw new BookLimitError({ ...detail, deliveryStart: new Date(detail.deliveryStart) });
      }
      if (
        pgError(error).code === FOREIGN_KEY_VIOLATION_STATE &&
        pgError(error).constraint === undefined
      ) {
        throw new UnknownIntervalError((error as Error).message);
      }
      throw error;
    }
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
    updatedAt: row.updated_at,
  };
}
