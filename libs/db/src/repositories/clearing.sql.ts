/**
 * The SQL of ClearingRepository and its ClearingSession: every statement they run, as named
 * constants (the repository keeps the logic). int8 and numeric travel as text.
 */

/** Arbitrary constant: the advisory lock that orders journals into one hash chain. */
export const LEDGER_LOCK = 7_305_003;

/** An interval's clearing terms as stored (product_interval, clearing_result). */
export interface TermsRow {
  price_tick: string;
  min_price: string;
  max_price: string;
  mechanism: 'UNIFORM_PRICE' | 'PAY_AS_BID';
  k: string;
  network_fee: string;
}

export interface ClaimRow extends TermsRow {
  product_code: string;
  delivery_start: Date;
  gate_closure_at: Date;
  state: 'OPEN' | 'RETRYING';
  run: number;
  attempts: number;
}

/**
 * The due product-interval with the earliest gate that is not claimed by another matcher and not
 * waiting out its backoff: OPEN (or RETRYING: the operator's re-run) with its gate closed by the
 * database's clock. `run` counts its FAILED results so far; `attempts` the attempts of this run
 * that STARTED (none of them succeeded, or the interval would not be due: each has failed, by an
 * error or by its matcher's death). After n failed attempts it waits backoff × 2^(n−1) from the
 * last one; once the attempts are used up it is due at once, for its FAILED result. Intervals
 * in `$4`/`$5` (product codes, delivery starts) are skipped: this replica defers them.
 * The lock is NO KEY UPDATE (what the state's UPDATE takes anyway): it keeps other matchers and
 * order inserts (FOR SHARE) out, yet lets the attempt log's foreign-key check on another
 * connection through.
 */
export const CLAIM = `
  SELECT i.product_code, i.delivery_start, i.gate_closure_at, i.state,
         i.price_tick, i.min_price, i.max_price, i.mechanism, i.k, i.network_fee, r.run, a.attempts
  FROM product_interval i
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS run FROM clearing_failure f
    WHERE f.product_code = i.product_code AND f.delivery_start = i.delivery_start
  ) r
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE c.event = 'STARTED')::int AS attempts, max(c.at) AS last_at
    FROM clearing_attempt c
    WHERE c.product_code = i.product_code AND c.delivery_start = i.delivery_start AND c.run = r.run
  ) a
  WHERE i.state IN ('OPEN', 'RETRYING') AND i.gate_closure_at <= now()
    AND ($1::text[] IS NULL OR i.product_code = ANY($1::text[]))
    AND NOT EXISTS (SELECT 1 FROM unnest($4::text[], $5::timestamptz[]) AS s(code, start)
                    WHERE s.code = i.product_code AND s.start = i.delivery_start)
    AND (a.attempts = 0
         OR a.attempts >= CASE WHEN i.state = 'RETRYING' THEN 1 ELSE $2::int END
         OR a.last_at + $3::double precision * power(2, least(a.attempts - 1, 20))
                        * interval '1 millisecond' <= clock_timestamp())
  ORDER BY i.gate_closure_at, i.product_code
  LIMIT 1
  FOR NO KEY UPDATE OF i SKIP LOCKED`;

/**
 * A book of one product-interval ($1, $2) as arrays (row mode), in time priority: id, side, price
 * in ticks of $3 (null when off that tick), quantity, acceptance instant in µs, participant.
 */
function bookOf(condition: string): string {
  return `SELECT id::text, side,
                 CASE WHEN mod(price, $3::numeric) = 0 THEN (price / $3::numeric)::bigint::text END,
                 quantity_wh::text,
                 (extract(epoch FROM created_at) * 1000000)::bigint::text,
                 participant_id::text
          FROM market_order
          WHERE product_code = $1 AND delivery_start = $2 AND ${condition}
          ORDER BY market_order.created_at, market_order.id`;
}

/** The book a claim clears: the OPEN orders (read under the claim's lock on the interval). */
export const OPEN_BOOK = bookOf("status = 'OPEN'");

/**
 * The book a cleared interval was cleared with: every order not cancelled (orders cancelled
 * before the gate were not in it; nothing changes after it).
 */
export const STORED_BOOK = bookOf("status <> 'CANCELLED'");

/** Ledger accounts of these participants ($1, uuid[]) and the utility's (participant_id null). */
export const ACCOUNTS_OF = `SELECT participant_id, id FROM account
  WHERE participant_id = ANY($1::uuid[]) OR kind = 'UTILITY'`;

/** The clearing result of the claimed interval, with its frozen terms ($1…$23 in column order). */
export const INSERT_RESULT = `INSERT INTO clearing_result (product_code, delivery_start, status, price,
    volume_wh, amount_minor, fee_minor, mechanism, k, price_tick, min_price, max_price, network_fee,
    bid_count, offer_count, fill_count, input_hash, result_hash, demand_curve, supply_curve,
    matcher_version, matcher_id, timings)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
          $20, $21, $22, $23)`;

/** The fills, in walk order (`seq`), by COPY (text format). */
export const COPY_FILLS =
  'COPY fill (product_code, delivery_start, seq, buy_order_id, sell_order_id, buyer_id, seller_id, quantity_wh, price, amount_minor) FROM STDIN';

/** The final state of every order of the frozen book, by COPY. */
export const COPY_ORDER_RESULTS = 'COPY order_result (order_id, status, filled_wh) FROM STDIN';

/** The journal's lines, by COPY (`\N` for a line without a fill). */
export const COPY_LEDGER_ENTRIES =
  'COPY ledger_entry (journal_id, line, account_id, kind, fill_seq, energy_wh, amount_minor) FROM STDIN';

/** OPEN or RETRYING → CLEARED for the claimed interval ($1, $2); the state guard checks it. */
export const MARK_CLEARED = `UPDATE product_interval SET state = 'CLEARED'
  WHERE product_code = $1 AND delivery_start = $2`;

/** OPEN or RETRYING → FAILED for the claimed interval ($1, $2). */
export const MARK_FAILED = `UPDATE product_interval SET state = 'FAILED'
  WHERE product_code = $1 AND delivery_start = $2`;

/** The head of the journal chain (read under the ledger lock). */
export const JOURNAL_HEAD = 'SELECT hash FROM journal ORDER BY id DESC LIMIT 1';

/** A journal after the head ($5 its hash), returning its id for the lines. */
export const INSERT_JOURNAL = `INSERT INTO journal (product_code, delivery_start, entry_count,
    debit_minor, prev_hash, hash, hash_version)
  VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`;

/** Sets this transaction's lock_timeout to $1 and returns the one it had (`previous`). */
export const SHORTEN_LOCK_TIMEOUT = `SELECT current_setting('lock_timeout') AS previous,
  set_config('lock_timeout', $1, true)`;

/**
 * Takes the ledger lock ($1) within the short lock_timeout, then restores the previous one ($2)
 * in the same statement: the function in FROM holds the lock before the select list runs.
 */
export const TAKE_LEDGER_LOCK = `SELECT set_config('lock_timeout', $2, true)
  FROM pg_advisory_xact_lock($1)`;

/** NOTIFY on channel $1 with payload $2, delivered when the transaction commits. */
export const NOTIFY = 'SELECT pg_notify($1, $2)';

/** One attempt event (autocommitted on a connection of its own, so it outlives a rollback). */
export const INSERT_ATTEMPT = `INSERT INTO clearing_attempt (product_code, delivery_start, run,
    matcher_id, event, error)
  VALUES ($1, $2, $3, $4, $5, $6)`;

/** The error of the newest attempt event of run $3 of the interval ($1, $2). */
export const LAST_ATTEMPT_ERROR = `SELECT error FROM clearing_attempt
  WHERE product_code = $1 AND delivery_start = $2 AND run = $3
  ORDER BY id DESC LIMIT 1`;

/**
 * The FAILED result of run $3 ($4 attempts, $5 reason, $6 matcher), counting the book's bids
 * and offers as they stand.
 */
export const INSERT_FAILURE = `INSERT INTO clearing_failure (product_code, delivery_start, run,
    attempts, reason, bid_count, offer_count, matcher_id)
  SELECT $1, $2, $3, $4, $5, count(*) FILTER (WHERE side = 'BUY'),
         count(*) FILTER (WHERE side = 'SELL'), $6
  FROM market_order WHERE product_code = $1 AND delivery_start = $2 AND status = 'OPEN'`;

/**
 * Ends (pg_terminate_backend) the session of this database that holds the ledger lock ($1) and
 * has been in one statement longer than $2 ms while the server waits for it (ClientRead: a COPY
 * whose client stopped sending); returns its pid.
 */
export const END_STUCK_LEDGER_HOLDER = `SELECT a.pid, pg_terminate_backend(a.pid) AS ended
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1
    AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND a.state = 'active' AND a.wait_event = 'ClientRead'
    AND a.query_start < clock_timestamp() - $2::double precision * interval '1 millisecond'`;

/** The terms and hashes stored with a clearing result ($1, $2). */
export const STORED_TERMS = `SELECT price_tick, min_price, max_price, mechanism, k, network_fee,
    input_hash, result_hash
  FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`;

/** Product-intervals whose gate has closed and that are not cleared (or re-run) yet. */
export const COUNT_DUE = `SELECT count(*)::int AS n FROM product_interval
  WHERE state IN ('OPEN', 'RETRYING') AND gate_closure_at <= now()`;
