import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AuctionRunner } from './auction/auction-runner';
import { ClearingRunner } from './clearing/clearing-runner';
import { CLOCK, type Clock } from './clock';
import { MATCHER_CONFIG, type MatcherConfig } from './config/matcher-config';

/**
 * The matcher's loop, separate from clearing: every poll it clears due product-intervals until
 * none is left (including ones missed while no matcher ran), then sleeps. Several replicas may
 * run this loop; the row-lock claim makes each interval clear once.
 */
@Injectable()
export class ClearingScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClearingScheduler.name);
  private readonly stop = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly runner: ClearingRunner,
    private readonly auctions: AuctionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MATCHER_CONFIG) private readonly config: MatcherConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.autoStart) this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  /**
   * Works through everything due now, product-intervals and integrated auctions taking turns;
   * returns how many got their result (cleared, or FAILED once their attempts are used up). A
   * failed attempt does not stop the round: it waits out its backoff while the others are cleared.
   */
  async drain(): Promise<number> {
    let count = 0;
    while (!this.stop.signal.aborted) {
      const outcome = await this.runner.clearNext();
      const auction = this.stop.signal.aborted ? null : await this.auctions.clearNext();
      if (!outcome && !auction) break;
      for (const o of [outcome, auction]) {
        if (o?.kind === 'cleared' || o?.kind === 'failed') count += 1;
      }
    }
    return count;
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        await this.drain();
      } catch (error) {
        this.logger.error(
          `clearing round failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      await this.clock.sleep(this.config.pollMs, this.stop.signal);
    }
  }
}
