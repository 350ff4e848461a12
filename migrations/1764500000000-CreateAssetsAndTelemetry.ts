import type { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS = `('BATTERY', 'HEAT_TANK', 'PV', 'CHP', 'HEAT_PUMP', 'BOILER', 'EV_HUB', 'ELECTROLYSER')`;
const LEVELS = `('NORMAL', 'WATCH', 'WARNING', 'ALARM')`;

/**
 * Assets, battery telemetry and storage safety (docs/storage-safety.md):
 * - `asset`: a participant's physical asset with its ratings (Wh, W), registered by the operator;
 *   `market_order.asset_id` names the asset an order comes from;
 * - `safety_rules`: the operator's rules per asset kind (absent: the defaults of `@parkex/market`);
 * - `asset_safety`: each asset's level and hysteresis state, one row per asset;
 * - `telemetry_sample`: battery management samples, partitioned by day (range on `sampled_at`);
 *   the partitions live in the schema `telemetry_partition` and are made on demand by
 *   `telemetry_ensure_partitions` and dropped after the retention by
 *   `telemetry_drop_partitions_before` (both SECURITY DEFINER: the runtime role creates nothing);
 * - `safety_event`: append-only, every change of level (and acknowledgement) with the findings
 *   and the samples that caused it and what it did to the asset's orders;
 * - `expected_imbalance`: cleared deliveries of a suspended asset still to come, for the operator.
 * Grants: the runtime role reads and appends; it updates only the state columns of
 * `asset_safety` and the rules of `safety_rules`.
 */
export class CreateAssetsAndTelemetry1764500000000 implements MigrationInterface {
  name = 'CreateAssetsAndTelemetry1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE asset (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        participant_id uuid NOT NULL REFERENCES participant (id),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ${KINDS}),
        energy_capacity_wh bigint NOT NULL CHECK (energy_capacity_wh >= 0),
        charge_power_w bigint NOT NULL CHECK (charge_power_w >= 0),
        discharge_power_w bigint NOT NULL CHECK (discharge_power_w >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT asset_name_per_participant UNIQUE (participant_id, name)
      )`);

    await db.query(`
      CREATE TABLE safety_rules (
        kind text PRIMARY KEY CHECK (kind IN ${KINDS}),
        rules jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid REFERENCES participant (id)
      )`);

    await db.query(`
      CREATE TABLE asset_safety (
        asset_id uuid PRIMARY KEY REFERENCES asset (id),
        level text NOT NULL DEFAULT 'NORMAL' CHECK (level IN ${LEVELS}),
        below_since timestamptz,
        below_level text NOT NULL DEFAULT 'NORMAL' CHECK (below_level IN ${LEVELS}),
        acknowledged boolean NOT NULL DEFAULT false,
        monitored_since timestamptz NOT NULL DEFAULT now(),
        last_sample_at timestamptz,
        last_received_at timestamptz,
        rate_ref_at timestamptz,
        rate_ref_temp_deci_c integer,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`CREATE SCHEMA telemetry_partition`);
    await db.query(`
      CREATE TABLE telemetry_sample (
        asset_id uuid NOT NULL,
        sampled_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        soc_permille integer NOT NULL CHECK (soc_permille BETWEEN 0 AND 1000),
        soh_permille integer NOT NULL CHECK (soh_permille BETWEEN 0 AND 1000),
        pack_voltage_mv integer NOT NULL CHECK (pack_voltage_mv >= 0),
        pack_current_ma integer NOT NULL,
        cell_voltage_min_mv integer NOT NULL CHECK (cell_voltage_min_mv >= 0),
        cell_voltage_max_mv integer NOT NULL CHECK (cell_voltage_max_mv >= cell_voltage_min_mv),
        cell_temp_min_deci_c integer NOT NULL,
        cell_temp_max_deci_c integer NOT NULL CHECK (cell_temp_max_deci_c >= cell_temp_min_deci_c),
        ambient_temp_deci_c integer,
        off_gas_ppm integer CHECK (off_gas_ppm >= 0),
        fault_flags integer NOT NULL CHECK (fault_flags >= 0),
        PRIMARY KEY (asset_id, sampled_at)
      ) PARTITION BY RANGE (sampled_at)`);

    // One partition per UTC day, made when a sample of that day first arrives. Serialised by an
    // advisory lock so that concurrent ingests of a new day do not race to create it.
    await db.query(`
      CREATE FUNCTION telemetry_ensure_partitions(days date[]) RETURNS integer
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        day date;
        made integer := 0;
        part text;
      BEGIN
        FOREACH day IN ARRAY days LOOP
          part := 'telemetry_sample_' || to_char(day, 'YYYYMMDD');
          IF to_regclass('telemetry_partition.' || part) IS NULL THEN
            PERFORM pg_advisory_xact_lock(7305101, (day - date '2000-01-01'));
            IF to_regclass('telemetry_partition.' || part) IS NULL THEN
              EXECUTE format(
                'CREATE TABLE telemetry_partition.%I PARTITION OF public.telemetry_sample
                 FOR VALUES FROM (%L) TO (%L)',
                part, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
              made := made + 1;
            END IF;
          END IF;
        END LOOP;
        RETURN made;
      END $$`);

    // Retention: drops the day partitions that end on or before the cutoff; never within 7 days.
    await db.query(`
      CREATE FUNCTION telemetry_drop_partitions_before(cutoff date) RETURNS integer
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        part record;
        dropped integer := 0;
      BEGIN
        IF cutoff > current_date - 7 THEN
          RAISE EXCEPTION 'telemetry retention is at least 7 days (cutoff % is too late)', cutoff;
        END IF;
        FOR part IN
          SELECT c.relname FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE i.inhparent = 'public.telemetry_sample'::regclass
            AND n.nspname = 'telemetry_partition'
            AND c.relname ~ '^telemetry_sample_[0-9]{8}$'
            AND to_date(right(c.relname, 8), 'YYYYMMDD') + 1 <= cutoff
        LOOP
          EXECUTE format('DROP TABLE telemetry_partition.%I', part.relname);
          dropped := dropped + 1;
        END LOOP;
        RETURN dropped;
      END $$`);

    await db.query(`
      CREATE TABLE safety_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        asset_id uuid NOT NULL REFERENCES asset (id),
        kind text NOT NULL CHECK (kind IN ('LEVEL_CHANGED', 'ACKNOWLEDGED')),
        from_level text NOT NULL CHECK (from_level IN ${LEVELS}),
        to_level text NOT NULL CHECK (to_level IN ${LEVELS}),
        at timestamptz NOT NULL,
        findings jsonb NOT NULL,
        samples jsonb NOT NULL,
        effects jsonb NOT NULL,
        actor_id uuid REFERENCES participant (id),
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX safety_event_asset ON safety_event (asset_id, id)`);
    await db.query(`
      CREATE TRIGGER safety_event_append_only BEFORE UPDATE OR DELETE ON safety_event
      FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await db.query(`
      CREATE TRIGGER safety_event_no_truncate BEFORE TRUNCATE ON safety_event
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);

    await db.query(`ALTER TABLE market_order ADD COLUMN asset_id uuid REFERENCES asset (id)`);
    await db.query(`
      CREATE INDEX market_order_asset_open ON market_order (asset_id, product_code, delivery_start)
      WHERE status = 'OPEN' AND asset_id IS NOT NULL`);
    await db.query(`
      CREATE INDEX market_order_asset ON market_order (asset_id, delivery_start)
      WHERE asset_id IS NOT NULL`);

    await db.query(`
      CREATE TABLE expected_imbalance (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        safety_event_id bigint NOT NULL REFERENCES safety_event (id),
        asset_id uuid NOT NULL REFERENCES asset (id),
        order_id bigint NOT NULL REFERENCES market_order (id),
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        side text NOT NULL CHECK (side IN ('BUY', 'SELL')),
        filled_wh bigint NOT NULL CHECK (filled_wh > 0),
        flagged_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX expected_imbalance_delivery ON expected_imbalance (delivery_start)`,
    );

    for (const table of [
      'asset',
      'safety_rules',
      'asset_safety',
      'telemetry_sample',
      'safety_event',
      'expected_imbalance',
    ]) {
      await db.query(`GRANT SELECT, INSERT ON ${table} TO parkex_app`);
    }
    await db.query(`
      GRANT UPDATE (level, below_since, below_level, acknowledged, last_sample_at,
                    last_received_at, rate_ref_at, rate_ref_temp_deci_c, changed_at)
      ON asset_safety TO parkex_app`);
    await db.query(`GRANT UPDATE (rules, updated_at, updated_by) ON safety_rules TO parkex_app`);
    await db.query(`REVOKE ALL ON FUNCTION telemetry_ensure_partitions(date[]) FROM PUBLIC`);
    await db.query(`REVOKE ALL ON FUNCTION telemetry_drop_partitions_before(date) FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION telemetry_ensure_partitions(date[]) TO parkex_app`);
    await db.query(
      `GRANT EXECUTE ON FUNCTION telemetry_drop_partitions_before(date) TO parkex_app`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE expected_imbalance`);
    await db.query(`ALTER TABLE market_order DROP COLUMN asset_id`);
    await db.query(`DROP TABLE safety_event`);
    await db.query(`DROP FUNCTION telemetry_drop_partitions_before(date)`);
    await db.query(`DROP FUNCTION telemetry_ensure_partitions(date[])`);
    await db.query(`DROP TABLE telemetry_sample`);
    await db.query(`DROP SCHEMA telemetry_partition CASCADE`);
    await db.query(`DROP TABLE asset_safety`);
    await db.query(`DROP TABLE safety_rules`);
    await db.query(`DROP TABLE asset`);
  }
}
