import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Product-intervals and orders, with the gate closure enforced by the database:
 * - every order row locks its product-interval FOR SHARE and checks, under that lock, that the
 *   interval is OPEN and the gate has not closed (clock_timestamp()); a matcher freezes an
 *   interval by locking it FOR UPDATE, so it waits for every in-flight insert to commit and
 *   every later insert waits for the matcher and then sees the interval CLEARED;
 * - an order's terms never change; its status moves once, from OPEN to CANCELLED (the outcome
 *   of clearing goes to order_result, so orders stay as they were when their gate closed).
 */
export class CreateOrderBook1764205200000 implements MigrationInterface {
  name = 'CreateOrderBook1764205200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE product_interval (
        product_code text NOT NULL REFERENCES product (code),
        delivery_start timestamptz NOT NULL,
        gate_closure_at timestamptz NOT NULL,
        price_tick numeric NOT NULL,
        min_price numeric NOT NULL,
        max_price numeric NOT NULL,
        mechanism text NOT NULL,
        k numeric NOT NULL,
        network_fee numeric NOT NULL,
        state text NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'CLEARED')),
        PRIMARY KEY (product_code, delivery_start)
      )`);
    // An interval keeps the product's terms as they were when it opened (its first order):
    // a later change of the product applies to later intervals, and every book stays clearable.
    await db.query(`
      CREATE FUNCTION product_interval_freeze_terms() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT p.price_tick, p.min_price, p.max_price, p.mechanism, p.k, p.network_fee
          INTO NEW.price_tick, NEW.min_price, NEW.max_price, NEW.mechanism, NEW.k, NEW.network_fee
        FROM product p WHERE p.code = NEW.product_code;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER product_interval_terms BEFORE INSERT ON product_interval
        FOR EACH ROW EXECUTE FUNCTION product_interval_freeze_terms()`);
    await db.query(
      `CREATE INDEX product_interval_due ON product_interval (gate_closure_at) WHERE state = 'OPEN'`,
    );

    await db.query(`
      CREATE TABLE market_order (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        participant_id uuid NOT NULL REFERENCES participant (id),
        client_order_id text NOT NULL CHECK (length(client_order_id) BETWEEN 1 AND 100),
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        side text NOT NULL CHECK (side IN ('BUY', 'SELL')),
        price numeric NOT NULL,
        quantity_wh bigint NOT NULL CHECK (quantity_wh > 0),
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CANCELLED')),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT market_order_client_order_id UNIQUE (participant_id, client_order_id)
      )`);
    // The matcher's book query and the interval filter of `orders`.
    await db.query(`CREATE INDEX market_order_book ON market_order (product_code, delivery_start)`);
    // A participant's own orders, newest first, for cursor pagination.
    await db.query(`CREATE INDEX market_order_participant ON market_order (participant_id, id)`);

    // Gate closure, checked once per inserting statement for every interval it touches: lock
    // them all (in key order), then look, in a fresh snapshot, for one that is closed.
    await db.query(`
      CREATE FUNCTION market_order_check_gate() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await db.query(`
      CREATE TRIGGER market_order_gate AFTER INSERT ON market_order
        REFERENCING NEW TABLE AS new_orders
        FOR EACH STATEMENT EXECUTE FUNCTION market_order_check_gate()`);

    // Terms are immutable; the state moves once from OPEN (cancel or clearing); no deletes.
    await db.query(`
      CREATE FUNCTION market_order_guard_update() RETURNS trigger LANGUAGE plpgsql AS $$
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
        -- a cancellation, like an insert, needs the interval's gate open (under its lock)
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
      CREATE TRIGGER market_order_immutable BEFORE UPDATE ON market_order
        FOR EACH ROW EXECUTE FUNCTION market_order_guard_update()`);
    await db.query(`
      CREATE TRIGGER market_order_no_delete BEFORE DELETE ON market_order
        FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE market_order`);
    await db.query(`DROP FUNCTION market_order_guard_update()`);
    await db.query(`DROP FUNCTION market_order_check_gate()`);
    await db.query(`DROP TABLE product_interval`);
    await db.query(`DROP FUNCTION product_interval_freeze_terms()`);
  }
}
