import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's shape, enforced by the database instead of the matcher's good manners:
 * - foreign keys from every ledger entry to its journal and its account, so `balance()` can no
 *   longer count an entry that `verifyLedger` never sees. CreateSettlement left them out to save
 *   the per-row checks, and they do cost: a COPY of 100k entries (2 shared cores, PostgreSQL 15)
 *   took 0.46–0.49 s without keys and triggers and 1.2–1.6 s with them; each key adds about
 *   0.35–0.45 s, the open-journal check below about 0.1 s, the balance check at commit 15 ms.
 *   Keys from fill to clearing_result and from order_result to market_order would cost as much
 *   again for each of those tables and are left out: those rows carry no money, are written in
 *   the clearing's transaction, and `verifyClearing` compares them with the re-run book;
 * - one journal per predecessor: `prev_hash` is UNIQUE, so the chain cannot fork;
 * - every journal balances: a constraint trigger deferred to commit checks that its entries sum
 *   to 0, number `entry_count` (lines 0…n−1) and add up to `debit_minor` in debits; entries are
 *   accepted only in the transaction that created their journal (its row's `xmin` is the current
 *   top-level transaction), so no later transaction can add a line to a committed journal;
 * - `hash_version`: existing journals are 1; new ones must be 2, whose hash also covers the
 *   `input_hash` and `result_hash` of the interval's clearing result (libs/market `journalHash`).
 *   The CHECK is NOT VALID on purpose: it binds every new row and leaves the old ones at 1.
 */
export class EnforceLedgerShape1764300200000 implements MigrationInterface {
  name = 'EnforceLedgerShape1764300200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE ledger_entry
        ADD CONSTRAINT ledger_entry_journal FOREIGN KEY (journal_id) REFERENCES journal (id),
        ADD CONSTRAINT ledger_entry_account FOREIGN KEY (account_id) REFERENCES account (id)`);

    await db.query(`ALTER TABLE journal ADD CONSTRAINT journal_prev_hash UNIQUE (prev_hash)`);
    await db.query(`
      ALTER TABLE journal ADD CONSTRAINT journal_totals CHECK (entry_count > 0 AND debit_minor >= 0)`);

    await db.query(`ALTER TABLE journal ADD COLUMN hash_version smallint NOT NULL DEFAULT 1`);
    await db.query(`ALTER TABLE journal ALTER COLUMN hash_version DROP DEFAULT`);
    await db.query(`
      ALTER TABLE journal ADD CONSTRAINT journal_hash_version_2 CHECK (hash_version = 2) NOT VALID`);

    await db.query(`
      CREATE FUNCTION journal_check_balance() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        t record;
      BEGIN
        SELECT count(*) AS entries,
               coalesce(sum(amount_minor), 0) AS balance,
               coalesce(sum(-amount_minor) FILTER (WHERE amount_minor < 0), 0) AS debit,
               coalesce(min(line), 0) AS first_line,
               coalesce(max(line), -1) AS last_line
          INTO t
        FROM ledger_entry WHERE journal_id = NEW.id;
        -- (journal_id, line) is the key: lines 0 and n−1 of n distinct lines are 0…n−1.
        IF t.balance <> 0 OR t.entries <> NEW.entry_count OR t.debit <> NEW.debit_minor
           OR t.first_line <> 0 OR t.last_line <> t.entries - 1 THEN
          RAISE EXCEPTION 'journal % does not balance: % entries (lines % to %) sum to % with % in debits; the journal says % entries and % in debits',
            NEW.id, t.entries, t.first_line, t.last_line, t.balance, t.debit, NEW.entry_count,
            NEW.debit_minor
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE CONSTRAINT TRIGGER journal_balanced AFTER INSERT ON journal
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION journal_check_balance()`);

    await db.query(`
      CREATE FUNCTION ledger_entry_check_journal_open() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        closed bigint;
      BEGIN
        SELECT j.id INTO closed
        FROM (SELECT DISTINCT journal_id FROM new_entries) n
        JOIN journal j ON j.id = n.journal_id
        WHERE j.xmin <> pg_current_xact_id()::xid
        LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'journal % is closed: its entries are written in the transaction that creates it', closed
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER ledger_entry_journal_open AFTER INSERT ON ledger_entry
        REFERENCING NEW TABLE AS new_entries
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_check_journal_open()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER ledger_entry_journal_open ON ledger_entry`);
    await db.query(`DROP FUNCTION ledger_entry_check_journal_open()`);
    await db.query(`DROP TRIGGER journal_balanced ON journal`);
    await db.query(`DROP FUNCTION journal_check_balance()`);
    await db.query(`ALTER TABLE journal DROP COLUMN hash_version`);
    await db.query(`ALTER TABLE journal DROP CONSTRAINT journal_totals`);
    await db.query(`ALTER TABLE journal DROP CONSTRAINT journal_prev_hash`);
    await db.query(`
      ALTER TABLE ledger_entry
        DROP CONSTRAINT ledger_entry_account,
        DROP CONSTRAINT ledger_entry_journal`);
  }
}
