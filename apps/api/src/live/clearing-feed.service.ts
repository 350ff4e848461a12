import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  ClearingFeedRepository,
  ClearingOutcomeRepository,
  type AuctionNotice,
  type ClearingListener,
  type ClearingNotice,
  type ClearingOutcomeRow,
  type FeedPosition,
  positionOf,
} from '@parkex/db';
import { CATCH_UP_MARGIN_MS, LIVE_OPTIONS, resultKey, type LiveOptions } from './live.options';

export type ResultListener = (row: ClearingOutcomeRow) => void;
/** Called with the id of each committed safety event. */
export type SafetyNoticeListener = (eventId: string) => void;
export type AuctionListener = (notice: AuctionNotice) => void;

const CATCH_UP_PAGE = 500;
const FETCH_ATTEMPTS = 3;

/**
 * This API replica's feed of committed clearing results. One PostgreSQL session of its own
 * LISTENs on `parkex_clearing` (the matcher NOTIFYs inside its clearing transaction, so the
 * notice arrives once the result is committed); each notice is read from the table once and
 * handed to every subscription of this process.
 *
 * When the session is lost it reconnects with backoff and then catches up: it reads the results
 * cleared since `CATCH_UP_MARGIN_MS` before the newest one it has seen (commit order is not
 * `cleared_at` order) and publishes those it has not published yet (identity: product and
 * delivery start). Work is done one step at a time, in arrival order.
 */
@Injectable()
export class ClearingFeedService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LiveFeed');
  private readonly listeners = new Set<ResultListener>();
  private readonly safetyListeners = new Set<SafetyNoticeListener>();
  private readonly auctionListeners = new Set<AuctionListener>();
  /** Auction outcomes handed on (by series and delivery start), oldest first. */
  private readonly auctionsSeen = new Set<string>();
  /** Published results by identity, with their cleared_at (ms); older than the margin are pruned. */
  private readonly seen = new Map<string, number>();
  /** Newest cleared_at seen (ms, database clock). */
  private watermark = 0;
  private work: Promise<void> = Promise.resolve();
  private listener: ClearingListener | null = null;
  private stopping = false;
  readonly applicationName = `parkex-api-live-${process.pid}`;

  constructor(
    private readonly feed: ClearingFeedRepository,
    private readonly outcomes: ClearingOutcomeRepository,
    @Inject(LIVE_OPTIONS) private readonly options: LiveOptions,
  ) {}

  /** Listens before the API serves anyone: no subscriber can exist before the first LISTEN. */
  async onApplicationBootstrap(): Promise<void> {
    this.listener = this.feed.listener({
      applicationName: this.applicationName,
      reconnectMinMs: this.options.reconnectMinMs,
      reconnectMaxMs: this.options.reconnectMaxMs,
      onNotice: (notice) => this.enqueue(() => this.deliver(notice)),
      onSafetyNotice: (eventId) => {
        for (const listener of this.safetyListeners) listener(eventId);
      },
      onAuctionNotice: (notice) =>
        this.enqueue(async () => {
          this.publishAuction(notice);
        }),
      onListening: (reconnected) => this.enqueue(() => this.catchUp(reconnected)),
      onLost: (error, retryInMs) =>
        this.logger.warn(
          `the LISTEN connection is lost (${error.message}); reconnecting in ${retryInMs} ms`,
        ),
    });
    await this.listener.start();
    await this.work;
  }

  /** Stops listening and lets the step in progress finish while the pool is still there. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.listener?.close();
    this.listeners.clear();
    this.safetyListeners.clear();
    this.auctionListeners.clear();
    await this.work;
  }

  /** Calls `listener` with every result committed from now on; returns the unsubscribe. */
  onResult(listener: ResultListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `listener` with the id of every safety event committed from now on (the same LISTEN
   * session, channel `parkex_safety`); returns the unsubscribe. Events committed while the
   * session was lost are not replayed: `safetyEvents` (the query) has them.
   */
  onSafetyNotice(listener: SafetyNoticeListener): () => void {
    this.safetyListeners.add(listener);
    return () => this.safetyListeners.delete(listener);
  }

  /**
   * Calls `listener` with every integrated auction outcome committed from now on, once each (the
   * notice: the caller reads the outcome), also those committed while the LISTEN connection was
   * lost (caught up after it is back).
   */
  onAuction(listener: AuctionListener): () => void {
    this.auctionListeners.add(listener);
    return () => this.auctionListeners.delete(listener);
  }

  private enqueue(task: () => Promise<void>): void {
    if (this.stopping) return;
    this.work = this.work
      .then(() => (this.stopping ? undefined : task()))
      .catch((error: unknown) => {
        this.logger.error(
          `live feed step failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      });
  }

  private async deliver(notice: ClearingNotice): Promise<void> {
    if (this.seen.has(resultKey(notice))) return;
    const row = await this.fetch(notice);
    if (!row) {
      this.logger.warn(
        `notice for ${resultKey(notice)} but no such clearing result is committed; ignored`,
      );
      return;
    }
    this.publish(row);
  }

  /** The committed result of a notice; retried a few times when the pool fails. */
  private async fetch(notice: ClearingNotice): Promise<ClearingOutcomeRow | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.outcomes.find(notice.productCode, notice.deliveryStart);
      } catch (error) {
        if (attempt >= FETCH_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /**
   * First LISTEN: remembers what is already there (nothing to publish: nobody subscribed yet).
   * After a reconnect: publishes what was committed while the connection was down.
   */
  private async catchUp(reconnected: boolean): Promise<void> {
    const from = reconnected
      ? new Date(this.watermark - CATCH_UP_MARGIN_MS)
      : new Date((await this.feed.now()).getTime() - CATCH_UP_MARGIN_MS);
    if (!reconnected) this.watermark = from.getTime() + CATCH_UP_MARGIN_MS;
    let after: FeedPosition | null = null;
    let published = 0;
    for (;;) {
      const rows = await this.feed.clearedSince(from, { after, limit: CATCH_UP_PAGE });
      for (const row of rows) {
        if (this.seen.has(resultKey(row))) continue;
        if (reconnected) {
          this.publish(row);
          published += 1;
        } else {
          this.remember(row);
        }
      }
      if (rows.length < CATCH_UP_PAGE) break;
      after = positionOf(rows[rows.length - 1]);
    }
    if (reconnected) {
      for (const notice of await this.feed.auctionOutcomesSince(from, CATCH_UP_PAGE)) {
        if (this.publishAuction(notice)) published += 1;
      }
      this.logger.log(`listening again; caught up on ${published} result(s) missed meanwhile`);
    }
  }

  /** Hands an auction outcome's notice to the listeners once; false when it was handed already. */
  private publishAuction(notice: AuctionNotice): boolean {
    const key = `${notice.seriesCode}|${notice.deliveryStart.getTime()}`;
    if (this.auctionsSeen.has(key)) return false;
    this.auctionsSeen.add(key);
    // a few auctions a day: keep the newest thousand
    if (this.auctionsSeen.size > 1000) {
      this.auctionsSeen.delete(this.auctionsSeen.values().next().value!);
    }
    for (const listener of this.auctionListeners) listener(notice);
    return true;
  }

  private publish(row: ClearingOutcomeRow): void {
    this.remember(row);
    for (const listener of this.listeners) {
      try {
        listener(row);
      } catch (error) {
        this.logger.error(`a subscriber failed: ${String(error)}`);
      }
    }
  }

  private remember(row: ClearingOutcomeRow): void {
    const clearedAt = row.clearedAt.getTime();
    this.seen.set(resultKey(row), clearedAt);
    if (clearedAt > this.watermark) this.watermark = clearedAt;
    if (this.seen.size % 256 === 0) this.prune();
  }

  private prune(): void {
    const horizon = this.watermark - CATCH_UP_MARGIN_MS;
    for (const [key, clearedAt] of this.seen) {
      if (clearedAt < horizon) this.seen.delete(key);
    }
  }
}
