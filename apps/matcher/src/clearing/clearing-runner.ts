import { Inject, Injectable, Logger } from '@nestjs/common';
import { ClearingRepository, type ClearingSession } from '@parkex/db';
import { replayClearing } from '@parkex/market';
import { CLOCK, type Clock } from '../clock';
import { MATCHER_CONFIG, type MatcherConfig } from '../config/matcher-config';
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

/**
 * Clears one due product-interval per call, in one transaction: freeze (claim) the book, run the
 * product's mechanism from libs/market, write result, fills, order states and journal, commit.
 */
@Injectable()
export class ClearingRunner {
  private readonly logger = new Logger(ClearingRunner.name);

  constructor(
    private readonly clearings: ClearingRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MATCHER_CONFIG) private readonly config: MatcherConfig,
    @Inject(FAILPOINTS) private readonly failpoints: Failpoints,
  ) {}

  /** Clears the due interval with the earliest gate; null when none is due (or all are claimed). */
  async clearNext(): Promise<ClearedInterval | null> {
    const result = await this.clearings.clearNextDue(
      {
        matcherId: this.config.matcherId,
        claimTimeoutMs: this.config.claimTimeoutMs,
        products: this.config.products,
      },
      (session) => this.clear(session),
    );
    if (result) {
      this.logger.log(
        `committed ${result.productCode} ${result.deliveryStart.toISOString()}: ${result.status} ` +
          `price ${result.price ?? '-'} volume ${result.volumeWh} Wh, ${result.orders} orders, ` +
          `${result.fills} fills in ${result.timings.totalMs} ms`,
      );
    }
    return result;
  }

  private async clear(session: ClearingSession): Promise<ClearedInterval> {
    const { productCode, deliveryStart, terms } = session.interval;
    await this.failpoints.hit('after-claim');
    const started = this.clock.monotonicMs();

    const rows = await session.loadBook();
    const accounts = await session.accounts([...new Set(rows.participantId)]);
    const loaded = this.clock.monotonicMs();
    await this.failpoints.hit('after-load');

    const { clearing, grid, inputHash, resultHash } = replayClearing(rows, terms);
    const cleared = this.clock.monotonicMs();
    await this.failpoints.hit('after-clear');

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
    await this.failpoints.hit('after-write');

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

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
