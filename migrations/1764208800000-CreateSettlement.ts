import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clearing results, fills and the double-entry ledger. Everything here is written once, by
 * the matcher, in the transaction that clears a product-interval, and never changed:
 * UPDATE, DELETE and TRUNCATE are refused by triggers.
 * - account: one per participant (made with the participant) plus the utility's;
 * - journal: one per clearing with fills, chained to the previous journal by SHA-256;
 * - ledger_entry: signed amounts in minor units (credit > 0, debit < 0); each journal sums to 0.
 * Fills and ledger entries carry no foreign keys: a per-row key check would double the time to
 * settle a large book; the matcher writes them with their journal and results in one
 * transaction from rows it has just read, and the ledger verification walks them.
 */
export class CreateSettlement1764208800000 implements MigrationInterface {
  name = 'CreateSettlement1764208800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE clearing_result (
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('CLEARED', 'NO_TRADE')),
        price numeric,
        volume_wh bigint NOT NULL CHECK (volume_wh >= 0),
        amount_minor bigint NOT NULL,
        fee_minor bigint NOT NULL,
        mechanism text NOT NULL CHECK (mechanism IN ('UNIFORM_PRICE', 'PAY_AS_BID')),
        k numeric NOT NULL,
        price_tick numeric NOT NULL,
        min_price numeric NOT NULL,
        max_price numeric NOT NULL,
        network_fee numeric NOT NULL,
        bid_count integer NOT NULL,
        offer_count integer NOT NULL,
        fill_count integer NOT NULL,
        input_hash text NOT NULL,
        result_hash text NOT NULL,
        demand_curve jsonb NOT NULL,
        supply_curve jsonb NOT NULL,
        matcher_version text NOT NULL,
        matcher_id text NOT NULL,
        timings jsonb NOT NULL,
        cleared_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (product_code, delivery_start),
        FOREIGN KEY (product_code, delivery_start)
          REFERENCES product_interval (product_code, delivery_start),
        CHECK ((status = 'CLEARED') = (price IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX clearing_result_cleared_at ON clearing_result (cleared_at)`);

    await db.query(`
      CREATE TABLE fill (
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        seq integer NOT NULL,
        buy_order_id bigint NOT NULL,
        sell_order_id bigint NOT NULL,
        buyer_id uuid NOT NULL,
        seller_id uuid NOT NULL,
        quantity_wh bigint NOT NULL CHECK (quantity_wh > 0),
        price numeric NOT NULL,
        amount_minor bigint NOT NULL,
        PRIMARY KEY (product_code, delivery_start, seq)
      )`);

    // Final state of every order of a cleared book, written once by the matcher. Orders
    // themselves never change after their gate closes (the auditors re-run books from them).
    await db.query(`
      CREATE TABLE order_result (
        order_id bigint PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('FILLED', 'PARTIALLY_FILLED', 'UNFILLED')),
        filled_wh bigint NOT NULL CHECK (filled_wh >= 0)
      )`);

    await db.query(`
      CREATE TABLE account (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('PARTICIPANT', 'UTILITY')),
        participant_id uuid UNIQUE REFERENCES participant (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'PARTICIPANT') = (participant_id IS NOT NULL))
      )`);
    await db.query(
      `CREATE UNIQUE INDEX account_one_utility ON account (kind) WHERE kind = 'UTILITY'`,
    );
    await db.query(`INSERT INTO account (kind) VALUES ('UTILITY')`);
    await db.query(
      `INSERT INTO account (kind, participant_id) SELECT 'PARTICIPANT', id FROM participant`,
    );
    await db.query(`
      CREATE FUNCTION participant_open_account() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO account (kind, participant_id) VALUES ('PARTICIPANT', NEW.id);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER participant_account AFTER INSERT ON participant
        FOR EACH ROW EXECUTE FUNCTION participant_open_account()`);

    await db.query(`
      CREATE TABLE journal (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        product_code text NOT NULL,
        delivery_start timestamptz NOT NULL,
        entry_count integer NOT NULL,
        debit_minor bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        prev_hash text NOT NULL,
        hash text NOT NULL UNIQUE,
        UNIQUE (product_code, delivery_start),
        FOREIGN KEY (product_code, delivery_start)
          REFERENCES clearing_result (product_code, delivery_start)
      )`);
    await db.query(`
      CREATE TABLE ledger_entry (
        journal_id bigint NOT NULL,
        line integer NOT NULL,
        account_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('ENERGY', 'NETWORK_FEE')),
        fill_seq integer,
        energy_wh bigint NOT NULL,
        amount_minor bigint NOT NULL,
        PRIMARY KEY (journal_id, line)
      )`);
    await db.query(`CREATE INDEX ledger_entry_account ON ledger_entry (account_id, journal_id)`);

    for (const table of ['clearing_result', 'fill', 'order_result', 'journal', 'ledger_entry']) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
      await db.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ledger_entry`);
    await db.query(`DROP TABLE journal`);
    await db.query(`DROP TRIGGER participant_account ON participant`);
    await db.query(`DROP FUNCTION participant_open_account()`);
    await db.query(`DROP TABLE account`);
    await db.query(`DROP TABLE order_result`);
    await db.query(`DROP TABLE fill`);
    await db.query(`DROP TABLE clearing_result`);
  }
}
