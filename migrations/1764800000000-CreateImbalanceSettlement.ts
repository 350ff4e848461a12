import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Imbalance settlement: what flowed (meter readings) against what was traded (positions), settled
 * with the utility once an interval's metering window has closed.
 *
 * - `product` gains its imbalance terms: `metering_window_seconds` (after the delivery ends, the
 *   interval is settled), `correction_window_seconds` (readings and corrections are accepted until
 *   then; a reading after the metering window leads to a revision) and the grid's
 *   `import_tariff`/`feed_in_tariff` (currency per kWh; both or neither: a product without them
 *   is not imbalance-settled). ELECTRICITY and HEAT are seeded with tariffs, STORAGE without.
 * - `meter_reading` is refused (check_violation) before its interval has ended, after the
 *   product's correction window, off the product's interval grid, for a product without imbalance
 *   terms, for an asset of another participant and for a participant that is not a PARTICIPANT.
 * - `imbalance_interval` is the claim row of one product-interval to settle (made by triggers when
 *   a product-interval opens, a reading arrives or an auction award delivers in it); `readings`
 *   counts its meter readings, `settled_readings` how many the latest revision saw (-1: none
 *   yet). A matcher claims a row with `due_at <= now()` and `readings > settled_readings`
 *   (`FOR NO KEY UPDATE SKIP LOCKED`), writes the next revision and its journal and moves
 *   `settled_readings` and `revision` in the same transaction: exactly once per revision.
 * - `imbalance_position` is what each participant traded per product-interval: its fills and its
 *   integrated-auction awards: a product names the series (`product.auction_series`) whose awards
 *   of its carrier count (`auction_award_product`); `auction_award_shares` spreads an award over
 *   the product intervals its interval covers.
 * - `imbalance_settlement` is one revision (0: the first settlement; n > 0: a later reading or a
 *   correction) with the prices it used (frozen at revision 0); `imbalance_line` its lines: per
 *   participant the position, the metered import/export (null: estimated as the position), the
 *   imbalance, price and amount, and on revisions a REVERSAL of the line it replaces.
 * - `journal` settles a product-interval's clearing, an auction, or an imbalance revision
 *   (`imbalance_product`, `delivery_start`, `imbalance_revision`); its ledger entries are of kind
 *   `IMBALANCE` (per imbalance line the participant's line and the utility's opposite one).
 */
export class CreateImbalanceSettlement1764800000000 implements MigrationInterface {
  name = 'CreateImbalanceSettlement1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE product
        ADD COLUMN metering_window_seconds integer NOT NULL DEFAULT 86400
          CHECK (metering_window_seconds BETWEEN 0 AND 2678400),
        ADD COLUMN correction_window_seconds integer NOT NULL DEFAULT 2678400
          CHECK (correction_window_seconds BETWEEN 0 AND 31622400),
        ADD COLUMN import_tariff numeric,
        ADD COLUMN feed_in_tariff numeric,
        ADD CONSTRAINT product_correction_after_metering
          CHECK (correction_window_seconds >= metering_window_seconds),
        ADD CONSTRAINT product_imbalance_tariffs
          CHECK ((import_tariff IS NULL) = (feed_in_tariff IS NULL)),
        ADD CONSTRAINT product_feed_in_not_above_import CHECK (feed_in_tariff <= import_tariff)`);
    await db.query(
      `UPDATE product SET import_tariff = 0.25, feed_in_tariff = 0.07 WHERE code = 'ELECTRICITY'`,
    );
    await db.query(
      `UPDATE product SET import_tariff = 0.095, feed_in_tariff = 0 WHERE code = 'HEAT'`,
    );
    await db.query(`
      GRANT UPDATE (metering_window_seconds, correction_window_seconds, import_tariff,
                    feed_in_tariff) ON product TO parkex_app`);

    await db.query(`
      CREATE TABLE imbalance_interval (
        product_code text NOT NULL REFERENCES product (code),
        delivery_start timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        readings integer NOT NULL DEFAULT 0 CHECK (readings >= 0),
        settled_readings integer NOT NULL DEFAULT -1 CHECK (settled_readings >= -1),
        revision integer NOT NULL DEFAULT -1 CHECK (revision >= -1),
        PRIMARY KEY (product_code, delivery_start),
        CHECK (settled_readings <= readings)
      )`);
    await db.query(`
      CREATE INDEX imbalance_interval_due ON imbalance_interval (due_at)
        WHERE readings > settled_readings`);
    // the row of one product-interval, if its product is imbalance-settled
    await db.query(`
      CREATE FUNCTION imbalance_interval_open(code text, start timestamptz) RETURNS void
        LANGUAGE sql AS $$
        INSERT INTO imbalance_interval (product_code, delivery_start, due_at)
        SELECT p.code, $2,
               $2 + (p.interval_seconds + p.metering_window_seconds) * interval '1 second'
          FROM product p WHERE p.code = $1 AND p.import_tariff IS NOT NULL
        ON CONFLICT DO NOTHING
      $$`);
    await db.query(`
      CREATE FUNCTION product_interval_open_imbalance() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM imbalance_interval_open(NEW.product_code, NEW.delivery_start);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER product_interval_imbalance AFTER INSERT ON product_interval
        FOR EACH ROW EXECUTE FUNCTION product_interval_open_imbalance()`);
    // A product may name the integrated-auction series whose awards of the product's carrier
    // (product_carrier_current) count in its positions. An award's interval [s, s + L) goes to the
    // product intervals of length P it covers: all to the one containing s when L <= P or P does
    // not divide L, else in L / P equal shares (Wh, the remainder one by one to the first ones).
    await db.query(`
      ALTER TABLE product ADD COLUMN auction_series text REFERENCES auction_series (code)`);
    await db.query(`GRANT UPDATE (auction_series) ON product TO parkex_app`);
    await db.query(`
      CREATE FUNCTION auction_award_shares(
        product_code text, auction_start timestamptz, award_interval integer,
        award_seconds integer, quantity_wh bigint
      ) RETURNS TABLE (delivery_start timestamptz, share_wh bigint)
        LANGUAGE sql STABLE AS $$
        SELECT to_timestamp(floor(extract(epoch FROM s.award_start) / p.interval_seconds)
                            * p.interval_seconds) + i * p.interval_seconds * interval '1 second',
               $5 / n + CASE WHEN i < $5 % n THEN 1 ELSE 0 END
          FROM product p
          CROSS JOIN LATERAL (
            SELECT $2 + $3 * $4 * interval '1 second' AS award_start,
                   CASE WHEN $4 > p.interval_seconds AND $4 % p.interval_seconds = 0
                        THEN $4 / p.interval_seconds ELSE 1 END AS n) s
          CROSS JOIN LATERAL generate_series(0, s.n - 1) AS i
         WHERE p.code = $1
      $$`);
    // the awarded products of a series: product p counts series S's awards of p's carrier
    await db.query(`
      CREATE VIEW auction_award_product AS
      SELECT w.series_code, w.delivery_start, w.line, w.participant_id, w.side, w.quantity_wh,
             p.code AS product_code, a.interval_seconds, w.interval
        FROM auction_award w
        JOIN auction a USING (series_code, delivery_start)
        JOIN product p ON p.auction_series = w.series_code
        JOIN product_carrier_current c ON c.product_code = p.code AND c.carrier = w.carrier
       WHERE w.participant_id IS NOT NULL`);
    await db.query(`
      CREATE FUNCTION auction_award_open_imbalance() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM imbalance_interval_open(x.product_code, x.delivery_start)
           FROM (SELECT DISTINCT p.code AS product_code, sh.delivery_start
                   FROM new_awards w
                   JOIN auction a USING (series_code, delivery_start)
                   JOIN product p ON p.auction_series = w.series_code
                   JOIN product_carrier_current c
                     ON c.product_code = p.code AND c.carrier = w.carrier
                   CROSS JOIN LATERAL auction_award_shares(
                     p.code, a.delivery_start, w.interval, a.interval_seconds, w.quantity_wh) sh
                  WHERE w.participant_id IS NOT NULL) x;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER auction_award_imbalance AFTER INSERT ON auction_award
        REFERENCING NEW TABLE AS new_awards
        FOR EACH STATEMENT EXECUTE FUNCTION auction_award_open_imbalance()`);

    // readings: inside the product's windows, on its grid, of a tenant (and its own asset)
    await db.query(`
      CREATE FUNCTION meter_reading_check() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        p product%ROWTYPE;
        delivery_end timestamptz;
      BEGIN
        SELECT * INTO p FROM product WHERE code = NEW.product_code;
        IF p.import_tariff IS NULL THEN
          RAISE EXCEPTION 'product % is not metered (it has no imbalance tariffs)', NEW.product_code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_product_metered';
        END IF;
        IF extract(epoch FROM NEW.delivery_start) % p.interval_seconds <> 0 THEN
          RAISE EXCEPTION 'delivery start % is not the start of a % interval', NEW.delivery_start, p.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_on_grid';
        END IF;
        delivery_end := NEW.delivery_start + p.interval_seconds * interval '1 second';
        IF clock_timestamp() < delivery_end THEN
          RAISE EXCEPTION 'the interval % of % has not ended yet', NEW.delivery_start, p.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_window';
        END IF;
        IF clock_timestamp() >= delivery_end + p.correction_window_seconds * interval '1 second' THEN
          RAISE EXCEPTION 'the correction window of % % closed at %', p.code, NEW.delivery_start,
            delivery_end + p.correction_window_seconds * interval '1 second'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_window';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM participant WHERE id = NEW.participant_id AND role = 'PARTICIPANT') THEN
          RAISE EXCEPTION 'participant % is not a market participant', NEW.participant_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_participant';
        END IF;
        IF NEW.asset_id IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM asset WHERE id = NEW.asset_id AND participant_id = NEW.participant_id) THEN
          RAISE EXCEPTION 'asset % is not an asset of participant %', NEW.asset_id, NEW.participant_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'meter_reading_asset';
        END IF;
        PERFORM imbalance_interval_open(NEW.product_code, NEW.delivery_start);
        UPDATE imbalance_interval SET readings = readings + 1
         WHERE product_code = NEW.product_code AND delivery_start = NEW.delivery_start;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER meter_reading_check BEFORE INSERT ON meter_reading
        FOR EACH ROW EXECUTE FUNCTION meter_reading_check()`);

    // What each participant traded per product-interval: its fills and its auction awards.
    await db.query(`
      CREATE VIEW imbalance_position AS
      SELECT product_code, delivery_start, participant_id,
             sum(bought_wh)::bigint AS bought_wh, sum(sold_wh)::bigint AS sold_wh
        FROM (
          SELECT f.product_code, f.delivery_start, f.buyer_id AS participant_id,
                 f.quantity_wh AS bought_wh, 0::bigint AS sold_wh
            FROM fill f
          UNION ALL
          SELECT f.product_code, f.delivery_start, f.seller_id, 0, f.quantity_wh
            FROM fill f
          UNION ALL
          SELECT w.product_code, sh.delivery_start, w.participant_id,
                 CASE WHEN w.side = 'BUY' THEN sh.share_wh ELSE 0 END,
                 CASE WHEN w.side = 'SELL' THEN sh.share_wh ELSE 0 END
            FROM auction_award_product w
            CROSS JOIN LATERAL auction_award_shares(
              w.product_code, w.delivery_start, w.interval, w.interval_seconds, w.quantity_wh) sh
        ) x
       GROUP BY product_code, delivery_start, participant_id`);

    await db.query(`
      CREATE TABLE imbalance_settlement (
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        revision integer NOT NULL CHECK (revision >= 0),
        clearing_price numeric,
        import_tariff numeric NOT NULL,
        feed_in_tariff numeric NOT NULL,
        shortfall_price numeric NOT NULL,
        surplus_price numeric NOT NULL,
        readings integer NOT NULL CHECK (readings >= 0),
        estimated integer NOT NULL CHECK (estimated >= 0),
        shortfall_wh bigint NOT NULL CHECK (shortfall_wh >= 0),
        surplus_wh bigint NOT NULL CHECK (surplus_wh >= 0),
        amount_minor bigint NOT NULL,
        input_hash text NOT NULL,
        result_hash text NOT NULL,
        matcher_id text NOT NULL,
        settled_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (product_code, delivery_start, revision),
        FOREIGN KEY (product_code, delivery_start)
          REFERENCES imbalance_interval (product_code, delivery_start),
        CHECK (shortfall_price >= surplus_price)
      )`);
    await db.query(`
      CREATE TABLE imbalance_line (
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        revision integer NOT NULL,
        line integer NOT NULL CHECK (line >= 0),
        kind text NOT NULL CHECK (kind IN ('NEW', 'REVERSAL')),
        participant_id uuid NOT NULL REFERENCES participant (id),
        position_wh bigint NOT NULL,
        metered_import_wh bigint CHECK (metered_import_wh >= 0),
        metered_export_wh bigint CHECK (metered_export_wh >= 0),
        estimated boolean NOT NULL,
        imbalance_wh bigint NOT NULL,
        price numeric NOT NULL,
        amount_minor bigint NOT NULL,
        PRIMARY KEY (product_code, delivery_start, revision, line),
        FOREIGN KEY (product_code, delivery_start, revision)
          REFERENCES imbalance_settlement (product_code, delivery_start, revision),
        CHECK (estimated = (metered_import_wh IS NULL)),
        CHECK ((metered_import_wh IS NULL) = (metered_export_wh IS NULL))
      )`);
    await db.query(`CREATE INDEX imbalance_line_participant ON imbalance_line (participant_id)`);

    for (const table of ['imbalance_settlement', 'imbalance_line']) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
      await db.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    }
    await db.query(`
      CREATE TRIGGER imbalance_interval_no_delete BEFORE DELETE ON imbalance_interval
        FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await db.query(`
      CREATE TRIGGER imbalance_interval_no_truncate BEFORE TRUNCATE ON imbalance_interval
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);

    // One journal chain for every market: a clearing, an auction or an imbalance revision.
    await db.query(`
      ALTER TABLE journal
        ADD COLUMN imbalance_product text,
        ADD COLUMN imbalance_revision integer,
        DROP CONSTRAINT journal_settles_one`);
    await db.query(`
      ALTER TABLE journal
        ADD CONSTRAINT journal_imbalance
          FOREIGN KEY (imbalance_product, delivery_start, imbalance_revision)
          REFERENCES imbalance_settlement (product_code, delivery_start, revision),
        ADD CONSTRAINT journal_imbalance_unique
          UNIQUE (imbalance_product, delivery_start, imbalance_revision),
        ADD CONSTRAINT journal_imbalance_revision
          CHECK ((imbalance_product IS NULL) = (imbalance_revision IS NULL)),
        ADD CONSTRAINT journal_settles_one CHECK (
          (product_code IS NOT NULL)::int + (auction_series IS NOT NULL)::int
            + (imbalance_product IS NOT NULL)::int = 1)`);
    await db.query(`ALTER TABLE ledger_entry DROP CONSTRAINT ledger_entry_kind_check`);
    await db.query(`
      ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_kind_check
        CHECK (kind IN ('ENERGY', 'NETWORK_FEE', 'IMBALANCE'))`);

    await db.query(`GRANT SELECT, INSERT ON imbalance_settlement, imbalance_line TO parkex_app`);
    await db.query(`GRANT SELECT, INSERT ON imbalance_interval TO parkex_app`);
    await db.query(`GRANT SELECT ON imbalance_position, auction_award_product TO parkex_app`);
    await db.query(
      `GRANT UPDATE (readings, settled_readings, revision) ON imbalance_interval TO parkex_app`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ledger_entry DROP CONSTRAINT ledger_entry_kind_check`);
    await db.query(`
      ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_kind_check
        CHECK (kind IN ('ENERGY', 'NETWORK_FEE'))`);
    await db.query(`
      ALTER TABLE journal
        DROP CONSTRAINT journal_settles_one,
        DROP CONSTRAINT journal_imbalance_revision,
        DROP CONSTRAINT journal_imbalance_unique,
        DROP CONSTRAINT journal_imbalance,
        DROP COLUMN imbalance_revision,
        DROP COLUMN imbalance_product`);
    await db.query(`
      ALTER TABLE journal
        ADD CONSTRAINT journal_settles_one CHECK ((product_code IS NULL) <> (auction_series IS NULL))`);
    await db.query(`DROP VIEW imbalance_position`);
    await db.query(`DROP VIEW auction_award_product`);
    await db.query(`DROP TABLE imbalance_line`);
    await db.query(`DROP TABLE imbalance_settlement`);
    await db.query(`DROP TRIGGER meter_reading_check ON meter_reading`);
    await db.query(`DROP FUNCTION meter_reading_check()`);
    await db.query(`DROP TRIGGER auction_award_imbalance ON auction_award`);
    await db.query(`DROP FUNCTION auction_award_open_imbalance()`);
    await db.query(
      `DROP FUNCTION auction_award_shares(text, timestamptz, integer, integer, bigint)`,
    );
    await db.query(`DROP TRIGGER product_interval_imbalance ON product_interval`);
    await db.query(`DROP FUNCTION product_interval_open_imbalance()`);
    await db.query(`DROP FUNCTION imbalance_interval_open(text, timestamptz)`);
    await db.query(`DROP TABLE imbalance_interval`);
    await db.query(`
      ALTER TABLE product
        DROP CONSTRAINT product_feed_in_not_above_import,
        DROP CONSTRAINT product_imbalance_tariffs,
        DROP CONSTRAINT product_correction_after_metering,
        DROP COLUMN feed_in_tariff,
        DROP COLUMN import_tariff,
        DROP COLUMN correction_window_seconds,
        DROP COLUMN metering_window_seconds`);
  }
}
