/**
 * The SQL of OrderRepository: every statement it runs, as named constants (the repository keeps
 * the logic). Parameters are numbered as the comment of each statement says; int8 and numeric
 * come back as text.
 */
import type { ProductEntity } from '../entities/product.entity';
import type { OrderSide, OrderStatus } from './order.repository';

/** Class id of the advisory locks on (participant, product, delivery start). */
export const SUBMISSION_LOCK_CLASS = 730_510;

/** An order's terms as stored (`market_order o`), int8 and numeric as text. */
const TERM_COLUMNS = `o.id::text AS id, o.participant_id, o.client_order_id, o.product_code,
  o.delivery_start, o.side, o.price::text AS price, o.quantity_wh::text AS quantity_wh, o.created_at,
  o.asset_id`;
/** An order with its clearing outcome (order_result) merged in; needs `ORDER_FROM`. */
const ORDER_COLUMNS = `${TERM_COLUMNS},
  coalesce(r.filled_wh, 0)::text AS filled_wh, coalesce(r.status, o.status) AS status`;
const ORDER_FROM = `market_order o LEFT JOIN order_result r ON r.order_id = o.id`;

export interface OrderRow {
  id: string;
  participant_id: string;
  client_order_id: string;
  product_code: string;
  delivery_start: Date;
  side: OrderSide;
  price: string;
  quantity_wh: string;
  filled_wh: string;
  status: OrderStatus;
  created_at: Date;
  asset_id: string | null;
}

export interface ProductRow {
  code: string;
  name: string;
  unit: string;
  interval_seconds: number;
  gate_closure_seconds: number;
  horizon_seconds: number;
  price_tick: string;
  min_price: string;
  max_price: string;
  mechanism: ProductEntity['mechanism'];
  k: string;
  network_fee: string;
  max_participant_quantity_wh: string;
  metering_window_seconds: number;
  correction_window_seconds: number;
  import_tariff: string | null;
  feed_in_tariff: string | null;
  auction_series: string | null;
  updated_at: Date;
}

/**
 * 1st statement of a submission, or of a group of submissions sharing one transaction (one per
 * participant): per (participant $1, product $2, delivery start $3) of the batches, as arrays.
 * Share-locks the participants' rows and the submissions' active API keys ($4, their hashes)
 * in key order (a suspension or a revocation waits for in-flight submissions, later ones see
 * it), opens the missing product-intervals of known products (gate =
 * start − the product's gateClosureSeconds), takes one advisory lock per (participant, product,
 * delivery start) in key order — serialising the self-cross check of one participant's
 * concurrent submissions — and reads the products, the intervals' stored gates and the
 * database's clock (none of this waits for an interval's lock).
 */
export const LOCK_AND_OPEN = `
  WITH triple AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS t(pid, code, start)
  ), me AS (
    SELECT id, suspended_reason FROM participant
    WHERE id IN (SELECT pid FROM triple) ORDER BY id FOR SHARE
  ), keys AS (
    SELECT key_hash FROM api_key
    WHERE key_hash = ANY($4::text[]) AND revoked_at IS NULL ORDER BY key_hash FOR SHARE
  ), wanted AS (
    SELECT DISTINCT code, start FROM triple
  ), opened AS (
    INSERT INTO product_interval (product_code, delivery_start, gate_closure_at)
    SELECT w.code, w.start, w.start - make_interval(secs => p.gate_closure_seconds)
    FROM wanted w JOIN product p ON p.code = w.code
    -- only the missing ones: the BEFORE INSERT trigger (freezing the terms) would run for each
    WHERE NOT EXISTS (SELECT 1 FROM product_interval i
                      WHERE i.product_code = w.code AND i.delivery_start = w.start)
    ORDER BY w.code, w.start
    ON CONFLICT DO NOTHING
    RETURNING product_code, delivery_start, gate_closure_at
  ), gates AS (
    SELECT product_code, delivery_start, gate_closure_at FROM opened
    UNION ALL
    SELECT i.product_code, i.delivery_start, i.gate_closure_at
    FROM product_interval i JOIN wanted w ON i.product_code = w.code AND i.delivery_start = w.start
  ), locked AS (
    SELECT count(*) AS n FROM (
      SELECT pg_advisory_xact_lock(${SUBMISSION_LOCK_CLASS}, k.key)
      FROM (
        SELECT DISTINCT hashtext(t.pid::text || '/' || t.code || '/' || extract(epoch FROM t.start)::text) AS key
        FROM triple t ORDER BY 1
      ) k
    ) l
  )
  SELECT m.participants, m.active_keys, m.locks, m.db_now, m.gates, p.*
  FROM (
    SELECT (SELECT json_agg(json_build_object('id', id, 'suspendedReason', suspended_reason))
            FROM me) AS participants,
           (SELECT json_agg(key_hash) FROM keys) AS active_keys,
           (SELECT n FROM locked) AS locks, (SELECT clock_timestamp() FROM locked) AS db_now,
           (SELECT json_agg(json_build_object('code', product_code, 'start', delivery_start,
                                              'gate', gate_closure_at)) FROM gates) AS gates
  ) m
  LEFT JOIN product p ON p.code IN (SELECT code FROM wanted)`;

/**
 * 2nd statement (a snapshot taken after the locks): the orders of all the batches in one INSERT
 * from arrays ($1 participant of each row, $2… its terms), in batch order (ids and created_at
 * follow it), skipping clientOrderIds already taken (the caller reads those orders); from the
 * same snapshot, i.e. as it was just before the insert, each participant's best OPEN bid and
 * offer in each of its batch's product-intervals (`participant_best_open_price`, one probe of
 * the index market_order_participant_open each); and
 * the submissions' audit rows ($9…$14, `auditColumns`), committed with the orders or rolled
 * back with them. The statement trigger checks the gates of the inserted rows under their
 * share locks (PX001).
 */
export const INSERT_ORDERS = `
  WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[],
                         $6::numeric[], $7::bigint[], $8::uuid[])
      WITH ORDINALITY AS t(pid, cid, code, start, side, price, quantity, asset, n)
  ), inserted AS (
    INSERT INTO market_order (participant_id, client_order_id, product_code, delivery_start, side,
                              price, quantity_wh, asset_id)
    SELECT pid, cid, code, start, side, price, quantity, asset FROM input ORDER BY n
    ON CONFLICT ON CONSTRAINT market_order_client_order_id DO NOTHING
    RETURNING id, participant_id, client_order_id, created_at
  ), audit AS (
    INSERT INTO audit_log (actor_id, action, args, outcome, error_code, message)
    SELECT * FROM unnest($9::uuid[], $10::text[], $11::jsonb[], $12::text[], $13::text[],
                         $14::text[])
  )
  SELECT id::text AS id, participant_id AS pid, client_order_id AS cid, created_at, NULL AS code,
         NULL::timestamptz AS start, NULL AS best_buy, NULL AS best_sell
  FROM inserted
  UNION ALL
  SELECT NULL, w.pid, NULL, NULL, w.code, w.start,
         participant_best_open_price(w.pid, w.code, w.start, 'BUY')::text,
         participant_best_open_price(w.pid, w.code, w.start, 'SELL')::text
  FROM (SELECT DISTINCT pid, code, start FROM input) w`;

export interface InsertRow {
  id: string | null;
  pid: string;
  cid: string | null;
  created_at: Date | null;
  code: string | null;
  start: Date | null;
  best_buy: string | null;
  best_sell: string | null;
}

/** Row of LOCK_AND_OPEN: the submissions' context, then one product per row (`p.*`). */
export type LockAndOpenRow = ProductRow & {
  /** The participants that exist, with their suspension; null when none does. */
  participants: { id: string; suspendedReason: string | null }[] | null;
  /** Of the submissions' API keys ($4), those not revoked; null when none is. */
  active_keys: string[] | null;
  db_now: Date;
  gates: { code: string; start: string; gate: string }[] | null;
};

/** The participant's ($1) orders under these clientOrderIds ($2, text[]), outcome merged in. */
export const FIND_BY_CLIENT_ORDER_IDS = `
  SELECT ${ORDER_COLUMNS} FROM ${ORDER_FROM}
  WHERE o.participant_id = $1 AND o.client_order_id = ANY($2::text[])`;

/** One order ($1) with its outcome merged in. */
export const FIND_BY_ID = `SELECT ${ORDER_COLUMNS} FROM ${ORDER_FROM} WHERE o.id = $1`;

/**
 * Of these product-intervals ($1 codes, $2 starts), those whose gate has closed by the
 * database's clock (the one the gate triggers go by) or that are no longer OPEN; no lock.
 */
export const CLOSED_INTERVALS = `
  SELECT i.product_code, i.delivery_start FROM product_interval i
  JOIN unnest($1::text[], $2::timestamptz[]) AS w(code, start)
    ON i.product_code = w.code AND i.delivery_start = w.start
  WHERE i.state <> 'OPEN' OR i.gate_closure_at <= clock_timestamp()
  ORDER BY 1, 2`;

/**
 * Cancel, step 1: the participant's ($2) order ($1) with its outcome and whether its interval's
 * gate is open — without a lock, so that a late cancel never waits for (or holds) the interval.
 */
export const CANCEL_LOOK = `
  SELECT ${ORDER_COLUMNS}, i.state = 'OPEN' AND clock_timestamp() < i.gate_closure_at AS open
  FROM ${ORDER_FROM}
  JOIN product_interval i USING (product_code, delivery_start)
  WHERE o.id = $1 AND o.participant_id = $2`;

/**
 * Cancel, step 2: share-lock the order's product-interval ($1, $2), as the gate trigger would
 * and before the order row (no deadlock with a matcher freezing it), and look at the gate again.
 */
export const CANCEL_LOCK_INTERVAL = `
  SELECT i.state = 'OPEN' AND clock_timestamp() < i.gate_closure_at AS open
  FROM product_interval i WHERE i.product_code = $1 AND i.delivery_start = $2
  FOR SHARE`;

/**
 * Cancel, step 3: OPEN → CANCELLED for order $1 if it is still OPEN (no outcome yet: filled 0).
 * The update trigger checks the gate under the interval's lock (PX001), the deferred one at
 * COMMIT.
 */
export const CANCEL_ORDER = `
  UPDATE market_order o SET status = 'CANCELLED'
  WHERE o.id = $1 AND o.status = 'OPEN'
  RETURNING ${TERM_COLUMNS}, '0' AS filled_wh, o.status`;

/** Condition of `orders` lists: the order's interval's gate has closed (database clock). */
export const GATE_CLOSED_CONDITION = `EXISTS (SELECT 1 FROM product_interval i
  WHERE i.product_code = o.product_code AND i.delivery_start = o.delivery_start
    AND i.gate_closure_at <= clock_timestamp())`;

/** A page of orders, newest first: `where` (built from the filter) and the LIMIT parameter. */
export function listOrders(where: readonly string[], limitParam: string): string {
  return `SELECT ${ORDER_COLUMNS} FROM ${ORDER_FROM}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY o.id DESC LIMIT ${limitParam}`;
}

/**
 * Share-locks, in key order, the product-intervals whose gate is still open and in which the
 * orders with `column` = $1 (a participant's, an asset's) include OPEN ones; frozen and closing
 * books are left alone. Taken before the orders' rows, like a cancellation.
 */
export function lockOpenIntervalsWithOpenOrders(column: 'participant_id' | 'asset_id'): string {
  return `
  SELECT i.product_code, i.delivery_start FROM product_interval i
  WHERE i.state = 'OPEN' AND i.gate_closure_at > clock_timestamp()
    AND EXISTS (SELECT 1 FROM market_order o
                WHERE o.${column} = $1 AND o.status = 'OPEN'
                  AND o.product_code = i.product_code AND o.delivery_start = i.delivery_start)
  ORDER BY i.product_code, i.delivery_start
  FOR SHARE`;
}

/** Suspension, step 1: the participant's ($1) open intervals, share-locked. */
export const LOCK_OPEN_INTERVALS_WITH_ORDERS_OF = lockOpenIntervalsWithOpenOrders('participant_id');

/**
 * Suspension, step 2 (a fresh snapshot, after the locks): cancel the participant's ($1) OPEN
 * orders in those intervals ($2 codes, $3 starts); returns how many (`n`).
 */
export const CANCEL_OPEN_ORDERS_IN = `
  WITH cancelled AS (
    UPDATE market_order o SET status = 'CANCELLED'
    FROM unnest($2::text[], $3::timestamptz[]) AS w(code, start)
    WHERE o.participant_id = $1 AND o.status = 'OPEN'
      AND o.product_code = w.code AND o.delivery_start = w.start
    RETURNING 1
  )
  SELECT count(*)::int AS n FROM cancelled`;
