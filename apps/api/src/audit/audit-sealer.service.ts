import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AUDIT_SEAL_BATCH, AuditLogRepository } from '@parkex/db';
import { API_CONFIG, type ApiConfig } from '@parkex/api/config/api-config';

/** Batches one pass seals at most (100,000 rows); the next tick goes on from there. */
const MAX_BATCHES_PER_PASS = 100;

/**
 * How often a replica also looks for rows that committed after a higher id was sealed (that look
 * re-checks every row of the grace window; the passes in between only seal new ids). Capped at a
 * quarter of the grace, so a late row is sealed well before verifyAuditLog would count it.
 */
const LATE_SCAN_EVERY_MS = 10_000;

/**
 * How long the pass at shutdown waits for another replica's sealing transaction to let go of the
 * lock (each holds it for one batch): the rows this replica wrote are sealed before it exits.
 */
const SHUTDOWN_LOCK_WAIT_MS = 5_000;

/**
 * Chains the audit log: every AUDIT_SEAL_INTERVAL_MS, and once more when the replica shuts down,
 * seals the committed audit rows that have no seal yet, in id order, AUDIT_SEAL_BATCH rows per
 * transaction. Replicas take turns through a transaction-level advisory try-lock: a replica that
 * finds it taken skips the tick. Writers are never held up: audit rows are plain INSERTs.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditSealer.name);
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;
  /** When this replica last looked for late rows through to the end (0: never). */
  private lastLateScan = 0;

  constructor(
    private readonly log: AuditLogRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.auditSealIntervalMs;
    if (every <= 0) return;
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass;
    if (this.config.auditSealIntervalMs > 0) await this.sealQuietly(true, SHUTDOWN_LOCK_WAIT_MS);
  }

  /**
   * Seals until nothing is pending, another replica holds the sealer's lock, or the pass's bound
   * is reached; returns how many rows this replica sealed. `lateScan` forces the look for late
   * rows (otherwise it is taken every LATE_SCAN_EVERY_MS). With `lockWaitMs`, a lock held by
   * another replica is tried again until that much time has passed.
   */
  async sealNow(lateScan?: boolean, lockWaitMs = 0): Promise<number> {
    const grace = this.config.auditSealGraceMs;
    const startedAt = Date.now();
    const late =
      lateScan ?? startedAt - this.lastLateScan >= Math.min(LATE_SCAN_EVERY_MS, grace / 4);
    let sealed = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const count = await this.log.sealPending({ lateWindowMs: grace, lateScan: late });
      if (count === null) {
        if (Date.now() - startedAt >= lockWaitMs) return sealed;
        await new Promise((resolve) => setTimeout(resolve, 25));
        batch -= 1; // the lock was busy: this batch is still to come
        continue;
      }
      sealed += count;
      if (count < AUDIT_SEAL_BATCH) {
        if (late) this.lastLateScan = startedAt;
        break;
      }
    }
    return sealed;
  }

  private tick(): void {
    if (this.pass) return;
    this.pass = this.sealQuietly().finally(() => {
      this.pass = null;
    });
  }

  private async sealQuietly(lateScan?: boolean, lockWaitMs?: number): Promise<void> {
    try {
      await this.sealNow(lateScan, lockWaitMs);
    } catch (error) {
      this.logger.warn(
        `sealing the audit log failed (next try in the next tick): ${String(error)}`,
      );
    }
  }
}
