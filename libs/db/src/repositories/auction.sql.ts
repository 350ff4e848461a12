/**
 * The SQL of the integrated auction's repositories (AuctionRepository for the API,
 * AuctionClearingRepository for the matcher): every statement, as named constants. int8 and
 * numeric travel as text.
 */

/** How far ahead an auction may be opened: its gate within this many days from now. */
export const AUCTION_HORIZON_DAYS = 31;

/** A series' columns as the repositories read them. */
export const SERIES_COLUMNS = `code, name, interval_seconds, intervals, gate_closure_seconds,
  price_tick::text AS price_tick, min_price::text AS min_price, max_price::text AS max_price,
  k::text AS k, carriers`;

export const LIST_SERIES = `SELECT ${SERIES_COLUMNS} FROM auction_series ORDER BY code`;

/** Insert or replace a series' settings ($1 code … $10 carriers); auctions opened keep theirs. */
export const UPSERT_SERIES = `
  INSERT INTO auction_series (code, name, interval_seconds, intervals, gate_closure_seconds,
                              price_tick, min_price, max_price, k, carriers)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
    interval_seconds = EXCLUDED.interval_seconds, intervals = EXCLUDED.intervals,
    gate_closure_seconds = EXCLUDED.gate_closure_seconds, price_tick = EXCLUDED.price_tick,
    min_price = EXCLUDED.min_price, max_price = EXCLUDED.max_price, k = EXCLUDED.k,
    carriers = EXCLUDED.carriers, updated_at = now()
  RETURNING ${SERIES_COLUMNS}`;

/** An auction's frozen terms (`auction a`). */
export const AUCTION_COLUMNS = `a.series_code, a.delivery_start, a.gate_closure_at,
  a.interval_seconds, a.intervals, a.price_tick::text AS price_tick,
  a.min_price::text AS min_price, a.max_price::text AS max_price, a.k::text AS k, a.carriers,
  a.state`;

/**
 * 1st statement of a submission ($1 participant, $2 series codes, $3 delivery starts): share-locks
 * the participant (a suspension waits for in-flight submissions), opens the batch's auctions of
 * known series whose start is an auction boundary (a multiple of intervals × intervalSeconds since
 * the epoch) and whose gate is still ahead, within the horizon; returns the participant, the
 * database's clock and the series the batch names.
 */
export const LOCK_AND_OPEN_AUCTIONS = `
  WITH me AS (
    SELECT suspended_reason FROM participant WHERE id = $1 FOR SHARE
  ), wanted AS (
    SELECT DISTINCT w.code, w.start FROM unnest($2::text[], $3::timestamptz[]) AS w(code, start)
  ), opened AS (
    INSERT INTO auction (series_code, delivery_start, gate_closure_at, interval_seconds, intervals,
                         price_tick, min_price, max_price, k, carriers)
    SELECT w.code, w.start, w.start, 0, 0, 0, 0, 0, 0, '[]'
    FROM wanted w JOIN auction_series s ON s.code = w.code
    WHERE mod(extract(epoch FROM w.start)::numeric, (s.interval_seconds * s.intervals)::numeric) = 0
      AND w.start - make_interval(secs => s.gate_closure_seconds) > clock_timestamp()
      AND w.start - make_interval(secs => s.gate_closure_seconds)
          <= clock_timestamp() + interval '${AUCTION_HORIZON_DAYS} days'
    ORDER BY w.code, w.start
    ON CONFLICT DO NOTHING
    RETURNING series_code
  )
  SELECT EXISTS (SELECT 1 FROM me) AS found, (SELECT suspended_reason FROM me) AS suspended_reason,
         (SELECT count(*) FROM opened)::int AS opened, clock_timestamp() AS db_now,
         (SELECT coalesce(json_agg(json_build_object('code', s.code,
                   'intervalSeconds', s.interval_seconds, 'intervals', s.intervals,
                   'gateClosureSeconds', s.gate_closure_seconds)), '[]')
          FROM auction_series s WHERE s.code IN (SELECT code FROM wanted)) AS series`;

/** 2nd statement: the frozen terms of the batch's auctions ($1 codes, $2 starts) that exist. */
export const AUCTIONS_OF = `SELECT ${AUCTION_COLUMNS}
  FROM auction a JOIN unnest($1::text[], $2::timestamptz[]) AS w(code, start)
    ON a.series_code = w.code AND a.delivery_start = w.start`;

/** One auction's frozen terms ($1, $2). */
export const AUCTION = `SELECT ${AUCTION_COLUMNS} FROM auction a
  WHERE a.series_code = $1 AND a.delivery_start = $2`;

/** An auction order's columns (`auction_order o`). */
export const ORDER_COLUMNS = `o.id::text AS id, o.participant_id, o.client_order_id, o.series_code,
  o.delivery_start, o.kind, o.terms, o.asset_id, o.status, o.created_at`;

/**
 * The whole batch in one INSERT from arrays, in batch order, skipping clientOrderIds already
 * taken ($1 participant; $2 clientOrderIds, $3 series, $4 starts, $5 kinds, $6 terms as jsonb,
 * $7 asset ids or nulls).
 * The statement trigger checks the gates and adds to the totals.
 */
export const INSERT_AUCTION_ORDERS = `
  INSERT INTO auction_order (participant_id, client_order_id, series_code, delivery_start, kind, terms,
                             asset_id)
  SELECT $1, cid, code, start, kind, terms, asset
  FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::jsonb[], $7::uuid[])
       WITH ORDINALITY AS t(cid, code, start, kind, terms, asset, n)
  ORDER BY n
  ON CONFLICT ON CONSTRAINT auction_order_client_order_id DO NOTHING
  RETURNING id::text AS id, client_order_id, created_at`;

/** The participant's orders under these clientOrderIds ($1 participant, $2 ids). */
export const FIND_BY_CLIENT_ORDER_IDS = `SELECT ${ORDER_COLUMNS} FROM auction_order o
  WHERE o.participant_id = $1 AND o.client_order_id = ANY($2::text[])`;

/** An order by id ($1). */
export const FIND_BY_ID = `SELECT ${ORDER_COLUMNS} FROM auction_order o WHERE o.id = $1`;

/**
 * A cancellation's look ($1 id, $2 participant): the order and whether its gate is open, without
 * a lock. Then `CANCEL_LOCK_AUCTION` share-locks the auction and `CANCEL_ORDER` updates.
 */
export const CANCEL_LOOK = `SELECT ${ORDER_COLUMNS},
    (a.state = 'OPEN' AND clock_timestamp() < a.gate_closure_at) AS open
  FROM auction_order o JOIN auction a USING (series_code, delivery_start)
  WHERE o.id = $1 AND o.participant_id = $2`;

export const CANCEL_LOCK_AUCTION = `SELECT (state = 'OPEN' AND clock_timestamp() < gate_closure_at) AS open
  FROM auction WHERE series_code = $1 AND delivery_start = $2 FOR SHARE`;

export const CANCEL_ORDER = `UPDATE auction_order o SET status = 'CANCELLED'
  WHERE o.id = $1 AND o.status = 'OPEN' RETURNING ${ORDER_COLUMNS}`;

/** Orders that the auditor may see: their auction's gate has closed. */
export const GATE_CLOSED_CONDITION = `EXISTS (SELECT 1 FROM auction a
  WHERE a.series_code = o.series_code AND a.delivery_start = o.delivery_start
    AND a.gate_closure_at <= clock_timestamp())`;

/** A page of orders, newest first, with the given conditions; `limit` is a parameter. */
export function listAuctionOrders(where: readonly string[], limit: string): string {
  return `SELECT ${ORDER_COLUMNS} FROM auction_order o
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY o.id DESC LIMIT ${limit}`;
}

/** The OPEN orders of an auction ($1, $2) in id order: the book the matcher clears. */
export const OPEN_BOOK = `SELECT o.id::text AS id, o.participant_id::text AS participant_id,
    o.client_order_id, o.terms
  FROM auction_order o
  WHERE o.series_code = $1 AND o.delivery_start = $2 AND o.status = 'OPEN'
  ORDER BY o.id`;

/**
 * The book an auction was cleared with ($1, $2): every order not cancelled (nothing changes
 * after the gate).
 */
export const STORED_BOOK = OPEN_BOOK;

/**
 * The due auction with the earliest gate that no other matcher holds and that is not waiting out
 * its backoff ($1 series or null for all, $2 max attempts, $3 backoff ms, $4 series codes and $5
 * starts to skip), with its attempts so far. Locked NO KEY UPDATE: order inserts and
 * cancellations (FOR SHARE) wait for it, other matchers skip it.
 */
export const CLAIM_AUCTION = `
  SELECT ${AUCTION_COLUMNS}, t.attempts
  FROM auction a
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE c.event = 'STARTED')::int AS attempts, max(c.at) AS last_at
    FROM auction_attempt c
    WHERE c.series_code = a.series_code AND c.delivery_start = a.delivery_start
  ) t
  WHERE a.state = 'OPEN' AND a.gate_closure_at <= now()
    AND ($1::text[] IS NULL OR a.series_code = ANY($1::text[]))
    AND NOT EXISTS (SELECT 1 FROM unnest($4::text[], $5::timestamptz[]) AS s(code, start)
                    WHERE s.code = a.series_code AND s.start = a.delivery_start)
    AND (t.attempts = 0 OR t.attempts >= $2::int
         OR t.last_at + $3::double precision * power(2, least(t.attempts - 1, 20))
                        * interval '1 millisecond' <= clock_timestamp())
  ORDER BY a.gate_closure_at, a.series_code
  LIMIT 1
  FOR NO KEY UPDATE OF a SKIP LOCKED`;

export const INSERT_ATTEMPT = `INSERT INTO auction_attempt (series_code, delivery_start, matcher_id, event, error)
  VALUES ($1, $2, $3, $4, $5)`;

export const LAST_ATTEMPT_ERROR = `SELECT error FROM auction_attempt
  WHERE series_code = $1 AND delivery_start = $2 ORDER BY id DESC LIMIT 1`;

export const INSERT_FAILURE = `INSERT INTO auction_failure (series_code, delivery_start, attempts,
    reason, order_count, matcher_id)
  SELECT $1, $2, $3, $4, count(*), $5
  FROM auction_order WHERE series_code = $1 AND delivery_start = $2 AND status = 'OPEN'`;

export const MARK_AUCTION = `UPDATE auction SET state = $3
  WHERE series_code = $1 AND delivery_start = $2`;

/** The result header ($1 … $17 in column order). */
export const INSERT_RESULT = `INSERT INTO auction_result (series_code, delivery_start, status, solver,
    welfare, rounding_minor, accepted_blocks, removed_blocks, paradoxically_rejected, fallback,
    order_count, award_count, input_hash, result_hash, matcher_version, matcher_id, timings)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`;

export const INSERT_PRICES = `INSERT INTO auction_price (series_code, delivery_start, carrier,
    interval, price_ticks, price, low, high, exact, volume_wh, import_wh, export_wh)
  SELECT $1, $2, * FROM unnest($3::text[], $4::int[], $5::bigint[], $6::numeric[], $7::text[],
                               $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[])`;

export const COPY_AWARDS =
  'COPY auction_award (series_code, delivery_start, line, party, order_id, participant_id, carrier, interval, side, quantity_wh, price_ticks, amount_minor) FROM STDIN';

/** Order outcomes, by COPY (arrays in PostgreSQL's array text, `\\N` for none). */
export const COPY_ORDER_RESULTS =
  'COPY auction_order_result (order_id, series_code, delivery_start, kind, filled_wh, fraction, block_outcome, input_wh, charge_wh, discharge_wh, state_wh, storage_values, shortfall_wh) FROM STDIN';

/** A journal of an auction after the head ($5 its hash), returning its id. */
export const INSERT_AUCTION_JOURNAL = `INSERT INTO journal (auction_series, delivery_start, entry_count,
    debit_minor, prev_hash, hash, hash_version)
  VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`;

/** The stored result header ($1, $2). */
export const RESULT_HEADER = `SELECT r.status, r.solver, r.welfare::text AS welfare,
    r.rounding_minor::text AS rounding_minor, r.accepted_blocks, r.removed_blocks,
    r.paradoxically_rejected, r.fallback, r.order_count, r.award_count, r.input_hash,
    r.result_hash, r.matcher_id, r.timings, r.cleared_at
  FROM auction_result r WHERE r.series_code = $1 AND r.delivery_start = $2`;

export const RESULT_PRICES = `SELECT carrier, interval, price_ticks::text AS price_ticks,
    price::text AS price, low, high, exact, volume_wh::text AS volume_wh,
    import_wh::text AS import_wh, export_wh::text AS export_wh
  FROM auction_price WHERE series_code = $1 AND delivery_start = $2
  ORDER BY carrier, interval`;

/** Award lines ($1, $2), of one participant only when $3 is not null. */
export const RESULT_AWARDS = `SELECT line, party, order_id::text AS order_id,
    participant_id::text AS participant_id, carrier, interval, side,
    quantity_wh::text AS quantity_wh, price_ticks::text AS price_ticks,
    amount_minor::text AS amount_minor
  FROM auction_award WHERE series_code = $1 AND delivery_start = $2
    AND ($3::uuid IS NULL OR participant_id = $3)
  ORDER BY line`;

/** Order outcomes ($1, $2), of one participant's orders only when $3 is not null. */
export const RESULT_ORDERS = `SELECT r.order_id::text AS order_id, r.kind, r.filled_wh::text AS filled_wh,
    r.fraction, r.block_outcome, r.input_wh::text[] AS input_wh, r.charge_wh::text[] AS charge_wh,
    r.discharge_wh::text[] AS discharge_wh, r.state_wh, r.storage_values,
    r.shortfall_wh::text AS shortfall_wh,
    o.client_order_id, o.participant_id::text AS participant_id
  FROM auction_order_result r JOIN auction_order o ON o.id = r.order_id
  WHERE r.series_code = $1 AND r.delivery_start = $2 AND ($3::uuid IS NULL OR o.participant_id = $3)
  ORDER BY r.order_id`;

export const FAILURE_OF = `SELECT reason, failed_at FROM auction_failure
  WHERE series_code = $1 AND delivery_start = $2`;

/** The auction's journal and its entries ($1, $2). */
export const AUCTION_JOURNAL = `SELECT j.id::text AS id, j.entry_count, j.debit_minor::text AS debit_minor,
    j.prev_hash, j.hash, j.hash_version
  FROM journal j WHERE j.auction_series = $1 AND j.delivery_start = $2`;

export const JOURNAL_ENTRIES = `SELECT line, account_id::text AS account_id, kind, fill_seq,
    energy_wh::text AS energy_wh, amount_minor::text AS amount_minor
  FROM ledger_entry WHERE journal_id = $1 ORDER BY line`;

/**
 * Suspension, step 1: share-lock (in key order) the OPEN auctions whose gate is still open and
 * that hold OPEN orders of the participant ($1), as a cancellation would.
 */
export const LOCK_OPEN_AUCTIONS_WITH_ORDERS_OF = `
  SELECT a.series_code, a.delivery_start FROM auction a
  WHERE a.state = 'OPEN' AND a.gate_closure_at > clock_timestamp()
    AND EXISTS (SELECT 1 FROM auction_order o
                WHERE o.participant_id = $1 AND o.status = 'OPEN'
                  AND o.series_code = a.series_code AND o.delivery_start = a.delivery_start)
  ORDER BY a.series_code, a.delivery_start
  FOR SHARE`;

/** Safety linkage, step 1: the open auctions with OPEN orders of an asset ($1), share-locked. */
export const LOCK_OPEN_AUCTIONS_WITH_ORDERS_OF_ASSET = `
  SELECT a.series_code, a.delivery_start FROM auction a
  WHERE a.state = 'OPEN' AND a.gate_closure_at > clock_timestamp()
    AND EXISTS (SELECT 1 FROM auction_order o
                WHERE o.asset_id = $1 AND o.status = 'OPEN'
                  AND o.series_code = a.series_code AND o.delivery_start = a.delivery_start)
  ORDER BY a.series_code, a.delivery_start
  FOR SHARE`;

/** Safety linkage, step 2: the asset's ($1) OPEN orders in those auctions ($2, $3), with their terms. */
export const OPEN_AUCTION_ORDERS_OF_ASSET_IN = `
  SELECT o.id::text AS id, a.interval_seconds, o.terms
  FROM auction_order o
  JOIN unnest($2::text[], $3::timestamptz[]) AS w(code, start)
    ON o.series_code = w.code AND o.delivery_start = w.start
  JOIN auction a ON a.series_code = o.series_code AND a.delivery_start = o.delivery_start
  WHERE o.asset_id = $1 AND o.status = 'OPEN'
  ORDER BY o.id`;

/** Safety linkage, step 3: cancel these OPEN orders ($1 ids); returns the ids cancelled. */
export const CANCEL_AUCTION_ORDERS_BY_ID = `
  UPDATE auction_order SET status = 'CANCELLED'
  WHERE id = ANY($1::bigint[]) AND status = 'OPEN'
  RETURNING id::text AS id`;

/** Suspension, step 2: cancel the participant's ($1) OPEN orders in those auctions ($2, $3). */
export const CANCEL_OPEN_AUCTION_ORDERS_IN = `
  WITH cancelled AS (
    UPDATE auction_order o SET status = 'CANCELLED'
    FROM unnest($2::text[], $3::timestamptz[]) AS w(code, start)
    WHERE o.participant_id = $1 AND o.status = 'OPEN'
      AND o.series_code = w.code AND o.delivery_start = w.start
    RETURNING 1
  )
  SELECT count(*)::int AS n FROM cancelled`;
