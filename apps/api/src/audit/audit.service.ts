import { Injectable, Logger } from '@nestjs/common';
import { AuditLogRepository, type AuditRecord } from '@parkex/db';
import { AppError } from '../common/app-error';

const MAX_LIST = 20;

interface Pending {
  record: AuditRecord;
  done: () => void;
  failed: (error: unknown) => void;
}

/** Rows per INSERT when many mutations wait at once. */
const MAX_BATCH = 500;

/**
 * Writes the audit trail. Appends are group-committed: while one INSERT is in flight, the
 * records that arrive wait and go together in the next one. Each caller still resolves only
 * once its own row is committed, so a mutation is never acknowledged before its audit row.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);
  private readonly queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly log: AuditLogRepository) {}

  /** Appends one mutation's who/what/outcome; `when` is the database's clock. */
  async record(
    actorId: string | null,
    action: string,
    args: unknown,
    error?: unknown,
  ): Promise<void> {
    const outcome = error === undefined ? 'OK' : 'ERROR';
    const code =
      error instanceof AppError ? error.code : error === undefined ? null : 'INTERNAL_SERVER_ERROR';
    const message = error instanceof AppError ? error.message : null;
    const record: AuditRecord = {
      actorId,
      action,
      args: summarise(args),
      outcome,
      errorCode: code,
      message,
    };
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ record, done: resolve, failed: reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.log.appendMany(batch.map((pending) => pending.record));
        for (const pending of batch) pending.done();
      } catch (failure) {
        this.logger.error(`audit append failed for ${batch.length} record(s): ${String(failure)}`);
        for (const pending of batch) pending.failed(failure);
      }
    }
    this.flushing = false;
  }
}

/** Keeps the audit row small: long lists become their length plus the first items. */
export function summarise(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_LIST).map(summarise);
    return value.length > MAX_LIST ? { count: value.length, first: items } : items;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, summarise(item)]));
  }
  return value;
}
