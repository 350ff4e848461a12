import { Injectable } from '@nestjs/common';
import { AuditLogRepository, type AuditLogFilter, type AuditLogRow } from '@parkex/db';
import { badInput } from '../common/app-error';
import { decodeCursor, pageSize } from '../graphql/page-info.model';
import { isUuid } from '../participants/participants.service';

export const AUDIT_CURSOR = 'audit';

/** Reading the audit log (writing it is AuditService's). */
@Injectable()
export class AuditLogService {
  constructor(private readonly log: AuditLogRepository) {}

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
