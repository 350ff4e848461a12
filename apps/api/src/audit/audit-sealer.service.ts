import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AUDIT_SEAL_BATCH, AuditLogRepository } from '@parkex/db';
import { API_CONFIG, type ApiConfig } from '../config/api-config';

/** Batches one pass seals at most (100,000 rows); the next tick goes on from there. */
const MAX_BATCHES_PER_PASS = 100;

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
    if (this.config.auditSealIntervalMs > 0) await this.sealQuietly();
  }

  /**
   * Seals until nothing is pending, another replica holds the sealer's lock, or the pass's bound
   * is reached; returns how many rows this replica sealed.
   */
  async sealNow(): Promise<number> {
    let sealed = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const count = await this.log.sealPending({ lateWindowMs: this.config.auditSealGraceMs });
      if (count === null) break;
      sealed += count;
      if (count < AUDIT_SEAL_BATCH) break;
    }
    return sealed;
  }

  private tick(): void {
    if (this.pass) return;
    this.pass = this.sealQuietly().finally(() => {
      this.pass = null;
    });
  }

  private async sealQuietly(): Promise<void> {
    try {
      await this.sealNow();
    } catch (error) {
      this.logger.warn(
        `sealing the audit log failed (next try in the next tick): ${String(error)}`,
      );
    }
  }
}
