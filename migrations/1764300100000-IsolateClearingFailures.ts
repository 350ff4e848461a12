import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A clearing that fails never halts the market:
 * - `clearing_attempt`: every attempt of a matcher (STARTED, and FAILED with its error), written
 *   outside the clearing transaction, append-only. An attempt counts when it STARTED: a matcher
 *   that died without writing FAILED has failed too. `run` is the number of FAILED results the
 *   interval had when the attempt began (0, then 1 after the operator's first re-run, …).
 * - `clearing_failure`: the terminal FAILED result of a run (no fills, no journal), append-only;
 *   a later re-run's result supersedes it in queries, both stay stored.
 * - `product_interval` becomes a state machine enforced here: OPEN → CLEARED | FAILED,
 *   FAILED → RETRYING (the operator's re-run), RETRYING → CLEARED | FAILED; keys, frozen terms
 *   and the gate never change; no DELETE, no TRUNCATE.
 */
export class IsolateClearingFailures1764300100000 implements MigrationInterface {
  name = 'IsolateClearingFailures1764300100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE product_interval DROP CONSTRAINT product_interval_state_check,
         ADD CONSTRAINT product_interval_state_check
           CHECK (state IN ('OPEN', 'CLEARED', 'FAILED', 'RETRYING'))`,
    );
    await db.query(`
      CREATE FUNCTION product_interval_guard_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' THEN
          RAISE EXCEPTION 'product_interval rows are never removed: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- every column but the state: the key, the gate and all frozen terms (also those that
        -- later migrations add)
        IF to_jsonb(NEW) - 'state' IS DISTINCT FROM to_jsonb(OLD) - 'state' THEN
          RAISE EXCEPTION 'product-interval % %: its key, terms and gate cannot change',
            OLD.product_code, OLD.delivery_start USING ERRCODE = 'PX010';
        END IF;
        IF NEW.state IS DISTINCT FROM OLD.state AND (OLD.state, NEW.state) NOT IN (
             ('OPEN', 'CLEARED'), ('OPEN', 'FAILED'), ('FAILED', 'RETRYING'),
             ('RETRYING', 'CLEARED'), ('RETRYING', 'FAILED')) THEN
          RAISE EXCEPTION 'product-interval % %: % -> % is not allowed',
            OLD.product_code, OLD.delivery_start, OLD.state, NEW.state USING ERRCODE = 'PX010';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER product_interval_guard BEFORE UPDATE OR DELETE ON product_interval
        FOR EACH ROW EXECUTE FUNCTION product_interval_guard_change()`);
    await db.query(`
      CREATE TRIGGER product_interval_no_truncate BEFORE TRUNCATE ON product_interval
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    // The matcher's claim: due intervals to clear or to re-run.
    await db.query(`
      CREATE INDEX product_interval_claimable ON product_interval (gate_closure_at)
        WHERE state IN ('OPEN', 'RETRYING')`);

    await db.query(`
      CREATE TABLE clearing_attempt (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        run integer NOT NULL CHECK (run >= 0),
        matcher_id text NOT NULL CHECK (length(matcher_id) <= 200),
        event text NOT NULL CHECK (event IN ('STARTED', 'FAILED')),
        error text CHECK (length(error) <= 2000),
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        FOREIGN KEY (product_code, delivery_start)
          REFERENCES product_interval (product_code, delivery_start),
        CHECK ((event = 'FAILED') = (error IS NOT NULL))
      )`);
    await db.query(
      `CREATE INDEX clearing_attempt_interval ON clearing_attempt (product_code, delivery_start, run)`,
    );

    await db.query(`
      CREATE TABLE clearing_failure (
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        run integer NOT NULL CHECK (run >= 0),
        attempts integer NOT NULL CHECK (attempts >= 1),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        bid_count integer NOT NULL,
        offer_count integer NOT NULL,
        matcher_id text NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (product_code, delivery_start, run),
        FOREIGN KEY (product_code, delivery_start)
          REFERENCES product_interval (product_code, delivery_start)
      )`);
    await db.query(`CREATE INDEX clearing_failure_failed_at ON clearing_failure (failed_at)`);

    for (const table of ['clearing_attempt', 'clearing_failure']) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
      await db.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE clearing_failure`);
    await db.query(`DROP TABLE clearing_attempt`);
    await db.query(`DROP INDEX product_interval_claimable`);
    await db.query(`DROP TRIGGER product_interval_no_truncate ON product_interval`);
    await db.query(`DROP TRIGGER product_interval_guard ON product_interval`);
    await db.query(`DROP FUNCTION product_interval_guard_change()`);
    // Fails while an interval is FAILED or RETRYING: those states cannot be expressed before.
    await db.query(
      `ALTER TABLE product_interval DROP CONSTRAINT product_interval_state_check,
         ADD CONSTRAINT product_interval_state_check CHECK (state IN ('OPEN', 'CLEARED'))`,
    );
  }
}
