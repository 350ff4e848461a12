/**
 * The SQL of AssetRepository and SafetyRepository (assets, telemetry, safety state and events,
 * and the safety linkage to the order book). int8 comes back as text.
 */

import { lockOpenIntervalsWithOpenOrders } from './order.sql';

/** NOTIFY channel of committed safety events; the payload is the event id. */
export const SAFETY_CHANNEL = 'parkex_safety';

/** An asset with its safety state (`asset a JOIN asset_safety s`). */
const ASSET_COLUMNS = `a.id, a.participant_id, a.name, a.kind,
  a.energy_capacity_wh::text AS energy_capacity_wh, a.charge_power_w::text AS charge_power_w,
  a.discharge_power_w::text AS discharge_power_w, a.created_at,
  s.level, s.below_since, s.below_level, s.acknowledged, s.monitored_since, s.last_sample_at,
  s.last_received_at,
  s.rate_ref_at, s.rate_ref_temp_deci_c, s.changed_at, r.rules`;
const ASSET_FROM = `asset a JOIN asset_safety s ON s.asset_id = a.id
  LEFT JOIN safety_rules r ON r.kind = a.kind`;

export interface AssetSqlRow {
  id: string;
  participant_id: string;
  name: string;
  kind: string;
  energy_capacity_wh: string;
  charge_power_w: string;
  discharge_power_w: string;
  created_at: Date;
  level: string;
  below_since: Date | null;
  below_level: string;
  acknowledged: boolean;
  monitored_since: Date;
  last_sample_at: Date | null;
  /** When the newest batch arrived (database clock): what loss of telemetry is measured from. */
  last_received_at: Date | null;
  rate_ref_at: Date | null;
  rate_ref_temp_deci_c: number | null;
  changed_at: Date;
  /** The operator's rules of the asset's kind; null: the defaults. */
  rules: unknown;
}

/** Registers an asset ($1 owner … $6 discharge W) and its NORMAL safety state in one statement. */
export const INSERT_ASSET = `
  WITH a AS (
    INSERT INTO asset (participant_id, name, kind, energy_capacity_wh, charge_power_w, discharge_power_w)
    VALUES ($1, $2, $3, $4, $5, $6)
    RETURNING *
  ), s AS (
    INSERT INTO asset_safety (asset_id) SELECT id FROM a RETURNING *
  )
  SELECT ${ASSET_COLUMNS} FROM a JOIN s ON s.asset_id = a.id LEFT JOIN safety_rules r ON r.kind = a.kind`;

/** One asset ($1). */
export const FIND_ASSET = `SELECT ${ASSET_COLUMNS} FROM ${ASSET_FROM} WHERE a.id = $1`;

/** Assets of one participant ($1, or all when NULL), by name, at most $2. */
export const LIST_ASSETS = `
  SELECT ${ASSET_COLUMNS} FROM ${ASSET_FROM}
  WHERE $1::uuid IS NULL OR a.participant_id = $1
  ORDER BY a.participant_id, a.name LIMIT $2`;

/**
 * The assets ($1 uuid[]) with their state, locking the state rows in id order: an ingest and an
 * acknowledgement of the same asset run one after the other, and an order submission naming it
 * (which share-locks the row, `LOCK_ASSETS_FOR_ORDERS`) waits for the linkage to commit.
 * `db_now` is the database's clock.
 */
export const LOCK_ASSETS = `
  SELECT ${ASSET_COLUMNS}, clock_timestamp() AS db_now FROM ${ASSET_FROM}
  WHERE a.id = ANY($1::uuid[]) ORDER BY a.id FOR UPDATE OF s`;

/** As `LOCK_ASSETS` with a share lock: an order submission reads the level it trades under. */
export const LOCK_ASSETS_FOR_ORDERS = `
  SELECT ${ASSET_COLUMNS} FROM ${ASSET_FROM}
  WHERE a.id = ANY($1::uuid[]) ORDER BY a.id FOR SHARE OF s`;

/**
 * The OPEN quantity, Wh, of these assets ($1) per product-interval ($2 codes, $3 starts) and side:
 * what a submission adds its orders to (read under the participant's interval locks).
 */
export const OPEN_ASSET_QUANTITIES = `
  SELECT o.asset_id, o.product_code, o.delivery_start, o.side, sum(o.quantity_wh)::text AS wh
  FROM market_order o
  JOIN unnest($2::text[], $3::timestamptz[]) AS w(code, start)
    ON o.product_code = w.code AND o.delivery_start = w.start
  WHERE o.asset_id = ANY($1::uuid[]) AND o.status = 'OPEN'
  GROUP BY 1, 2, 3, 4`;

/** Day partitions ($1 date[]) made if missing (SECURITY DEFINER). */
export const ENSURE_PARTITIONS = `SELECT telemetry_ensure_partitions($1::date[]) AS made`;

/** Retention: drops the day partitions ending on or before $1 (date). */
export const DROP_PARTITIONS_BEFORE = `SELECT telemetry_drop_partitions_before($1::date) AS dropped`;

/**
 * A batch of samples from arrays, skipping (asset, time) pairs already stored (idempotent
 * resends); returns the inserted keys.
 */
export const INSERT_SAMPLES = `
  INSERT INTO telemetry_sample (asset_id, sampled_at, soc_permille, soh_permille, pack_voltage_mv,
    pack_current_ma, cell_voltage_min_mv, cell_voltage_max_mv, cell_temp_min_deci_c,
    cell_temp_max_deci_c, ambient_temp_deci_c, off_gas_ppm, fault_flags)
  SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::int[], $4::int[], $5::int[], $6::int[],
                       $7::int[], $8::int[], $9::int[], $10::int[], $11::int[], $12::int[], $13::int[])
  ON CONFLICT (asset_id, sampled_at) DO NOTHING
  RETURNING asset_id, sampled_at`;

/** The newest sample of an asset ($1): what a silence event shows as its cause. */
export const LAST_SAMPLE = `
  SELECT * FROM telemetry_sample WHERE asset_id = $1 ORDER BY sampled_at DESC LIMIT 1`;

export interface SampleSqlRow {
  asset_id: string;
  sampled_at: Date;
  soc_permille: number;
  soh_permille: number;
  pack_voltage_mv: number;
  pack_current_ma: number;
  cell_voltage_min_mv: number;
  cell_voltage_max_mv: number;
  cell_temp_min_deci_c: number;
  cell_temp_max_deci_c: number;
  ambient_temp_deci_c: number | null;
  off_gas_ppm: number | null;
  fault_flags: number;
}

/** Samples of an asset ($1), newest first, at most $2. */
export const RECENT_SAMPLES = `
  SELECT * FROM telemetry_sample WHERE asset_id = $1 ORDER BY sampled_at DESC LIMIT $2`;

/** The new state of an asset ($1): level and hysteresis ($2 … $8). */
export const UPDATE_STATE = `
  UPDATE asset_safety SET level = $2, below_since = $3, below_level = $4, acknowledged = $5,
    last_sample_at = $6, rate_ref_at = $7, rate_ref_temp_deci_c = $8,
    changed_at = CASE WHEN level <> $2 THEN clock_timestamp() ELSE changed_at END
  WHERE asset_id = $1`;

/** Telemetry of these assets ($1, locked by the ingest) arrived now (database clock). */
export const MARK_RECEIVED = `
  UPDATE asset_safety SET last_received_at = clock_timestamp() WHERE asset_id = ANY($1::uuid[])`;

/** Linkage, step 1: the asset's ($1) open intervals, share-locked (as a suspension does). */
export const LOCK_OPEN_INTERVALS_OF_ASSET = lockOpenIntervalsWithOpenOrders('asset_id');

/**
 * Linkage, step 2: cancels the asset's ($1) OPEN orders in those intervals ($2 codes, $3 starts)
 * — all of them when $4 (per-mille of power) is NULL (ALARM), else those beyond the derated
 * energy per interval and side (WARNING): the orders are kept oldest first while their running
 * total stays within power · interval length · $4 / 1000, whole Wh rounded down. Returns the ids.
 */
export const CANCEL_ASSET_ORDERS = `
  WITH candidate AS (
    SELECT o.id,
           sum(o.quantity_wh) OVER (PARTITION BY o.product_code, o.delivery_start, o.side
                                    ORDER BY o.id) AS running,
           (CASE WHEN o.side = 'BUY' THEN a.charge_power_w ELSE a.discharge_power_w END)
             * p.interval_seconds * $4::int / 3600000 AS limit_wh
    FROM market_order o
    JOIN unnest($2::text[], $3::timestamptz[]) AS w(code, start)
      ON o.product_code = w.code AND o.delivery_start = w.start
    JOIN asset a ON a.id = o.asset_id
    JOIN product p ON p.code = o.product_code
    WHERE o.asset_id = $1 AND o.status = 'OPEN'
  ), cancelled AS (
    UPDATE market_order o SET status = 'CANCELLED'
    FROM candidate c
    WHERE o.id = c.id AND o.status = 'OPEN' AND ($4::int IS NULL OR c.running > c.limit_wh)
    RETURNING o.id
  )
  SELECT id::text AS id FROM cancelled ORDER BY cancelled.id`;

/**
 * Appends a safety event ($1 asset, $2 kind, $3 from, $4 to, $5 at, $6 findings, $7 samples,
 * $8 cancelled order ids, $9 actor) and NOTIFYs its id (delivered on COMMIT). With $10 (ALARM):
 * flags the asset's cleared deliveries that have not ended yet as expected imbalance, from the
 * same snapshot, and counts them in the event's effects.
 */
export const INSERT_EVENT = `
  WITH flagged AS (
    SELECT o.id AS order_id, o.product_code, o.delivery_start, o.side, r.filled_wh
    FROM market_order o
    JOIN order_result r ON r.order_id = o.id
    JOIN product p ON p.code = o.product_code
    WHERE $10::boolean AND o.asset_id = $1 AND r.filled_wh > 0
      AND o.delivery_start + make_interval(secs => p.interval_seconds) > clock_timestamp()
  ), event AS (
    INSERT INTO safety_event (asset_id, kind, from_level, to_level, at, findings, samples, effects,
                              actor_id)
    SELECT $1, $2, $3, $4, $5, $6::jsonb, $7::jsonb,
           jsonb_build_object('cancelledOrderIds', to_jsonb($8::text[]),
                              'expectedImbalances', (SELECT count(*) FROM flagged)),
           $9
    RETURNING *
  ), imbalance AS (
    INSERT INTO expected_imbalance (safety_event_id, asset_id, order_id, product_code,
                                    delivery_start, side, filled_wh)
    SELECT e.id, $1, f.order_id, f.product_code, f.delivery_start, f.side, f.filled_wh
    FROM flagged f, event e
  )
  SELECT ${eventColumns('event')}, pg_notify('${SAFETY_CHANNEL}', event.id::text) FROM event`;

function eventColumns(alias: string): string {
  return `${alias}.id::text AS id, ${alias}.asset_id, ${alias}.kind, ${alias}.from_level,
    ${alias}.to_level, ${alias}.at, ${alias}.findings, ${alias}.samples, ${alias}.effects,
    ${alias}.actor_id, ${alias}.recorded_at,
    (SELECT participant_id FROM asset WHERE id = ${alias}.asset_id) AS participant_id`;
}

export interface EventSqlRow {
  id: string;
  asset_id: string;
  participant_id: string;
  kind: string;
  from_level: string;
  to_level: string;
  at: Date;
  findings: unknown;
  samples: unknown;
  effects: { cancelledOrderIds: string[]; expectedImbalances: number };
  actor_id: string | null;
  recorded_at: Date;
}

/** One event ($1). */
export const FIND_EVENT = `SELECT ${eventColumns('e')} FROM safety_event e WHERE e.id = $1`;

/**
 * Events newest first: of an asset ($1) or of a participant's assets ($2) or all (both NULL),
 * with ids below $3 (keyset; NULL: from the newest), at most $4.
 */
export const LIST_EVENTS = `
  SELECT ${eventColumns('e')} FROM safety_event e
  WHERE ($1::uuid IS NULL OR e.asset_id = $1)
    AND ($2::uuid IS NULL OR e.asset_id IN (SELECT id FROM asset WHERE participant_id = $2))
    AND ($3::bigint IS NULL OR e.id < $3)
  ORDER BY e.id DESC LIMIT $4`;

/** Cleared deliveries flagged as expected imbalance whose delivery has not ended, soonest first. */
export const LIST_IMBALANCES = `
  SELECT x.id::text AS id, x.safety_event_id::text AS safety_event_id, x.asset_id,
         a.participant_id, x.order_id::text AS order_id, x.product_code, x.delivery_start, x.side,
         x.filled_wh::text AS filled_wh, x.flagged_at
  FROM expected_imbalance x JOIN asset a ON a.id = x.asset_id
  JOIN product p ON p.code = x.product_code
  WHERE x.delivery_start + make_interval(secs => p.interval_seconds) > clock_timestamp()
  ORDER BY x.delivery_start, x.id LIMIT $1`;

export interface ImbalanceSqlRow {
  id: string;
  safety_event_id: string;
  asset_id: string;
  participant_id: string;
  order_id: string;
  product_code: string;
  delivery_start: Date;
  side: 'BUY' | 'SELL';
  filled_wh: string;
  flagged_at: Date;
}

/**
 * The sweep: up to $2 assets from which no telemetry arrived (or, before any, since registration)
 * for longer than their kind's silence ($1: jsonb of the
 * default rules per kind, used where the operator set none), locked with SKIP LOCKED so that
 * replicas share the work; only those the silence would change (below WARNING, or counting down
 * to a fall).
 */
export const LOCK_SILENT_ASSETS = `
  SELECT ${ASSET_COLUMNS}, clock_timestamp() AS db_now FROM ${ASSET_FROM}
  WHERE (s.level IN ('NORMAL', 'WATCH') OR s.below_since IS NOT NULL)
    AND (coalesce(r.rules, $1::jsonb -> a.kind) ->> 'silenceSeconds') IS NOT NULL
    AND coalesce(s.last_received_at, s.monitored_since)
        < clock_timestamp()
          - make_interval(secs => (coalesce(r.rules, $1::jsonb -> a.kind) ->> 'silenceSeconds')::int)
  ORDER BY a.id
  LIMIT $2
  FOR UPDATE OF s SKIP LOCKED`;

/** The operator's rules of a kind ($1 kind, $2 rules, $3 actor): insert or replace. */
export const UPSERT_RULES = `
  INSERT INTO safety_rules (kind, rules, updated_by) VALUES ($1, $2::jsonb, $3)
  ON CONFLICT (kind) DO UPDATE SET rules = EXCLUDED.rules, updated_by = EXCLUDED.updated_by,
                                   updated_at = now()
  RETURNING kind, rules, updated_at`;

/** Every kind's stored rules. */
export const LIST_RULES = `SELECT kind, rules, updated_at FROM safety_rules`;
