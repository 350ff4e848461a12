import { Injectable } from '@nestjs/common';
import {
  ClearingFeedRepository,
  positionOf,
  type ClearingOutcomeRow,
  type FeedPosition,
} from '@parkex/db';
import { badInput } from '../common/app-error';
import { ProductsService } from '@parkex/api/products/products.service';
import { ClearingFeedService } from './clearing-feed.service';
import { MAX_REPLAY_MS, resultKey, SUBSCRIBER_QUEUE_LIMIT } from './live.options';
import { PushQueue } from './push-queue';

const REPLAY_PAGE = 200;

/** Subscriptions to clearing results: optionally a replay from the table, then the live feed. */
@Injectable()
export class LiveService {
  constructor(
    private readonly feed: ClearingFeedService,
    private readonly results: ClearingFeedRepository,
    private readonly products: ProductsService,
  ) {}

  /**
   * Every result committed from now on (of one product, or all). With `since`: first the results
   * cleared after that instant (oldest first, from the table), then the live ones, each once.
   * The live feed is subscribed before the table is read, so nothing falls between the two.
   */
  async subscribe(options: {
    productCode?: string | null;
    since?: Date | null;
    nowMs?: number;
  }): Promise<AsyncIterableIterator<ClearingOutcomeRow>> {
    const productCode = options.productCode ?? null;
    if (productCode !== null) await this.products.get(productCode);
    const since = options.since ?? null;
    if (since && since.getTime() < (options.nowMs ?? Date.now()) - MAX_REPLAY_MS) {
      throw badInput(
        `since may be at most ${MAX_REPLAY_MS / 3_600_000} hours ago; read older results with clearingResults`,
        { field: 'since' },
      );
    }
    const matches = (row: ClearingOutcomeRow) =>
      productCode === null || row.productCode === productCode;

    let unsubscribe = () => {};
    const queue = new PushQueue<ClearingOutcomeRow>({
      limit: SUBSCRIBER_QUEUE_LIMIT,
      onClose: () => unsubscribe(),
      overflowMessage: `more than ${SUBSCRIBER_QUEUE_LIMIT} results waiting: the subscriber reads too slowly and was dropped`,
    });
    if (!since) {
      unsubscribe = this.feed.onResult((row) => {
        if (matches(row)) queue.push(row);
      });
      return queue;
    }

    const replayed = new Set<string>();
    let buffered: ClearingOutcomeRow[] | null = [];
    unsubscribe = this.feed.onResult((row) => {
      if (!matches(row)) return;
      if (buffered) buffered.push(row);
      else if (!replayed.has(resultKey(row))) queue.push(row);
    });
    const replayThenLive = async () => {
      try {
        await this.replay(queue, since, productCode, replayed);
      } catch (error) {
        queue.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const live = buffered ?? [];
      buffered = null;
      for (const row of live) if (!replayed.has(resultKey(row))) queue.push(row);
    };
    void replayThenLive();
    return queue;
  }

  /** Pushes the stored results cleared after `since`, a page at a time as the client reads. */
  private async replay(
    queue: PushQueue<ClearingOutcomeRow>,
    since: Date,
    productCode: string | null,
    replayed: Set<string>,
  ): Promise<void> {
    let after: FeedPosition | null = null;
    for (;;) {
      await queue.whenBelow(REPLAY_PAGE);
      if (queue.isClosed) return;
      const rows = await this.results.clearedSince(since, {
        afterInstant: true,
        productCode,
        after,
        limit: REPLAY_PAGE,
      });
      for (const row of rows) {
        replayed.add(resultKey(row));
        queue.push(row);
      }
      if (rows.length < REPLAY_PAGE) return;
      after = positionOf(rows[rows.length - 1]);
    }
  }
}
