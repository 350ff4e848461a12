import { Inject, Injectable } from '@nestjs/common';
import {
  AuditLogRepository,
  type AuditLogFilter,
  type AuditLogRow,
  type AuditSealCheck,
} from '@parkex/db';
import type { Role } from '@parkex/db';
import { badInput } from '../common/app-error';
import { isUuid } from '../common/uuid';
import { API_CONFIG, type ApiConfig } from '@parkex/api/config/api-config';
import { decodeCursor, pageSize } from '../graphql/page-info.model';

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
    return this.log.verifySeals({ from, to }, { graceMs: this.config.auditSealGraceMs });
  }

  /** Newest first, keyset by id; one extra row tells whether there is a next page. */
  async list(
    role: Role,
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
    const before = after
      ? decodeCursor(AUDIT_CURSOR, after, (key) => /^\d{1,19}$/.test(key))
      : null;
    const rows = await this.log.list(filter, before, limit + 1);
    const page = rows.slice(0, limit);
    const nowMs = Date.now();
    return {
      rows: role === 'AUDITOR' ? page.map((row) => forAuditor(row, nowMs)) : page,
      hasNextPage: rows.length > limit,
    };
  }
}

/** Actions whose rows carry order terms (prices, quantities) in their arguments or message. */
const ORDER_ACTIONS = new Set(['submitOrders']);
/** The longest product horizon (366 days) and a day: no order delivers later than this. */
const LONGEST_HORIZON_MS = 367 * 86_400_000;

/**
 * An auditor reads orders once their gate has closed (README.md, "Order visibility"), and so their terms in the
 * audit log: a `submitOrders` row's arguments and message are withheld until the latest delivery
 * start among its orders has passed (every gate closes before its delivery start); when the
 * arguments were truncated, until the longest horizon has passed since the row.
 */
function forAuditor(row: AuditLogRow, nowMs: number): AuditLogRow {
  if (!ORDER_ACTIONS.has(row.action)) return row;
  const until = termsPublicAt(row);
  if (until <= nowMs) return row;
  return {
    ...row,
    args: null,
    message: `(order terms withheld from auditors until ${new Date(until).toISOString()})`,
  };
}

function termsPublicAt(row: AuditLogRow): number {
  const fallback = row.at.getTime() + LONGEST_HORIZON_MS;
  let args: unknown;
  try {
    args = row.args === null ? null : JSON.parse(row.args);
  } catch {
    return fallback;
  }
  const orders = (args as { orders?: unknown } | null)?.orders;
  if (!Array.isArray(orders) || orders.length === 0) return fallback;
  let latest = -Infinity;
  for (const order of orders) {
    const start = Date.parse(String((order as { deliveryStart?: unknown })?.deliveryStart));
    if (!Number.isFinite(start)) return fallback;
    latest = Math.max(latest, start);
  }
  return latest;
}
