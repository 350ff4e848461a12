import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLogEntity } from '../entities/audit-log.entity';

export interface AuditRecord {
  actorId: string | null;
  action: string;
  args: unknown;
  outcome: 'OK' | 'ERROR';
  errorCode?: string | null;
  message?: string | null;
}

@Injectable()
export class AuditLogRepository {
  constructor(private readonly db: DataSource) {}

  async append(record: AuditRecord): Promise<void> {
    await this.appendMany([record]);
  }

  /** Appends records in one statement (one commit), ids in the given order. */
  async appendMany(records: readonly AuditRecord[]): Promise<void> {
    if (!records.length) return;
    await this.db.query(
      `INSERT INTO audit_log (actor_id, action, args, outcome, error_code, message)
       SELECT actor_id, action, args, outcome, error_code, message
       FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[])
         WITH ORDINALITY AS r(actor_id, action, args, outcome, error_code, message, ord)
       ORDER BY ord`,
      [
        records.map((r) => r.actorId),
        records.map((r) => r.action),
        records.map((r) => (r.args === undefined ? null : JSON.stringify(r.args))),
        records.map((r) => r.outcome),
        records.map((r) => r.errorCode ?? null),
        records.map((r) => r.message ?? null),
      ],
    );
  }

  findByAction(action: string, limit = 100): Promise<AuditLogEntity[]> {
    return this.db
      .getRepository(AuditLogEntity)
      .find({ where: { action }, order: { id: 'DESC' }, take: limit });
  }

  /** Entries with id < `beforeId` (when given) matching the filter, newest first; at most `limit`. */
  list(filter: AuditLogFilter, beforeId: string | null, limit: number): Promise<AuditLogRow[]> {
    return this.db.query<AuditLogRow[]>(
      `SELECT id::text AS id, at, actor_id AS "actorId", action, args::text AS args, outcome,
              error_code AS "errorCode", message
       FROM audit_log
       WHERE ($1::uuid IS NULL OR actor_id = $1)
         AND ($2::text IS NULL OR action = $2)
         AND ($3::text IS NULL OR outcome = $3)
         AND ($4::timestamptz IS NULL OR at >= $4)
         AND ($5::timestamptz IS NULL OR at < $5)
         AND ($6::bigint IS NULL OR id < $6)
       ORDER BY id DESC
       LIMIT $7`,
      [
        filter.actorId ?? null,
        filter.action ?? null,
        filter.outcome ?? null,
        filter.from ?? null,
        filter.to ?? null,
        beforeId,
        limit,
      ],
    );
  }
}

/** Filter of the audit log; every field optional. `from`/`to` bound `at` as [from, to). */
export interface AuditLogFilter {
  actorId?: string | null;
  action?: string | null;
  outcome?: 'OK' | 'ERROR' | null;
  from?: Date | null;
  to?: Date | null;
}

export interface AuditLogRow {
  id: string;
  at: Date;
  actorId: string | null;
  action: string;
  /** The stored arguments as JSON text (null when none were stored). */
  args: string | null;
  outcome: 'OK' | 'ERROR';
  errorCode: string | null;
  message: string | null;
}
