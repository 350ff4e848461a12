import { Inject, Injectable, Logger } from '@nestjs/common';
import { SafetyRepository } from '@parkex/db';
import { CLOCK, type Clock } from './clock';
import { MATCHER_CONFIG, type MatcherConfig } from './config/matcher-config';
import { RepeatingLoop } from './repeating-loop';

/** Assets handled per sweep transaction. */
const SWEEP_BATCH = 100;
/** How often telemetry partitions are made ahead and dropped after the retention. */
const PARTITIONS_EVERY_MS = 3_600_000;

/**
 * The storage safety sweep, beside the clearing loop: every `safetySweepMs` it raises WARNING for
 * assets whose telemetry has been silent for longer than their rules allow (applied to their
 * orders like a sample's WARNING); once an hour it makes the telemetry partitions of today and
 * tomorrow ahead of their first sample and drops telemetry past its retention. Several
 * replicas are safe: the assets are claimed with `SKIP LOCKED`, and dropping a partition twice
 * finds nothing the second time.
 */
@Injectable()
export class SafetySweep extends RepeatingLoop {
  private retentionDueMs = 0;

  constructor(
    private readonly safety: SafetyRepository,
    @Inject(CLOCK) clock: Clock,
    @Inject(MATCHER_CONFIG) private readonly config: MatcherConfig,
  ) {
    super(new Logger(SafetySweep.name), clock, {
      // 0: this replica does not sweep (another one must)
      enabled: config.autoStart && config.safetySweepMs > 0,
      everyMs: config.safetySweepMs,
      what: 'safety sweep',
    });
  }

  /** One pass: every silent asset; returns how many level changes it made. */
  async sweep(): Promise<number> {
    let changes = 0;
    for (;;) {
      const events = await this.safety.sweepSilence(SWEEP_BATCH);
      changes += events.length;
      for (const e of events) {
        this.logger.warn(`asset ${e.assetId}: ${e.fromLevel} → ${e.toLevel} (telemetry lost)`);
      }
      if (events.length < SWEEP_BATCH) return changes;
    }
  }

  protected async step(): Promise<void> {
    await this.sweep();
    if (Date.now() >= this.retentionDueMs) {
      this.retentionDueMs = Date.now() + PARTITIONS_EVERY_MS;
      await this.safety.prepareTelemetryPartitions();
      const dropped = await this.safety.dropExpiredTelemetry(this.config.telemetryRetentionDays);
      if (dropped) this.logger.log(`dropped ${dropped} telemetry day partition(s)`);
    }
  }
}
