import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { AuditLogRepository, type AuditRecord, type PendingAudit } from '@parkex/db';
import { AppError } from '../common/app-error';
import { auditArgs, auditMessage, escapeControls } from './audit-record';

/** Rows per INSERT when many refused attempts wait at once. */
const MAX_BATCH = 500;

/** Refusals counted without a key: per address; with one: per participant. */
export type RefusalCode = 'UNAUTHENTICATED' | 'RATE_LIMITED';
export interface RefusalSubject {
  /** The caller's address as the API sees it. */
  address: string;
  /** The participant whose key was used, when the key was valid (rate-limited). */
  participantId?: string | null;
}

/**
 * Distinct (subject, code) pairs counted per minute; beyond, the minute's further subjects are
 * counted together in one row per code (subject `other`), so memory stays bounded whatever a
 * flood of addresses does.
 */
export const REFUSAL_SUBJECTS_PER_MINUTE = 10_000;
/** Counts are per replica: its rows name it, so two rows of one minute are told apart. */
const REPLICA = `${hostname()}/${process.pid}`;
/** How often minutes that have ended are written. */
const REFUSAL_FLUSH_MS = 5_000;

interface Tally {
  minute: number;
  code: RefusalCode;
  subject: string;
  address: string | null;
  participantId: string | null;
  count: number;
}

interface Pending {
  record: AuditRecord;
  done: () => void;
}

/**
 * Writes the audit trail.
 *
 * - An allowed mutation's row is written by its own transaction (`pending` hands it to the
 *   repository through `runWithPendingAudit`): the change and its row commit together.
 * - A refused attempt is recorded after the fact (`record`). These are group-committed: while
 *   one INSERT is in flight, the records that arrive wait and go together in the next one. A
 *   batch that fails is retried row by row, and a row that still fails is replaced by a
 *   placeholder naming the action and the outcome, so one caller's row never costs another's.
 * - UNAUTHENTICATED and RATE_LIMITED requests are counted (`refused`) and written once their
 *   minute has ended: one row per (address or participant, minute, code) with the count.
 */
@Injectable()
export class AuditService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private readonly queue: Pending[] = [];
  private flushing = false;
  private readonly tallies = new Map<string, Tally>();
  private readonly subjectsPerMinute = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly counted = new WeakSet<object>();

  constructor(private readonly log: AuditLogRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flushRefusals(false), REFUSAL_FLUSH_MS);
    this.timer.unref();
  }

  /** Before the sealer's last pass (beforeApplicationShutdown): the counts so far are written. */
  async onModuleDestroy(): Promise<void> {
    await this.flushRefusals(true);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flushRefusals(true);
  }

  /** The row an allowed mutation writes in its own transaction (outcome OK). */
  pending(actorId: string | null, action: string, args: unknown): PendingAudit {
    return { record: auditRecord(actorId, action, args), written: false };
  }

  /**
   * Appends one attempt's who/what/outcome (`when` is the database's clock) in a transaction of
   * its own; resolves once it (or its placeholder) is committed. Never rejects: a failure to
   * write is logged and must not change the caller's answer.
   */
  record(actorId: string | null, action: string, args: unknown, error?: unknown): Promise<void> {
    return this.enqueue(auditRecord(actorId, action, args, error));
  }

  /**
   * Counts a request refused with UNAUTHENTICATED or RATE_LIMITED (other errors are not
   * refusals), once per request (`request`: an object of that request, e.g. its GraphQL context,
   * whose other fields are refused too).
   */
  noteRefusal(request: object, error: unknown, subject: RefusalSubject): void {
    if (!(error instanceof AppError)) return;
    if (error.code !== 'UNAUTHENTICATED' && error.code !== 'RATE_LIMITED') return;
    if (this.counted.has(request)) return;
    this.counted.add(request);
    this.refused(error.code, subject);
  }

  /** Counts a request refused before it had a principal or a token. */
  refused(code: RefusalCode, subject: RefusalSubject): void {
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const who = subject.participantId
      ? `participant ${subject.participantId}`
      : `address ${subject.address}`;
    let key = `${minute}|${code}|${who}`;
    let tally = this.tallies.get(key);
    if (!tally) {
      const subjects = this.subjectsPerMinute.get(minute) ?? 0;
      if (subjects < REFUSAL_SUBJECTS_PER_MINUTE) {
        this.subjectsPerMinute.set(minute, subjects + 1);
        tally = {
          minute,
          code,
          subject: who,
          address: subject.participantId ? null : subject.address,
          participantId: subject.participantId ?? null,
          count: 0,
        };
      } else {
        // The minute's further subjects are counted together.
        key = `${minute}|${code}|other`;
        tally = this.tallies.get(key) ?? {
          minute,
          code,
          subject: 'other',
          address: null,
          participantId: null,
          count: 0,
        };
      }
      this.tallies.set(key, tally);
    }
    tally.count += 1;
  }

  /** Writes the counts of the minutes that have ended (all of them with `all`). */
  async flushRefusals(all: boolean): Promise<void> {
    const current = Math.floor(Date.now() / 60_000) * 60_000;
    const due: Tally[] = [];
    for (const [key, tally] of this.tallies) {
      if (!all && tally.minute >= current) continue;
      due.push(tally);
      this.tallies.delete(key);
    }
    for (const minute of this.subjectsPerMinute.keys()) {
      if (all || minute < current) this.subjectsPerMinute.delete(minute);
    }
    await Promise.all(due.map((tally) => this.enqueue(refusalRecord(tally))));
  }

  private enqueue(record: AuditRecord): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push({ record, done: resolve });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.log.appendMany(batch.map((pending) => pending.record));
        } catch (failure) {
          if (batch.length > 1) {
            this.logger.warn(
              `audit append of ${batch.length} rows failed (${String(failure)}); writing them one by one`,
            );
          }
          await Promise.all(batch.map((pending) => this.appendAlone(pending.record)));
        }
        for (const pending of batch) pending.done();
      }
    } finally {
      this.flushing = false;
    }
  }

  /** One row on its own; a row that cannot be written becomes a placeholder saying so. */
  private async appendAlone(record: AuditRecord): Promise<void> {
    try {
      await this.log.append(record);
      return;
    } catch (failure) {
      this.logger.error(
        `audit row of ${record.action} could not be written (${String(failure)}); writing a placeholder`,
      );
      try {
        await this.log.append({
          actorId: record.actorId,
          action: escapeControls(record.action).slice(0, 200),
          args: { unrecordable: true, reason: auditMessage(String(failure)) },
          outcome: record.outcome,
          errorCode: record.errorCode,
          message: 'the arguments of this attempt could not be recorded',
        });
      } catch (again) {
        this.logger.error(`audit placeholder of ${record.action} failed too: ${String(again)}`);
      }
    }
  }
}

/** The stored form of one attempt: arguments summarised, escaped and bounded. */
export function auditRecord(
  actorId: string | null,
  action: string,
  args: unknown,
  error?: unknown,
): AuditRecord {
  const code =
    error instanceof AppError ? error.code : error === undefined ? null : 'INTERNAL_SERVER_ERROR';
  return {
    actorId,
    action,
    args: auditArgs(args),
    outcome: error === undefined ? 'OK' : 'ERROR',
    errorCode: code,
    message: auditMessage(error instanceof AppError ? error.message : null),
  };
}

function refusalRecord(tally: Tally): AuditRecord {
  const minute = new Date(tally.minute).toISOString();
  const what = tally.code === 'UNAUTHENTICATED' ? 'without a valid API key' : 'over the rate limit';
  return {
    actorId: tally.participantId,
    action: 'request:refused',
    args: auditArgs({
      minute,
      count: tally.count,
      replica: REPLICA,
      ...(tally.address !== null ? { address: tally.address } : {}),
      ...(tally.subject === 'other' ? { subjects: 'other (over the per-minute limit)' } : {}),
    }),
    outcome: 'ERROR',
    errorCode: tally.code,
    message: auditMessage(
      `${tally.count} request(s) ${what} from ${tally.subject} in the minute from ${minute}`,
    ),
  };
}
