import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ClearingRepository,
  describeError,
  type ClaimedInterval,
  type ClearingSession,
} from '@parkex/db';
import { replayClearing } from '@parkex/market';
import { CLOCK, type Clock } from '@parkex/matcher/clock';
import { MATCHER_CONFIG, type MatcherConfig } from '@parkex/matcher/config/matcher-config';
import { FAILPOINTS, Failpoints } from './failpoints';
import { settlementRows } from './settlement-rows';

export const MATCHER_VERSION = 'parkex-matcher/1';

export interface ClearedInterval {
  productCode: string;
  deliveryStart: Date;
  status: 'CLEARED' | 'NO_TRADE';
  price: string | null;
  volumeWh: string;
  orders: number;
  fills: number;
  inputHash: string;
  resultHash: string;
  timings: { loadMs: number; clearMs: number; writeMs: number; totalMs: number };
}

/** What one call of `clearNext` came to. */
export type ClearingOutcome =
  | { kind: 'cleared'; result: ClearedInterval }
  /** This attempt failed (recorded); the interval is retried after its backoff. */
  | { kind: 'attempt-failed'; interval: ClaimedInterval; attempt: number; error: string }
  /** Its attempts are used up: its FAILED result is committed and published. */
  | { kind: 'failed'; interval: ClaimedInterval; attempts: number; reason: string }
  /** Its FAILED result could not be written: this replica leaves it alone until `retryInMs`. */
  | { kind: 'failure-write-failed'; interval: ClaimedInterval; error: string; retryInMs: number };

/**
 * At most this many intervals are deferred at once (their FAILED result could not be written);
 * beyond it the oldest deferral is forgotten, which only means an earlier retry.
 */
const MAX_DEFERRED = 10_000;

/**
 * Clears one due product-interval per call, in one transaction: freeze (claim) the book, run the
 * product's mechanism from libs/market, write result, fills, order states and journal, commit.
 */
@Injectable()
export class ClearingRunner {
  private readonly logger = new Logger(ClearingRunner.name);
  /**
   * Intervals whose FAILED result this replica could not write, by `name()`: skipped by its
   * claims until `until` (monotonic ms), the wait doubling with each further failure, so that a
   * result that cannot be written never holds up the intervals behind it.
   */
  private readonly deferred = new Map<
    string,
    { interval: ClaimedInterval; failures: number; until: number }
  >();

  constructor(
    private readonly clearings: ClearingRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MATCHER_CONFIG) private readonly config: MatcherConfig,
    @Inject(FAILPOINTS) private readonly failpoints: Failpoints,
  ) {}

  /**
   * Claims the due interval with the earliest gate and clears it; a clearing that throws is
   * recorded as a failed attempt and never stops the caller from going on with other intervals.
   * Null when nothing is due (or all due intervals are claimed or waiting out their backoff).
   */
  async clearNext(): Promise<ClearingOutcome | null> {
    const outcome = await this.clearings.clearNextDue(
      {
        matcherId: this.config.matcherId,
        claimTimeoutMs: this.config.claimTimeoutMs,
        statementTimeoutMs: this.config.statementTimeoutMs,
        lockTimeoutMs: this.config.lockTimeoutMs,
        maxAttempts: this.config.maxAttempts,
        retryBackoffMs: this.config.retryBackoffMs,
        products: this.config.products,
        onLedgerStep: (step, interval) => this.failpoints.hit(step, interval),
        beforeFailureWrite: (interval) => this.failpoints.hit('before-failure-write', interval),
        skip: this.deferredNow(),
      },
      (session) => this.clear(session),
    );
    if (!outcome) return null;
    switch (outcome.kind) {
      case 'cleared': {
        const result = outcome.value;
        this.logger.debug(
          `committed ${result.productCode} ${result.deliveryStart.toISOString()}: ${result.status} ` +
            `price ${result.price ?? '-'} volume ${result.volumeWh} Wh, ${result.orders} orders, ` +
            `${result.fills} fills in ${result.timings.totalMs} ms`,
        );
        return { kind: 'cleared', result };
      }
      case 'attempt-failed': {
        const error = describeError(outcome.error);
        this.logger.warn(
          `attempt ${outcome.attempt} to clear ${name(outcome.interval)} failed: ${error}`,
        );
        return { ...outcome, error };
      }
      case 'failed':
        this.deferred.delete(name(outcome.interval));
        this.logger.error(`${name(outcome.interval)} is FAILED: ${outcome.reason}`);
        return outcome;
      case 'failure-write-failed': {
        const error = describeError(outcome.error);
        const retryInMs = this.defer(outcome.interval);
        this.logger.error(
          `the FAILED result of ${name(outcome.interval)} could not be written (${error}); ` +
            `retrying it in ${retryInMs} ms, clearing the others meanwhile`,
        );
        return { kind: 'failure-write-failed', interval: outcome.interval, error, retryInMs };
      }
    }
  }

  /** The deferred intervals still waiting (expired ones are claimable again). */
  private deferredNow(): ClaimedInterval[] {
    const now = this.clock.monotonicMs();
    return [...this.deferred.values()].filter((d) => d.until > now).map((d) => d.interval);
  }

  /** Defers the interval once more; returns the wait (backoff × 2^(failures − 1), capped). */
  private defer(interval: ClaimedInterval): number {
    const key = name(interval);
    const failures = (this.deferred.get(key)?.failures ?? 0) + 1;
    const waitMs = this.config.retryBackoffMs * 2 ** Math.min(failures - 1, 10);
    this.deferred.delete(key);
    if (this.deferred.size >= MAX_DEFERRED) {
      this.deferred.delete(this.deferred.keys().next().value!);
    }
    this.deferred.set(key, { interval, failures, until: this.clock.monotonicMs() + waitMs });
    return waitMs;
  }

  private async clear(session: ClearingSession): Promise<ClearedInterval> {
    const { productCode, deliveryStart, terms } = session.interval;
    await this.failpoints.hit('after-claim', session.interval);
    const started = this.clock.monotonicMs();

    const rows = await session.loadBook();
    const accounts = await session.accounts([...new Set(rows.participantId)]);
    const loaded = this.clock.monotonicMs();
    await this.failpoints.hit('after-load', session.interval);

    const { clearing, grid, inputHash, resultHash } = replayClearing(rows, terms);
    const cleared = this.clock.monotonicMs();
    await this.failpoints.hit('after-clear', session.interval);

    const loadMs = round(loaded - started);
    const clearMs = round(cleared - loaded);
    const data = settlementRows(rows, clearing, {
      productCode,
      deliveryStart,
      grid,
      networkFee: terms.networkFee,
      accounts,
      inputHash,
      resultHash,
      matcherVersion: MATCHER_VERSION,
      matcherId: this.config.matcherId,
      timings: { loadMs, clearMs },
    });
    await session.write(data);
    const written = this.clock.monotonicMs();
    await this.failpoints.hit('after-write', session.interval);

    const result: ClearedInterval = {
      productCode,
      deliveryStart,
      status: clearing.status,
      price: data.record.price,
      volumeWh: data.record.volumeWh,
      orders: rows.id.length,
      fills: clearing.fills.length,
      inputHash,
      resultHash,
      timings: {
        loadMs,
        clearMs,
        writeMs: round(written - cleared),
        totalMs: round(written - started),
      },
    };
    return result;
  }
}

function name(interval: ClaimedInterval): string {
  return `${interval.productCode} ${interval.deliveryStart.toISOString()}`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
