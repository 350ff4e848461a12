import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuctionRunner } from './auction/auction-runner';
import { ClearingRunner } from './clearing/clearing-runner';
import { CLOCK, type Clock } from './clock';
import { MATCHER_CONFIG, type MatcherConfig } from './config/matcher-config';
import { RepeatingLoop } from './repeating-loop';

/**
 * The matcher's loop, separate from clearing: every poll it clears due product-intervals and
 * integrated auctions until none is left (including ones missed while no matcher ran), then
 * sleeps. Several replicas may run this loop; the row-lock claims make each clear once.
 */
@Injectable()
export class ClearingScheduler extends RepeatingLoop {
  constructor(
    private readonly runner: ClearingRunner,
    private readonly auctions: AuctionRunner,
    @Inject(CLOCK) clock: Clock,
    @Inject(MATCHER_CONFIG) config: MatcherConfig,
  ) {
    super(new Logger(ClearingScheduler.name), clock, {
      enabled: config.autoStart,
      everyMs: config.pollMs,
      what: 'clearing round',
    });
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

  protected async step(): Promise<void> {
    await this.drain();
  }
}
