import { Injectable, Logger } from '@nestjs/common';
import { AssetRepository, type SafetyEventRow } from '@parkex/db';
import type { Principal } from '@parkex/api/auth/principal';
import { ClearingFeedService } from '@parkex/api/live/clearing-feed.service';
import { SUBSCRIBER_QUEUE_LIMIT } from '@parkex/api/live/live.options';
import { PushQueue } from '@parkex/api/live/push-queue';
import { ownOnly } from './assets.service';

/**
 * The `safetyEvents` subscription: this replica's LISTEN session (the live feed's) hears each
 * committed safety event's id from whichever replica or matcher wrote it; the event is read
 * once and pushed to every subscriber allowed to see it (its owner, the operator, the auditor).
 */
@Injectable()
export class SafetyFeedService {
  private readonly logger = new Logger('SafetyFeed');
  private readonly subscribers = new Set<(event: SafetyEventRow) => void>();
  private unsubscribe: (() => void) | null = null;
  /** Events are read one after the other: subscribers get them in commit order. */
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly feed: ClearingFeedService,
    private readonly assets: AssetRepository,
  ) {}

  subscribe(principal: Principal, assetId: string | null): AsyncIterableIterator<SafetyEventRow> {
    const owner = ownOnly(principal);
    const queue = new PushQueue<SafetyEventRow>({
      limit: SUBSCRIBER_QUEUE_LIMIT,
      onClose: () => {
        this.subscribers.delete(push);
        if (!this.subscribers.size) this.stop();
      },
      overflowMessage: `more than ${SUBSCRIBER_QUEUE_LIMIT} safety events waiting: the subscriber reads too slowly and was dropped`,
    });
    const push = (event: SafetyEventRow) => {
      if (owner !== null && event.participantId !== owner) return;
      if (assetId !== null && event.assetId !== assetId) return;
      queue.push(event);
    };
    this.subscribers.add(push);
    this.unsubscribe ??= this.feed.onSafetyNotice((id) => {
      this.work = this.work.then(() => this.deliver(id));
    });
    return queue;
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private async deliver(id: string): Promise<void> {
    try {
      const event = await this.assets.findEvent(id);
      if (!event) return;
      for (const push of this.subscribers) push(event);
    } catch (error) {
      this.logger.warn(`safety event ${id} could not be read: ${String(error)}`);
    }
  }
}
