import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tamper evidence for the audit log. Audit rows are still written with plain INSERTs by any
 * number of writers; a sealer chains them afterwards, in the order it seals them:
 * - audit_seal: one row per sealed audit row; `hash` = SHA-256 of the canonical form of
 *   (prev_hash, the audit row) (libs/market `auditSealHash`); `audit_at` is the sealed row's `at`,
 *   so a seal still knows where its row belonged once the row is gone.
 * - The database keeps the chain linear: seq runs 1, 2, 3, … without gaps and each prev_hash is
 *   the hash of seal seq − 1 (genesis: 64 zeros), checked per INSERT statement; prev_hash and
 *   audit_id are unique (no fork, no row sealed twice), audit_at is the row's `at`; UPDATE,
 *   DELETE and TRUNCATE are refused.
 */
export class SealAuditLog1764300300000 implements MigrationInterface {
  name = 'SealAuditLog1764300300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_seal (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        audit_id bigint NOT NULL UNIQUE REFERENCES audit_log (id),
        audit_at timestamptz NOT NULL,
        prev_hash text NOT NULL UNIQUE CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
      )`);
    await db.query(`CREATE INDEX audit_seal_audit_at ON audit_seal (audit_at, seq)`);
    // One check per INSERT statement (the sealer inserts a batch at once), over all its rows.
    await db.query(`
      CREATE FUNCTION audit_seal_link() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        bad bigint;
      BEGIN
        SELECT n.seq INTO bad FROM new_seals n LEFT JOIN audit_seal p ON p.seq = n.seq - 1
        WHERE n.prev_hash IS DISTINCT FROM
              CASE WHEN n.seq = 1 THEN repeat('0', 64) ELSE p.hash END
        ORDER BY n.seq LIMIT 1;
        IF bad IS NOT NULL THEN
          RAISE EXCEPTION 'audit seal % does not follow seal %', bad, bad - 1
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        SELECT n.seq INTO bad FROM new_seals n
        WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = n.audit_id AND a.at = n.audit_at)
        ORDER BY n.seq LIMIT 1;
        IF bad IS NOT NULL THEN
          RAISE EXCEPTION 'audit seal %: audit_at is not the sealed row''s at', bad
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_seal_chain AFTER INSERT ON audit_seal
        REFERENCING NEW TABLE AS new_seals
        FOR EACH STATEMENT EXECUTE FUNCTION audit_seal_link()`);
    await db.query(`
      CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal
        FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await db.query(`
      CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_seal`);
    await db.query(`DROP FUNCTION audit_seal_link()`);
  }
}
