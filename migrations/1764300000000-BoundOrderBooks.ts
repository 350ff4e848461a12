import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bounded books, and a gate that means acknowledgement.
 *
 * Bounds (every path that writes orders obeys them: they are checked by triggers):
 * - per product-interval and side: at most `book_side_limit_wh()` = 10^15 Wh in total, and a
 *   value of at most `book_side_limit_minor()` = 10^15 minor units, both for total Wh ×
 *   max(|minPrice|, |maxPrice|) and for total Wh × network fee of the interval's frozen terms
 *   (Wh × currency per kWh / 10 = minor units, rounded up). libs/market/src/book-limits.ts
 *   mirrors the constants and shows why they keep every sum of a clearing (volume, amounts,
 *   fees, fill rounding) below 2^53;
 * - per participant, product-interval and side: at most the interval's
 *   `max_participant_quantity_wh`, a product setting frozen when the interval opens.
 * The totals live in interval_book_total and participant_book_total, kept by the statement
 * triggers of market_order (one upsert per interval-side per statement, rows locked in key
 * order; a cancellation subtracts). Those functions are SECURITY DEFINER so that the totals need
 * no write privilege of the application's role. A refusal is SQLSTATE PX004 with a JSON DETAIL.
 *
 * The gate means acknowledgement: an insert or a cancellation whose transaction commits after
 * the interval's gate is refused at COMMIT (PX001) by a deferred constraint trigger on the
 * interval's total, one check per touched interval-side and statement, on clock_timestamp().
 * Late statements learn that the gate has closed before they take the interval's share lock, so
 * they never keep a matcher's `FOR UPDATE SKIP LOCKED` claim off it.
 */
export class BoundOrderBooks1764300000000 implements MigrationInterface {
  name = 'BoundOrderBooks1764300000000';

  async up(db: QueryRunner): Promise<void> {
    // The two bounds per product-interval and side, in one place.
    await db.query(`
      CREATE FUNCTION book_side_limit_wh() RETURNS bigint
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 1000000000000000::bigint'`);
    await db.query(`
      CREATE FUNCTION book_side_limit_minor() RETURNS bigint
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT 1000000000000000::bigint'`);

    // 100,000 kWh by default (DEFAULT_MAX_PARTICIPANT_QUANTITY_WH in libs/market).
    await db.query(`
      ALTER TABLE product ADD COLUMN max_participant_quantity_wh bigint NOT NULL DEFAULT 100000000
        CONSTRAINT product_max_participant_quantity
        CHECK (max_participant_quantity_wh > 0 AND max_participant_quantity_wh <= book_side_limit_wh())`);
    // Intervals already open keep the default, like the products they opened from.
    await db.query(`
      ALTER TABLE product_interval ADD COLUMN max_participant_quantity_wh bigint NOT NULL DEFAULT 100000000`);
    await db.query(
      `ALTER TABLE product_interval ALTER COLUMN max_participant_quantity_wh DROP DEFAULT`,
    );
    await db.query(`
      CREATE OR REPLACE FUNCTION product_interval_freeze_terms() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT p.price_tick, p.min_price, p.max_price, p.mechanism, p.k, p.network_fee,
               p.max_participant_quantity_wh
          INTO NEW.price_tick, NEW.min_price, NEW.max_price, NEW.mechanism, NEW.k, NEW.network_fee,
               NEW.max_participant_quantity_wh
        FROM product p WHERE p.code = NEW.product_code;
        RETURN NEW;
      END $$`);

    await db.query(`
      CREATE TABLE interval_book_total (
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        side text NOT NULL CHECK (side IN ('BUY', 'SELL')),
        quantity_wh bigint NOT NULL CHECK (quantity_wh >= 0),
        PRIMARY KEY (product_code, delivery_start, side),
        FOREIGN KEY (product_code, delivery_start)
          REFERENCES product_interval (product_code, delivery_start)
      )`);
    await db.query(`
      CREATE TABLE participant_book_total (
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        side text NOT NULL CHECK (side IN ('BUY', 'SELL')),
        participant_id uuid NOT NULL REFERENCES participant (id),
        quantity_wh bigint NOT NULL CHECK (quantity_wh >= 0),
        PRIMARY KEY (product_code, delivery_start, side, participant_id),
        FOREIGN KEY (product_code, delivery_start)
          REFERENCES product_interval (product_code, delivery_start)
      )`);
    // The books as they stand (orders keep status OPEN after clearing: those count too).
    await db.query(`
      INSERT INTO interval_book_total (product_code, delivery_start, side, quantity_wh)
      SELECT product_code, delivery_start, side, sum(quantity_wh) FROM market_order
      WHERE status = 'OPEN' GROUP BY 1, 2, 3`);
    await db.query(`
      INSERT INTO participant_book_total (product_code, delivery_start, side, participant_id, quantity_wh)
      SELECT product_code, delivery_start, side, participant_id, sum(quantity_wh) FROM market_order
      WHERE status = 'OPEN' GROUP BY 1, 2, 3, 4`);

    // Gate closure of an insert: learn it without a lock first (a late statement must neither
    // wait for the interval's lock nor hold it), then lock every interval of the statement (in
    // key order) and check again under the lock, in a fresh snapshot.
    await db.query(`
      CREATE OR REPLACE FUNCTION market_order_check_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        closed record;
        off_grid record;
      BEGIN
        SELECT i.product_code, i.delivery_start INTO closed
        FROM product_interval i
        JOIN (SELECT DISTINCT product_code, delivery_start FROM new_orders) n
          USING (product_code, delivery_start)
        WHERE i.state <> 'OPEN' OR clock_timestamp() >= i.gate_closure_at
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'the gate of % % has closed', closed.product_code, closed.delivery_start
            USING ERRCODE = 'PX001';
        END IF;
        PERFORM 1
        FROM product_interval i
        JOIN (SELECT DISTINCT product_code, delivery_start FROM new_orders) n
          USING (product_code, delivery_start)
        ORDER BY i.product_code, i.delivery_start
        FOR SHARE OF i;
        -- Every order's interval must exist. This replaces a foreign key, whose check per row
        -- (a lookup and a lock on the same interval row for each order of a bulk insert)
        -- cost a third of the insert time.
        SELECT n.product_code, n.delivery_start INTO closed
        FROM (SELECT DISTINCT product_code, delivery_start FROM new_orders) n
        WHERE NOT EXISTS (SELECT 1 FROM product_interval i
                          WHERE i.product_code = n.product_code AND i.delivery_start = n.delivery_start)
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'no product-interval % %', closed.product_code, closed.delivery_start
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        SELECT i.product_code, i.delivery_start INTO closed
        FROM product_interval i
        JOIN (SELECT DISTINCT product_code, delivery_start FROM new_orders) n
          USING (product_code, delivery_start)
        WHERE i.state <> 'OPEN' OR clock_timestamp() >= i.gate_closure_at
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'the gate of % % has closed', closed.product_code, closed.delivery_start
            USING ERRCODE = 'PX001';
        END IF;
        -- Prices on the grid of their interval (the API checks the product's current grid;
        -- they differ only after the operator changed the product while the interval was open).
        SELECT o.price, i.price_tick, i.min_price, i.max_price, i.product_code, i.delivery_start
          INTO off_grid
        FROM new_orders o JOIN product_interval i USING (product_code, delivery_start)
        WHERE mod(o.price, i.price_tick) <> 0 OR o.price < i.min_price OR o.price > i.max_price
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'price % is not on the grid of the % interval starting % (tick %, from % to %), which keeps the terms it opened with',
            off_grid.price, off_grid.product_code, off_grid.delivery_start, off_grid.price_tick,
            off_grid.min_price, off_grid.max_price
            USING ERRCODE = 'PX003';
        END IF;
        RETURN NULL;
      END $$`);

    // After the gate check (triggers of one event fire in name order: gate < limits): add the
    // statement's orders to the totals, one upsert per interval-side and per participant too,
    // in key order, and refuse the statement if a total passes its bound.
    await db.query(`
      CREATE FUNCTION market_order_add_to_books() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        over record;
      BEGIN
        WITH added AS (
          SELECT product_code, delivery_start, side, sum(quantity_wh) AS quantity_wh
          FROM new_orders GROUP BY 1, 2, 3
        ), total AS (
          INSERT INTO interval_book_total AS t (product_code, delivery_start, side, quantity_wh)
          SELECT product_code, delivery_start, side, quantity_wh FROM added ORDER BY 1, 2, 3
          ON CONFLICT (product_code, delivery_start, side)
            DO UPDATE SET quantity_wh = t.quantity_wh + EXCLUDED.quantity_wh
          RETURNING t.product_code, t.delivery_start, t.side, t.quantity_wh
        ), valued AS (
          SELECT t.*, greatest(abs(i.min_price), abs(i.max_price)) AS price_cap, i.network_fee,
                 ceil(t.quantity_wh * greatest(abs(i.min_price), abs(i.max_price)) / 10) AS value_minor,
                 ceil(t.quantity_wh * i.network_fee / 10) AS fee_minor
          FROM total t JOIN product_interval i USING (product_code, delivery_start)
        )
        SELECT * INTO over FROM valued v
        WHERE v.quantity_wh > book_side_limit_wh() OR v.value_minor > book_side_limit_minor()
           OR v.fee_minor > book_side_limit_minor()
        ORDER BY v.product_code, v.delivery_start, v.side
        LIMIT 1;
        IF FOUND THEN
          IF over.quantity_wh > book_side_limit_wh() THEN
            RAISE EXCEPTION 'the % side of % % would hold % Wh, more than % Wh',
              over.side, over.product_code, over.delivery_start, over.quantity_wh, book_side_limit_wh()
              USING ERRCODE = 'PX004', DETAIL = json_build_object(
                'reason', 'INTERVAL_VOLUME_LIMIT', 'productCode', over.product_code,
                'deliveryStart', over.delivery_start, 'side', over.side,
                'totalWh', over.quantity_wh::text, 'limitWh', book_side_limit_wh()::text);
          END IF;
          RAISE EXCEPTION 'the % side of % % would be worth % minor units, more than %',
            over.side, over.product_code, over.delivery_start,
            greatest(over.value_minor, over.fee_minor), book_side_limit_minor()
            USING ERRCODE = 'PX004', DETAIL = json_build_object(
              'reason', 'INTERVAL_MONEY_LIMIT', 'productCode', over.product_code,
              'deliveryStart', over.delivery_start, 'side', over.side,
              'totalWh', over.quantity_wh::text,
              'basis', CASE WHEN over.value_minor > book_side_limit_minor() THEN 'PRICE' ELSE 'NETWORK_FEE' END,
              'rate', (CASE WHEN over.value_minor > book_side_limit_minor() THEN over.price_cap
                            ELSE over.network_fee END)::text,
              'totalMinor', greatest(over.value_minor, over.fee_minor)::text,
              'limitMinor', book_side_limit_minor()::text);
        END IF;

        WITH added AS (
          SELECT product_code, delivery_start, side, participant_id, sum(quantity_wh) AS quantity_wh
          FROM new_orders GROUP BY 1, 2, 3, 4
        ), total AS (
          INSERT INTO participant_book_total AS t
            (product_code, delivery_start, side, participant_id, quantity_wh)
          SELECT product_code, delivery_start, side, participant_id, quantity_wh
          FROM added ORDER BY 1, 2, 3, 4
          ON CONFLICT (product_code, delivery_start, side, participant_id)
            DO UPDATE SET quantity_wh = t.quantity_wh + EXCLUDED.quantity_wh
          RETURNING t.product_code, t.delivery_start, t.side, t.participant_id, t.quantity_wh
        )
        SELECT t.*, i.max_participant_quantity_wh INTO over
        FROM total t JOIN product_interval i USING (product_code, delivery_start)
        WHERE t.quantity_wh > i.max_participant_quantity_wh
        ORDER BY t.product_code, t.delivery_start, t.side, t.participant_id
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'participant % would hold % Wh on the % side of % %, more than % Wh',
            over.participant_id, over.quantity_wh, over.side, over.product_code,
            over.delivery_start, over.max_participant_quantity_wh
            USING ERRCODE = 'PX004', DETAIL = json_build_object(
              'reason', 'PARTICIPANT_QUANTITY_LIMIT', 'productCode', over.product_code,
              'deliveryStart', over.delivery_start, 'side', over.side,
              'participantId', over.participant_id, 'totalWh', over.quantity_wh::text,
              'limitWh', over.max_participant_quantity_wh::text);
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER market_order_limits AFTER INSERT ON market_order
        REFERENCING NEW TABLE AS new_orders
        FOR EACH STATEMENT EXECUTE FUNCTION market_order_add_to_books()`);

    // A cancellation learns that the gate has closed before it takes the interval's lock too.
    await db.query(`
      CREATE OR REPLACE FUNCTION market_order_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.id, NEW.participant_id, NEW.client_order_id, NEW.product_code, NEW.delivery_start,
            NEW.side, NEW.price, NEW.quantity_wh, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.participant_id, OLD.client_order_id, OLD.product_code, OLD.delivery_start,
            OLD.side, OLD.price, OLD.quantity_wh, OLD.created_at) THEN
          RAISE EXCEPTION 'order % : its terms cannot change', OLD.id USING ERRCODE = 'PX002';
        END IF;
        IF OLD.status <> 'OPEN' THEN
          RAISE EXCEPTION 'order % is % and final', OLD.id, OLD.status USING ERRCODE = 'PX002';
        END IF;
        -- a cancellation, like an insert, needs the interval's gate open: looked at without a
        -- lock first (a late cancel must neither wait for the interval's lock nor hold it),
        -- then again under the interval's share lock
        IF NEW.status = 'CANCELLED' THEN
          IF NOT EXISTS (
            SELECT 1 FROM product_interval i
            WHERE i.product_code = OLD.product_code AND i.delivery_start = OLD.delivery_start
              AND i.state = 'OPEN' AND clock_timestamp() < i.gate_closure_at
          ) THEN
            RAISE EXCEPTION 'the gate of % % has closed', OLD.product_code, OLD.delivery_start
              USING ERRCODE = 'PX001';
          END IF;
          PERFORM 1 FROM product_interval i
          WHERE i.product_code = OLD.product_code AND i.delivery_start = OLD.delivery_start
          FOR SHARE;
          IF NOT EXISTS (
            SELECT 1 FROM product_interval i
            WHERE i.product_code = OLD.product_code AND i.delivery_start = OLD.delivery_start
              AND i.state = 'OPEN' AND clock_timestamp() < i.gate_closure_at
          ) THEN
            RAISE EXCEPTION 'the gate of % % has closed', OLD.product_code, OLD.delivery_start
              USING ERRCODE = 'PX001';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);

    // Cancelled orders leave the totals (a participant's room comes back).
    await db.query(`
      CREATE FUNCTION market_order_remove_from_books() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        PERFORM 1 FROM interval_book_total t
        JOIN (SELECT DISTINCT n.product_code, n.delivery_start, n.side
              FROM new_orders n JOIN old_orders o USING (id)
              WHERE o.status = 'OPEN' AND n.status = 'CANCELLED') c
          USING (product_code, delivery_start, side)
        ORDER BY t.product_code, t.delivery_start, t.side
        FOR UPDATE OF t;
        UPDATE interval_book_total t SET quantity_wh = t.quantity_wh - c.quantity_wh
        FROM (SELECT n.product_code, n.delivery_start, n.side, sum(n.quantity_wh) AS quantity_wh
              FROM new_orders n JOIN old_orders o USING (id)
              WHERE o.status = 'OPEN' AND n.status = 'CANCELLED'
              GROUP BY 1, 2, 3) c
        WHERE t.product_code = c.product_code AND t.delivery_start = c.delivery_start
          AND t.side = c.side;

        PERFORM 1 FROM participant_book_total t
        JOIN (SELECT DISTINCT n.product_code, n.delivery_start, n.side, n.participant_id
              FROM new_orders n JOIN old_orders o USING (id)
              WHERE o.status = 'OPEN' AND n.status = 'CANCELLED') c
          USING (product_code, delivery_start, side, participant_id)
        ORDER BY t.product_code, t.delivery_start, t.side, t.participant_id
        FOR UPDATE OF t;
        UPDATE participant_book_total t SET quantity_wh = t.quantity_wh - c.quantity_wh
        FROM (SELECT n.product_code, n.delivery_start, n.side, n.participant_id,
                     sum(n.quantity_wh) AS quantity_wh
              FROM new_orders n JOIN old_orders o USING (id)
              WHERE o.status = 'OPEN' AND n.status = 'CANCELLED'
              GROUP BY 1, 2, 3, 4) c
        WHERE t.product_code = c.product_code AND t.delivery_start = c.delivery_start
          AND t.side = c.side AND t.participant_id = c.participant_id;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER market_order_limits_release AFTER UPDATE ON market_order
        REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
        FOR EACH STATEMENT EXECUTE FUNCTION market_order_remove_from_books()`);

    // At COMMIT: every interval-side whose total this transaction changed (by an insert or a
    // cancellation) must still have its gate open. Created after the backfill above, which
    // queues no check.
    await db.query(`
      CREATE FUNCTION interval_book_check_gate_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (
          SELECT 1 FROM product_interval i
          WHERE i.product_code = NEW.product_code AND i.delivery_start = NEW.delivery_start
            AND i.state = 'OPEN' AND clock_timestamp() < i.gate_closure_at
        ) THEN
          RAISE EXCEPTION 'the gate of % % closed before this transaction committed',
            NEW.product_code, NEW.delivery_start
            USING ERRCODE = 'PX001';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE CONSTRAINT TRIGGER interval_book_gate_at_commit
        AFTER INSERT OR UPDATE ON interval_book_total
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION interval_book_check_gate_at_commit()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER market_order_limits_release ON market_order`);
    await db.query(`DROP FUNCTION market_order_remove_from_books()`);
    await db.query(`DROP TRIGGER market_order_limits ON market_order`);
    await db.query(`DROP FUNCTION market_order_add_to_books()`);
    await db.query(`DROP TABLE participant_book_total`);
    await db.query(`DROP TABLE interval_book_total`);
    await db.query(`DROP FUNCTION interval_book_check_gate_at_commit()`);
    // The functions as CreateOrderBook1764205200000 made them.
    await db.query(`
      CREATE OR REPLACE FUNCTION market_order_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.id, NEW.participant_id, NEW.client_order_id, NEW.product_code, NEW.delivery_start,
            NEW.side, NEW.price, NEW.quantity_wh, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.participant_id, OLD.client_order_id, OLD.product_code, OLD.delivery_start,
            OLD.side, OLD.price, OLD.quantity_wh, OLD.created_at) THEN
          RAISE EXCEPTION 'order % : its terms cannot change', OLD.id USING ERRCODE = 'PX002';
        END IF;
        IF OLD.status <> 'OPEN' THEN
          RAISE EXCEPTION 'order % is % and final', OLD.id, OLD.status USING ERRCODE = 'PX002';
        END IF;
        IF NEW.status = 'CANCELLED' THEN
          PERFORM 1 FROM product_interval i
          WHERE i.product_code = OLD.product_code AND i.delivery_start = OLD.delivery_start
          FOR SHARE;
          IF NOT EXISTS (
            SELECT 1 FROM product_interval i
            WHERE i.product_code = OLD.product_code AND i.delivery_start = OLD.delivery_start
              AND i.state = 'OPEN' AND clock_timestamp() < i.gate_closure_at
          ) THEN
            RAISE EXCEPTION 'the gate of % % has closed', OLD.product_code, OLD.delivery_start
              USING ERRCODE = 'PX001';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION market_order_check_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        closed record;
        off_grid record;
      BEGIN
        PERFORM 1
        FROM product_interval i
        JOIN (SELECT DISTINCT product_code, delivery_start FROM new_orders) n
          USING (product_code, delivery_start)
        ORDER BY i.product_code, i.delivery_start
        FOR SHARE OF i;
        SELECT n.product_code, n.delivery_start INTO closed
        FROM (SELECT DISTINCT product_code, delivery_start FROM new_orders) n
        WHERE NOT EXISTS (SELECT 1 FROM product_interval i
                          WHERE i.product_code = n.product_code AND i.delivery_start = n.delivery_start)
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'no product-interval % %', closed.product_code, closed.delivery_start
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        SELECT i.product_code, i.delivery_start INTO closed
        FROM product_interval i
        JOIN (SELECT DISTINCT product_code, delivery_start FROM new_orders) n
          USING (product_code, delivery_start)
        WHERE i.state <> 'OPEN' OR clock_timestamp() >= i.gate_closure_at
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'the gate of % % has closed', closed.product_code, closed.delivery_start
            USING ERRCODE = 'PX001';
        END IF;
        SELECT o.price, i.price_tick, i.min_price, i.max_price, i.product_code, i.delivery_start
          INTO off_grid
        FROM new_orders o JOIN product_interval i USING (product_code, delivery_start)
        WHERE mod(o.price, i.price_tick) <> 0 OR o.price < i.min_price OR o.price > i.max_price
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'price % is not on the grid of the % interval starting % (tick %, from % to %), which keeps the terms it opened with',
            off_grid.price, off_grid.product_code, off_grid.delivery_start, off_grid.price_tick,
            off_grid.min_price, off_grid.max_price
            USING ERRCODE = 'PX003';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION product_interval_freeze_terms() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT p.price_tick, p.min_price, p.max_price, p.mechanism, p.k, p.network_fee
          INTO NEW.price_tick, NEW.min_price, NEW.max_price, NEW.mechanism, NEW.k, NEW.network_fee
        FROM product p WHERE p.code = NEW.product_code;
        RETURN NEW;
      END $$`);
    await db.query(`ALTER TABLE product_interval DROP COLUMN max_participant_quantity_wh`);
    await db.query(`ALTER TABLE product DROP COLUMN max_participant_quantity_wh`);
    await db.query(`DROP FUNCTION book_side_limit_minor()`);
    await db.query(`DROP FUNCTION book_side_limit_wh()`);
  }
}
