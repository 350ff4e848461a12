import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Least privilege: the API and the matcher log in as members of the NOLOGIN group role
 * `parkex_app`, which gets exactly what they need, while migrations run as the schema's owner.
 * - SELECT and INSERT on every table, except INSERT on `migrations` and on the order-book
 *   totals (their triggers write them as the owner, SECURITY DEFINER);
 * - UPDATE only on the columns the code updates: an order's status (cancel), an interval's
 *   state (clearing, failure, re-run), a participant's suspension, a key's revocation, and a
 *   product's settings (upsertProduct);
 * - no DELETE, TRUNCATE, REFERENCES or TRIGGER anywhere; no CREATE on the schema, no temporary
 *   tables. Not being an owner, it cannot ALTER, DROP or disable triggers; not being a
 *   superuser, it cannot set session_replication_role.
 * Runs after every migration before it, so it covers the tables they made. Later migrations
 * grant on their new tables themselves (see CONTRIBUTING.md); there are no default privileges.
 */
export class GrantRuntimeRole1764300900000 implements MigrationInterface {
  name = 'GrantRuntimeRole1764300900000';

  async up(db: QueryRunner): Promise<void> {
    // Roles belong to the whole server: another database's migration may be creating it now.
    await db.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'parkex_app') THEN
          CREATE ROLE parkex_app NOLOGIN;
        END IF;
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'the role parkex_app is missing and % may not create it', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'create it once as a superuser: CREATE ROLE parkex_app NOLOGIN';
      END $$`);

    // PostgreSQL 15's default for the schema; older servers let everyone create in it.
    await db.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await db.query(`
      DO $$ BEGIN
        EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
      END $$`);
    await db.query(`GRANT USAGE ON SCHEMA public TO parkex_app`);

    await db.query(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO parkex_app`);
    await db.query(`REVOKE INSERT ON migrations FROM parkex_app`);
    await db.query(`
      DO $$
      DECLARE
        derived text;
      BEGIN
        FOREACH derived IN ARRAY ARRAY['interval_book_total', 'participant_book_total'] LOOP
          IF to_regclass(derived) IS NOT NULL THEN
            EXECUTE format('REVOKE INSERT ON %I FROM parkex_app', derived);
          END IF;
        END LOOP;
      END $$`);

    await db.query(`GRANT UPDATE (status) ON market_order TO parkex_app`);
    await db.query(`GRANT UPDATE (state) ON product_interval TO parkex_app`);
    await db.query(`GRANT UPDATE (suspended_reason, suspended_at) ON participant TO parkex_app`);
    await db.query(`GRANT UPDATE (revoked_at) ON api_key TO parkex_app`);
    // upsertProduct replaces every setting of a product (its code and creation time stay).
    await db.query(`
      DO $$ BEGIN
        EXECUTE (
          SELECT format('GRANT UPDATE (%s) ON product TO parkex_app',
                        string_agg(quote_ident(attname), ', ' ORDER BY attnum))
          FROM pg_attribute
          WHERE attrelid = 'product'::regclass AND attnum > 0 AND NOT attisdropped
            AND attname NOT IN ('code', 'created_at'));
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    // Column privileges go with the table ones. The role stays: other databases may use it.
    await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM parkex_app`);
    await db.query(`REVOKE USAGE ON SCHEMA public FROM parkex_app`);
    await db.query(`
      DO $$ BEGIN
        EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
      END $$`);
  }
}
