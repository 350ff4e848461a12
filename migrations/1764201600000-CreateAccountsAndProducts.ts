import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Participants, API keys, products (seeded), and the append-only audit log. */
export class CreateAccountsAndProducts1764201600000 implements MigrationInterface {
  name = 'CreateAccountsAndProducts1764201600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);

    await db.query(`
      CREATE TABLE participant (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('PARTICIPANT', 'OPERATOR', 'AUDITOR')),
        suspended_reason text,
        suspended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        participant_id uuid NOT NULL REFERENCES participant (id),
        key_hash text NOT NULL UNIQUE,
        prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await db.query(`CREATE INDEX api_key_participant ON api_key (participant_id)`);

    await db.query(`
      CREATE TABLE product (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{0,31}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        unit text NOT NULL CHECK (length(unit) BETWEEN 1 AND 50),
        interval_seconds integer NOT NULL CHECK (interval_seconds >= 1),
        gate_closure_seconds integer NOT NULL CHECK (gate_closure_seconds >= 0),
        horizon_seconds integer NOT NULL CHECK (horizon_seconds >= 1),
        price_tick numeric NOT NULL CHECK (price_tick > 0),
        min_price numeric NOT NULL,
        max_price numeric NOT NULL,
        mechanism text NOT NULL CHECK (mechanism IN ('UNIFORM_PRICE', 'PAY_AS_BID')),
        k numeric NOT NULL CHECK (k BETWEEN 0 AND 1),
        network_fee numeric NOT NULL CHECK (network_fee >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (min_price < max_price)
      )`);
    await db.query(`
      INSERT INTO product (code, name, unit, interval_seconds, gate_closure_seconds, horizon_seconds,
                           price_tick, min_price, max_price, mechanism, k, network_fee)
      VALUES
        ('ELECTRICITY', 'Electricity', 'kWh', 900, 300, 172800, 0.0001, -0.5, 4, 'UNIFORM_PRICE', 0.5, 0.015),
        ('HEAT', 'Heat', 'kWh thermal', 900, 300, 172800, 0.0001, -0.5, 4, 'UNIFORM_PRICE', 0.5, 0.005),
        ('STORAGE', 'Storage capacity', 'kWh of storage capacity', 900, 300, 172800, 0.0001, -0.5, 4, 'UNIFORM_PRICE', 0.5, 0)`);

    await db.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id uuid,
        action text NOT NULL,
        args jsonb,
        outcome text NOT NULL CHECK (outcome IN ('OK', 'ERROR')),
        error_code text,
        message text
      )`);
    await db.query(`CREATE INDEX audit_log_at ON audit_log (at, id)`);
    await db.query(`CREATE INDEX audit_log_actor ON audit_log (actor_id, id)`);
    await db.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await db.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_log`);
    await db.query(`DROP TABLE product`);
    await db.query(`DROP TABLE api_key`);
    await db.query(`DROP TABLE participant`);
    await db.query(`DROP FUNCTION refuse_change()`);
  }
}
