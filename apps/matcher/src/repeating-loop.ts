import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Clock } from './clock';

export interface LoopOptions {
  /** Start at bootstrap (tests drive the step themselves). */
  enabled: boolean;
  /** Pause between two steps. */
  everyMs: number;
  /** What a failed step is called in the log, e.g. `clearing round`. */
  what: string;
}

/**
 * A step repeated from bootstrap until shutdown, with a pause after each: a failed step is logged
 * and the loop goes on. Shutdown aborts `stop` (a long step may check it) and waits for the step
 * in progress.
 */
export abstract class RepeatingLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly stop = new AbortController();
  private loop?: Promise<void>;

  protected constructor(
    protected readonly logger: Logger,
    private readonly loopClock: Clock,
    private readonly loopOptions: LoopOptions,
  ) {}

  /** One round of the loop's work. */
  protected abstract step(): Promise<void>;

  onApplicationBootstrap(): void {
    if (this.loopOptions.enabled) this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { everyMs, what } = this.loopOptions;
    while (!this.stop.signal.aborted) {
      try {
        await this.step();
      } catch (error) {
        this.logger.error(
          `${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      await this.loopClock.sleep(everyMs, this.stop.signal);
    }
  }
}
