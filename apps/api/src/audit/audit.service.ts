import { Injectable, Logger } from '@nestjs/common';
import { AuditLogRepository } from '@parkex/db';
import { AppError } from '../common/app-error';

const MAX_LIST = 20;

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

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
    try {
      await this.log.append({
        actorId,
        action,
        args: summarise(args),
        outcome,
        errorCode: code,
        message,
      });
    } catch (failure) {
      this.logger.error(`audit append failed for ${action}: ${String(failure)}`);
      throw failure;
    }
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
