import { Inject, Injectable } from '@nestjs/common';
import {
  AuditLogRepository,
  type AuditLogFilter,
  type AuditLogRow,
  type AuditSealCheck,
} from '@parkex/db';
import { badInput } from '../common/app-error';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { decodeCursor, pageSize } from '../graphql/page-info.model';
import { isUuid } from '../participants/participants.service';

export const AUDIT_CURSOR = 'audit';

/** Reading and verifying the audit log (writing it is AuditService's, sealing AuditSealer's). */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly log: AuditLogRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /**
   * Walks the seals of the rows recorded in [from, to) and counts the rows past the grace that
   * have none. The window may hold at most AUDIT_VERIFY_MAX_SEALS seals (the walk's bound).
   */
  async verify(from: Date, to: Date): Promise<AuditSealCheck> {
    if (from.getTime() >= to.getTime()) {
      throw badInput('from must be before to', { field: 'to' });
    }
    const max = this.config.auditVerifyMaxSeals;
    if ((await this.log.countSeals({ from, to }, max + 1)) > max) {
      throw badInput(
        `[from, to) holds more than ${max} sealed audit rows: verify it in shorter windows`,
        { field: 'to', reason: 'AUDIT_RANGE_TOO_LARGE' },
      );
    }
    return this.log.verifySeals(
      { from, to },
      {
        graceMs: this.config.auditSealGraceMs,
        statementTimeoutMs: this.config.dbConnection.longReadTimeoutMs,
      },
    );
  }

  /** Newest first, keyset by id; one extra row tells whether there is a next page. */
  async list(
    filter: AuditLogFilter,
    first?: number | null,
    after?: string | null,
  ): Promise<{ rows: AuditLogRow[]; hasNextPage: boolean }> {
    const limit = pageSize(first);
    if (filter.actorId && !isUuid(filter.actorId)) {
      throw badInput(`filter.actorId ${filter.actorId} is not a participant id`, {
        field: 'filter.actorId',
      });
    }
    if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) {
      throw badInput('filter.from must be before filter.to', { field: 'filter.to' });
    }
    let before: string | null = null;
    if (after) {
      before = decodeCursor(AUDIT_CURSOR, after);
      if (!/^\d{1,19}$/.test(before)) {
        throw badInput('after is not a cursor returned by this list', { field: 'after' });
      }
    }
    const rows = await this.log.list(filter, before, limit + 1);
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }
}
