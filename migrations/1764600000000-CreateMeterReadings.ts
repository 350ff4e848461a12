import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Meter readings: what flowed, per participant (optionally per asset), carrier and interval, as the
 * utility's metering system reports it under the `METER` role.
 *
 * - A meter point is (participant, asset or none, product); a reading is one meter point's import
 *   and export in Wh over one interval of the product. `reading_id` is the metering system's id of
 *   that reading: version 1 is the first report, every correction is the next version with a
 *   reason; all versions are kept (append-only) and one reading id never moves to another meter
 *   point or interval.
 * - `meter_interval_total` is what a participant drew and delivered per product and interval: its
 *   main meter (no asset) where that reported, else the sum of its asset meters; each meter point
 *   by its latest version. Imbalance settlement and carbon accounting both read it.
 */
export class CreateMeterReadings1764600000000 implements MigrationInterface {
  name = 'CreateMeterReadings1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE participant DROP CONSTRAINT participant_role_check`);
    await db.query(`
      ALTER TABLE participant ADD CONSTRAINT participant_role_check
        CHECK (role IN ('PARTICIPANT', 'OPERATOR', 'AUDITOR', 'METER'))`);

    await db.query(`
      CREATE TABLE meter_reading (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        reading_id text NOT NULL CHECK (reading_id ~ '^[\\x21-\\x7e]{1,64}$'),
        version integer NOT NULL CHECK (version >= 1),
        participant_id uuid NOT NULL REFERENCES participant (id),
        asset_id uuid REFERENCES asset (id),
        product_code text NOT NULL REFERENCES product (code),
        delivery_start timestamptz NOT NULL,
        import_wh bigint NOT NULL CHECK (import_wh >= 0),
        export_wh bigint NOT NULL CHECK (export_wh >= 0),
        reason text CHECK (length(reason) BETWEEN 1 AND 500),
        submitted_by uuid NOT NULL REFERENCES participant (id),
        received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT meter_reading_version UNIQUE (reading_id, version),
        CONSTRAINT meter_reading_point_version
          UNIQUE NULLS NOT DISTINCT (participant_id, asset_id, product_code, delivery_start, version),
        CONSTRAINT meter_reading_correction_has_reason CHECK ((version = 1) = (reason IS NULL))
      )`);
    await db.query(
      `CREATE INDEX meter_reading_interval ON meter_reading (product_code, delivery_start)`,
    );
    await db.query(`
      CREATE FUNCTION meter_reading_same_point() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.version > 1 AND NOT EXISTS (
          SELECT 1 FROM meter_reading m
           WHERE m.reading_id = NEW.reading_id AND m.version = NEW.version - 1
             AND m.participant_id = NEW.participant_id
             AND m.asset_id IS NOT DISTINCT FROM NEW.asset_id
             AND m.product_code = NEW.product_code
             AND m.delivery_start = NEW.delivery_start) THEN
          RAISE EXCEPTION 'meter reading % version % does not follow version % of the same meter point and interval',
            NEW.reading_id, NEW.version, NEW.version - 1
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER meter_reading_same_point BEFORE INSERT ON meter_reading
        FOR EACH ROW EXECUTE FUNCTION meter_reading_same_point()`);
    await db.query(`
      CREATE TRIGGER meter_reading_append_only BEFORE UPDATE OR DELETE ON meter_reading
        FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await db.query(`
      CREATE TRIGGER meter_reading_no_truncate BEFORE TRUNCATE ON meter_reading
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);

    await db.query(`
      CREATE VIEW meter_interval_total AS
      WITH latest AS (
        SELECT DISTINCT ON (participant_id, asset_id, product_code, delivery_start)
               participant_id, asset_id, product_code, delivery_start, import_wh, export_wh, version
          FROM meter_reading
         ORDER BY participant_id, asset_id, product_code, delivery_start, version DESC
      ), main AS (
        SELECT participant_id, product_code, delivery_start, import_wh, export_wh
          FROM latest WHERE asset_id IS NULL
      ), assets AS (
        SELECT participant_id, product_code, delivery_start,
               sum(import_wh)::bigint AS import_wh, sum(export_wh)::bigint AS export_wh
          FROM latest l
         WHERE asset_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM main m
                            WHERE m.participant_id = l.participant_id
                              AND m.product_code = l.product_code
                              AND m.delivery_start = l.delivery_start)
         GROUP BY participant_id, product_code, delivery_start
      )
      SELECT participant_id, product_code, delivery_start, import_wh, export_wh, true AS main_meter
        FROM main
      UNION ALL
      SELECT participant_id, product_code, delivery_start, import_wh, export_wh, false AS main_meter
        FROM assets`);

    await db.query(`GRANT SELECT, INSERT ON meter_reading TO parkex_app`);
    await db.query(`GRANT SELECT ON meter_interval_total TO parkex_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP VIEW meter_interval_total`);
    await db.query(`DROP TABLE meter_reading`);
    await db.query(`DROP FUNCTION meter_reading_same_point()`);
    await db.query(`ALTER TABLE participant DROP CONSTRAINT participant_role_check`);
    await db.query(`
      ALTER TABLE participant ADD CONSTRAINT participant_role_check
        CHECK (role IN ('PARTICIPANT', 'OPERATOR', 'AUDITOR'))`);
  }
}
