import { createHash } from 'node:crypto';

/** Version tag of the audit seal's canonical form; part of every hash. */
export const AUDIT_SEAL_FORMAT = 'parkex.audit.v1';

/**
 * One audit_log row as it is sealed: every column, in the database's own text where a JS value
 * would lose something (microseconds of `at`, the jsonb of `args`).
 */
export interface SealedAuditRow {
  /** The row id as a decimal string. */
  id: string;
  /** `at` in UTC with microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  at: string;
  actorId: string | null;
  action: string;
  /** `args::text` as PostgreSQL prints the jsonb, or null. */
  args: string | null;
  outcome: string;
  errorCode: string | null;
  message: string | null;
}

/**
 * The canonical text of a seal: the JSON array
 * `["parkex.audit.v1", prevHash, id, at, actorId, action, args, outcome, errorCode, message]`
 * as `JSON.stringify` writes it (no spaces; strings escaped the one way ECMAScript defines;
 * null for an absent value). Being an array of strings and nulls, it has one spelling per row.
 */
export function canonicalAuditSeal(prevHash: string, row: SealedAuditRow): string {
  return JSON.stringify([
    AUDIT_SEAL_FORMAT,
    prevHash,
    row.id,
    row.at,
    row.actorId,
    row.action,
    row.args,
    row.outcome,
    row.errorCode,
    row.message,
  ]);
}

/** SHA-256 (lowercase hex) of the UTF-8 bytes of `canonicalAuditSeal`. */
export function auditSealHash(prevHash: string, row: SealedAuditRow): string {
  return createHash('sha256').update(canonicalAuditSeal(prevHash, row), 'utf8').digest('hex');
}
