import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The integrated day-ahead auction (libs/auction) on the platform:
 * - `auction_series`: the operator's settings (carriers with their network fee and grid
 *   connection, intervals, gate, price grid, k), seeded with `PARK_DA`;
 * - `auction`: one series and one delivery start, opened by its first order, with the series'
 *   terms frozen when it opens (later changes of the series apply to later auctions), a state
 *   machine OPEN → CLEARED | FAILED guarded here;
 * - `auction_order`: every kind of order (STEP, BLOCK, CONVERSION, STORAGE), its terms as exact
 *   JSON in the engine's units, immutable; status OPEN → CANCELLED while the gate is open. The
 *   gate is enforced like the order book's: inserts and cancellations share-lock the auction and
 *   check its state and gate, and a deferred check at COMMIT (on the participant's totals) refuses
 *   a transaction that commits after the gate;
 * - `auction_total`, `auction_participant_total`: orders, blocks and devices (conversions and
 *   storages) per auction and per participant, kept by SECURITY DEFINER triggers, bounded by
 *   CHECK constraints so that no auction can pass the engine's limits (libs/auction limits.ts);
 * - the outcome, written once by the matcher in the clearing transaction and never changed:
 *   `auction_result`, `auction_price` (published price, the range low/high and the exact dual
 *   per carrier and interval, volumes and grid flows), `auction_award` (every award line),
 *   `auction_order_result` (fills, block fractions, conversion inputs, storage schedules with
 *   their state of charge and values), `auction_attempt` and `auction_failure` (FAILED);
 * - `journal` settles either a product-interval (`product_code`) or an auction
 *   (`auction_series`), one hash chain for both.
 */
export class CreateAuctions1764400000000 implements MigrationInterface {
  name = 'CreateAuctions1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE auction_series (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{0,31}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        interval_seconds integer NOT NULL CHECK (interval_seconds BETWEEN 1 AND 86400),
        intervals integer NOT NULL CHECK (intervals BETWEEN 1 AND 672),
        gate_closure_seconds integer NOT NULL CHECK (gate_closure_seconds BETWEEN 0 AND 2678400),
        price_tick numeric NOT NULL CHECK (price_tick > 0),
        min_price numeric NOT NULL,
        max_price numeric NOT NULL,
        k numeric NOT NULL CHECK (k BETWEEN 0 AND 1),
        carriers jsonb NOT NULL CHECK (jsonb_typeof(carriers) = 'array'
                                       AND jsonb_array_length(carriers) BETWEEN 1 AND 8),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (min_price < max_price)
      )`);
    await db.query(`
      CREATE TRIGGER auction_series_no_delete BEFORE DELETE ON auction_series
        FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    // The park's day-ahead auction: the demo's tariffs (import 0.25, feed-in 0.07 EUR/kWh, the
    // products' network fees), 2,000 kWh import and 1,000 kWh export per quarter hour.
    await db.query(`
      INSERT INTO auction_series (code, name, interval_seconds, intervals, gate_closure_seconds,
                                  price_tick, min_price, max_price, k, carriers)
      VALUES ('PARK_DA', 'Park day-ahead (electricity and heat)', 900, 96, 43200,
              0.0001, -0.5, 4, 0.5,
              '[{"carrier": "ELECTRICITY", "fee": "0.015",
                 "grid": {"importLimitWh": "2000000", "importPrice": "0.25",
                          "exportLimitWh": "1000000", "exportPrice": "0.07"}},
                {"carrier": "HEAT", "fee": "0.005", "grid": null}]'::jsonb)`);

    await db.query(`
      CREATE TABLE auction (
        series_code text NOT NULL REFERENCES auction_series (code),
        delivery_start timestamptz NOT NULL,
        gate_closure_at timestamptz NOT NULL,
        interval_seconds integer NOT NULL,
        intervals integer NOT NULL,
        price_tick numeric NOT NULL,
        min_price numeric NOT NULL,
        max_price numeric NOT NULL,
        k numeric NOT NULL,
        carriers jsonb NOT NULL,
        state text NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'CLEARED', 'FAILED')),
        opened_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (series_code, delivery_start)
      )`);
    // An auction keeps the series' terms as they were when it opened (its first order).
    await db.query(`
      CREATE FUNCTION auction_freeze_terms() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT s.interval_seconds, s.intervals, s.price_tick, s.min_price, s.max_price, s.k,
               s.carriers, NEW.delivery_start - s.gate_closure_seconds * interval '1 second'
          INTO NEW.interval_seconds, NEW.intervals, NEW.price_tick, NEW.min_price, NEW.max_price,
               NEW.k, NEW.carriers, NEW.gate_closure_at
        FROM auction_series s WHERE s.code = NEW.series_code;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER auction_terms BEFORE INSERT ON auction
        FOR EACH ROW EXECUTE FUNCTION auction_freeze_terms()`);
    await db.query(`
      CREATE FUNCTION auction_guard_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' THEN
          RAISE EXCEPTION 'auction rows are never removed: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF to_jsonb(NEW) - 'state' IS DISTINCT FROM to_jsonb(OLD) - 'state' THEN
          RAISE EXCEPTION 'auction % %: its key, terms and gate cannot change',
            OLD.series_code, OLD.delivery_start USING ERRCODE = 'PX010';
        END IF;
        IF NEW.state IS DISTINCT FROM OLD.state
           AND (OLD.state, NEW.state) NOT IN (('OPEN', 'CLEARED'), ('OPEN', 'FAILED')) THEN
          RAISE EXCEPTION 'auction % %: % -> % is not allowed',
            OLD.series_code, OLD.delivery_start, OLD.state, NEW.state USING ERRCODE = 'PX010';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER auction_guard BEFORE UPDATE OR DELETE ON auction
        FOR EACH ROW EXECUTE FUNCTION auction_guard_change()`);
    await db.query(`
      CREATE TRIGGER auction_no_truncate BEFORE TRUNCATE ON auction
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    await db.query(`CREATE INDEX auction_due ON auction (gate_closure_at) WHERE state = 'OPEN'`);

    await db.query(`
      CREATE TABLE auction_order (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        participant_id uuid NOT NULL REFERENCES participant (id),
        client_order_id text NOT NULL CHECK (length(client_order_id) BETWEEN 1 AND 100),
        series_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        kind text NOT NULL CHECK (kind IN ('STEP', 'BLOCK', 'CONVERSION', 'STORAGE')),
        terms jsonb NOT NULL CHECK (jsonb_typeof(terms) = 'object'),
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CANCELLED')),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT auction_order_client_order_id UNIQUE (participant_id, client_order_id)
      )`);
    await db.query(
      `CREATE INDEX auction_order_book ON auction_order (series_code, delivery_start, id)`,
    );
    await db.query(`CREATE INDEX auction_order_participant ON auction_order (participant_id, id)`);

    // Orders, blocks and devices per auction and per participant; the bounds are the engine's
    // (MAX_AUCTION_ORDERS, MAX_BLOCK_ORDERS, MAX_DEVICE_ORDERS) and a tenth of them per
    // participant, so a full auction always validates.
    await db.query(`
      CREATE TABLE auction_total (
        series_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        orders integer NOT NULL CONSTRAINT auction_total_orders CHECK (orders BETWEEN 0 AND 100000),
        blocks integer NOT NULL CONSTRAINT auction_total_blocks CHECK (blocks BETWEEN 0 AND 2000),
        devices integer NOT NULL CONSTRAINT auction_total_devices CHECK (devices BETWEEN 0 AND 500),
        PRIMARY KEY (series_code, delivery_start),
        FOREIGN KEY (series_code, delivery_start) REFERENCES auction (series_code, delivery_start)
      )`);
    await db.query(`
      CREATE TABLE auction_participant_total (
        series_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        participant_id uuid NOT NULL REFERENCES participant (id),
        orders integer NOT NULL
          CONSTRAINT auction_participant_total_orders CHECK (orders BETWEEN 0 AND 10000),
        blocks integer NOT NULL
          CONSTRAINT auction_participant_total_blocks CHECK (blocks BETWEEN 0 AND 200),
        devices integer NOT NULL
          CONSTRAINT auction_participant_total_devices CHECK (devices BETWEEN 0 AND 50),
        PRIMARY KEY (series_code, delivery_start, participant_id),
        FOREIGN KEY (series_code, delivery_start) REFERENCES auction (series_code, delivery_start)
      )`);

    // Gate and totals, once per inserting statement: share-lock the statement's auctions in key
    // order, refuse unknown or closed ones, then add to the totals (their row locks serialise
    // concurrent batches of one auction; their CHECKs are the bounds).
    await db.query(`
      CREATE FUNCTION auction_order_check_insert() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        closed record;
      BEGIN
        PERFORM 1
        FROM auction a
        JOIN (SELECT DISTINCT series_code, delivery_start FROM new_orders) n
          USING (series_code, delivery_start)
        ORDER BY a.series_code, a.delivery_start
        FOR SHARE OF a;
        SELECT n.series_code, n.delivery_start INTO closed
        FROM (SELECT DISTINCT series_code, delivery_start FROM new_orders) n
        WHERE NOT EXISTS (SELECT 1 FROM auction a
                          WHERE a.series_code = n.series_code AND a.delivery_start = n.delivery_start)
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'no auction % %', closed.series_code, closed.delivery_start
            USING ERRCODE = 'foreign_key_violation';
        END IF;
        SELECT a.series_code, a.delivery_start INTO closed
        FROM auction a
        JOIN (SELECT DISTINCT series_code, delivery_start FROM new_orders) n
          USING (series_code, delivery_start)
        WHERE a.state <> 'OPEN' OR clock_timestamp() >= a.gate_closure_at
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'the gate of auction % % has closed', closed.series_code, closed.delivery_start
            USING ERRCODE = 'PX001';
        END IF;
        INSERT INTO auction_total AS t (series_code, delivery_start, orders, blocks, devices)
          SELECT series_code, delivery_start, count(*),
                 count(*) FILTER (WHERE kind = 'BLOCK'),
                 count(*) FILTER (WHERE kind IN ('CONVERSION', 'STORAGE'))
          FROM new_orders GROUP BY series_code, delivery_start
          ORDER BY series_code, delivery_start
        ON CONFLICT (series_code, delivery_start) DO UPDATE
          SET orders = t.orders + EXCLUDED.orders, blocks = t.blocks + EXCLUDED.blocks,
              devices = t.devices + EXCLUDED.devices;
        INSERT INTO auction_participant_total AS t
            (series_code, delivery_start, participant_id, orders, blocks, devices)
          SELECT series_code, delivery_start, participant_id, count(*),
                 count(*) FILTER (WHERE kind = 'BLOCK'),
                 count(*) FILTER (WHERE kind IN ('CONVERSION', 'STORAGE'))
          FROM new_orders GROUP BY series_code, delivery_start, participant_id
          ORDER BY series_code, delivery_start, participant_id
        ON CONFLICT (series_code, delivery_start, participant_id) DO UPDATE
          SET orders = t.orders + EXCLUDED.orders, blocks = t.blocks + EXCLUDED.blocks,
              devices = t.devices + EXCLUDED.devices;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER auction_order_insert AFTER INSERT ON auction_order
        REFERENCING NEW TABLE AS new_orders
        FOR EACH STATEMENT EXECUTE FUNCTION auction_order_check_insert()`);

    // Terms are immutable; the status moves once, OPEN → CANCELLED, while the gate is open.
    await db.query(`
      CREATE FUNCTION auction_order_guard_update() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        IF to_jsonb(NEW) - 'status' IS DISTINCT FROM to_jsonb(OLD) - 'status' THEN
          RAISE EXCEPTION 'auction order %: its terms cannot change', OLD.id USING ERRCODE = 'PX002';
        END IF;
        IF OLD.status <> 'OPEN' THEN
          RAISE EXCEPTION 'auction order % is % and final', OLD.id, OLD.status USING ERRCODE = 'PX002';
        END IF;
        IF NEW.status = 'CANCELLED' THEN
          PERFORM 1 FROM auction a
          WHERE a.series_code = OLD.series_code AND a.delivery_start = OLD.delivery_start
          FOR SHARE;
          IF NOT EXISTS (
            SELECT 1 FROM auction a
            WHERE a.series_code = OLD.series_code AND a.delivery_start = OLD.delivery_start
              AND a.state = 'OPEN' AND clock_timestamp() < a.gate_closure_at
          ) THEN
            RAISE EXCEPTION 'the gate of auction % % has closed', OLD.series_code, OLD.delivery_start
              USING ERRCODE = 'PX001';
          END IF;
          UPDATE auction_total
            SET orders = orders - 1,
                blocks = blocks - (OLD.kind = 'BLOCK')::int,
                devices = devices - (OLD.kind IN ('CONVERSION', 'STORAGE'))::int
          WHERE series_code = OLD.series_code AND delivery_start = OLD.delivery_start;
          UPDATE auction_participant_total
            SET orders = orders - 1,
                blocks = blocks - (OLD.kind = 'BLOCK')::int,
                devices = devices - (OLD.kind IN ('CONVERSION', 'STORAGE'))::int
          WHERE series_code = OLD.series_code AND delivery_start = OLD.delivery_start
            AND participant_id = OLD.participant_id;
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER auction_order_immutable BEFORE UPDATE ON auction_order
        FOR EACH ROW EXECUTE FUNCTION auction_order_guard_update()`);
    await db.query(`
      CREATE TRIGGER auction_order_no_delete BEFORE DELETE ON auction_order
        FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await db.query(`
      CREATE TRIGGER auction_order_no_truncate BEFORE TRUNCATE ON auction_order
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);

    // The gate means acknowledgement: a batch or cancellation that commits after the gate is
    // refused at COMMIT, one check per participant and auction it touched.
    await db.query(`
      CREATE FUNCTION auction_check_gate_at_commit() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        IF NOT EXISTS (
          SELECT 1 FROM auction a
          WHERE a.series_code = NEW.series_code AND a.delivery_start = NEW.delivery_start
            AND a.state = 'OPEN' AND clock_timestamp() < a.gate_closure_at
        ) THEN
          RAISE EXCEPTION 'the gate of auction % % closed before the commit',
            NEW.series_code, NEW.delivery_start USING ERRCODE = 'PX001';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE CONSTRAINT TRIGGER auction_participant_total_gate
        AFTER INSERT OR UPDATE ON auction_participant_total
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION auction_check_gate_at_commit()`);

    await db.query(`
      CREATE TABLE auction_attempt (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        series_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        matcher_id text NOT NULL CHECK (length(matcher_id) <= 200),
        event text NOT NULL CHECK (event IN ('STARTED', 'FAILED')),
        error text CHECK (length(error) <= 2000),
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        FOREIGN KEY (series_code, delivery_start) REFERENCES auction (series_code, delivery_start),
        CHECK ((event = 'FAILED') = (error IS NOT NULL))
      )`);
    await db.query(
      `CREATE INDEX auction_attempt_auction ON auction_attempt (series_code, delivery_start)`,
    );
    await db.query(`
      CREATE TABLE auction_failure (
        series_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        attempts integer NOT NULL CHECK (attempts >= 1),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        order_count integer NOT NULL,
        matcher_id text NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (series_code, delivery_start),
        FOREIGN KEY (series_code, delivery_start) REFERENCES auction (series_code, delivery_start)
      )`);

    await db.query(`
      CREATE TABLE auction_result (
        series_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('CLEARED', 'NO_TRADE')),
        solver text NOT NULL,
        welfare numeric NOT NULL,
        rounding_minor bigint NOT NULL,
        accepted_blocks jsonb NOT NULL,
        removed_blocks jsonb NOT NULL,
        paradoxically_rejected jsonb NOT NULL,
        fallback boolean NOT NULL,
        order_count integer NOT NULL,
        award_count integer NOT NULL,
        input_hash text NOT NULL,
        result_hash text NOT NULL,
        matcher_version text NOT NULL,
        matcher_id text NOT NULL,
        timings jsonb NOT NULL,
        cleared_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (series_code, delivery_start),
        FOREIGN KEY (series_code, delivery_start) REFERENCES auction (series_code, delivery_start)
      )`);
    await db.query(`CREATE INDEX auction_result_cleared_at ON auction_result (cleared_at)`);
    // Ratios (`low`, `high`, `exact`) as `num/den` text: exact, as the engine computed them.
    await db.query(`
      CREATE TABLE auction_price (
        series_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        carrier text NOT NULL,
        interval integer NOT NULL CHECK (interval >= 0),
        price_ticks bigint,
        price numeric,
        low text NOT NULL,
        high text NOT NULL,
        exact text NOT NULL,
        volume_wh bigint NOT NULL CHECK (volume_wh >= 0),
        import_wh bigint NOT NULL CHECK (import_wh >= 0),
        export_wh bigint NOT NULL CHECK (export_wh >= 0),
        PRIMARY KEY (series_code, delivery_start, carrier, interval),
        FOREIGN KEY (series_code, delivery_start)
          REFERENCES auction_result (series_code, delivery_start),
        CHECK ((price IS NULL) = (price_ticks IS NULL))
      )`);
    await db.query(`
      CREATE TABLE auction_award (
        series_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        line integer NOT NULL CHECK (line >= 0),
        party text NOT NULL CHECK (party IN ('ORDER', 'GRID', 'BALANCING')),
        order_id bigint,
        participant_id uuid,
        carrier text NOT NULL,
        interval integer NOT NULL CHECK (interval >= 0),
        side text NOT NULL CHECK (side IN ('BUY', 'SELL')),
        quantity_wh bigint NOT NULL CHECK (quantity_wh > 0),
        price_ticks bigint NOT NULL,
        amount_minor bigint NOT NULL,
        PRIMARY KEY (series_code, delivery_start, line),
        CHECK ((party = 'ORDER') = (order_id IS NOT NULL AND participant_id IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX auction_award_order ON auction_award (order_id)`);
    await db.query(`
      CREATE TABLE auction_order_result (
        order_id bigint PRIMARY KEY REFERENCES auction_order (id),
        series_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        kind text NOT NULL CHECK (kind IN ('STEP', 'BLOCK', 'CONVERSION', 'STORAGE')),
        filled_wh bigint,
        fraction text,
        block_outcome text CHECK (block_outcome IN
          ('ACCEPTED', 'PARTIALLY_ACCEPTED', 'REJECTED', 'PARADOXICALLY_REJECTED')),
        input_wh bigint[],
        charge_wh bigint[],
        discharge_wh bigint[],
        state_wh text[],
        storage_values text[],
        shortfall_wh bigint CHECK (shortfall_wh >= 0),
        FOREIGN KEY (series_code, delivery_start)
          REFERENCES auction_result (series_code, delivery_start)
      )`);

    for (const table of [
      'auction_result',
      'auction_price',
      'auction_award',
      'auction_order_result',
      'auction_attempt',
      'auction_failure',
    ]) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
      await db.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    }

    // One journal chain for both markets: a journal settles a product-interval or an auction.
    await db.query(`ALTER TABLE journal ALTER COLUMN product_code DROP NOT NULL`);
    await db.query(`ALTER TABLE journal ADD COLUMN auction_series text`);
    await db.query(`
      ALTER TABLE journal
        ADD CONSTRAINT journal_auction FOREIGN KEY (auction_series, delivery_start)
          REFERENCES auction_result (series_code, delivery_start),
        ADD CONSTRAINT journal_auction_unique UNIQUE (auction_series, delivery_start),
        ADD CONSTRAINT journal_settles_one CHECK ((product_code IS NULL) <> (auction_series IS NULL))`);

    await db.query(`
      GRANT SELECT, INSERT ON auction_series, auction, auction_order, auction_attempt,
        auction_failure, auction_result, auction_price, auction_award, auction_order_result
        TO parkex_app`);
    await db.query(`GRANT SELECT ON auction_total, auction_participant_total TO parkex_app`);
    await db.query(`
      GRANT UPDATE (name, interval_seconds, intervals, gate_closure_seconds, price_tick, min_price,
                    max_price, k, carriers, updated_at) ON auction_series TO parkex_app`);
    await db.query(`GRANT UPDATE (state) ON auction TO parkex_app`);
    await db.query(`GRANT UPDATE (status) ON auction_order TO parkex_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE journal
        DROP CONSTRAINT journal_settles_one,
        DROP CONSTRAINT journal_auction_unique,
        DROP CONSTRAINT journal_auction,
        DROP COLUMN auction_series`);
    await db.query(`ALTER TABLE journal ALTER COLUMN product_code SET NOT NULL`);
    for (const table of [
      'auction_order_result',
      'auction_award',
      'auction_price',
      'auction_result',
      'auction_failure',
      'auction_attempt',
      'auction_participant_total',
      'auction_total',
      'auction_order',
      'auction',
      'auction_series',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
    await db.query(`DROP FUNCTION auction_check_gate_at_commit()`);
    await db.query(`DROP FUNCTION auction_order_guard_update()`);
    await db.query(`DROP FUNCTION auction_order_check_insert()`);
    await db.query(`DROP FUNCTION auction_guard_change()`);
    await db.query(`DROP FUNCTION auction_freeze_terms()`);
  }
}
