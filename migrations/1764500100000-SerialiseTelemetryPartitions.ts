import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `telemetry_ensure_partitions` raced: two ingests of a new UTC day could both find its partition
 * missing — the second one's catalog lookup after the advisory lock did not see the first one's
 * committed CREATE (a lock on no relation does not refresh the catalog caches) — and the second
 * failed with "relation … already exists". The function now treats a partition made meanwhile as
 * made: it catches duplicate_table (and unique_violation of the catalog) around the CREATE.
 */
export class SerialiseTelemetryPartitions1764500100000 implements MigrationInterface {
  name = 'SerialiseTelemetryPartitions1764500100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION telemetry_ensure_partitions(days date[]) RETURNS integer
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
            BEGIN
              EXECUTE format(
                'CREATE TABLE telemetry_partition.%I PARTITION OF public.telemetry_sample
                 FOR VALUES FROM (%L) TO (%L)',
                part, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
              made := made + 1;
            EXCEPTION WHEN duplicate_table OR unique_violation THEN
              NULL; -- made by a concurrent ingest that committed first
            END;
          END IF;
        END LOOP;
        RETURN made;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION telemetry_ensure_partitions(days date[]) RETURNS integer
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
  }
}
