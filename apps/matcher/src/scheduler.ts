import { Inject, Injectable, Logger } from '@nestjs/common';
import { ClearingRunner } from './clearing/clearing-runner';
import { CLOCK, type Clock } from './clock';
import { MATCHER_CONFIG, type MatcherConfig } from './config/matcher-config';
import { RepeatingLoop } from './repeating-loop';

/**
 * The matcher's loop, separate from clearing: every poll it clears due product-intervals until
 * none is left (including ones missed while no matcher ran), then sleeps. Several replicas may
 * run this loop; the row-lock claim makes each interval clear once.
 */
@Injectable()
export class ClearingScheduler extends RepeatingLoop {
  constructor(
    private readonly runner: ClearingRunner,
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
   * Works through everything due now; returns how many intervals got their result (cleared, or
   * FAILED once their attempts are used up). A failed attempt does not stop the round: that
   * interval waits out its backoff while the others are cleared.
   */
  async drain(): Promise<number> {
    let count = 0;
    while (!this.stop.signal.aborted) {
      const outcome = await this.runner.clearNext();
      if (!outcome) break;
      if (outcome.kind === 'cleared' || outcome.kind === 'failed') count += 1;
    }
    return count;
  }

  protected async step(): Promise<void> {
    await this.drain();
  }
}
