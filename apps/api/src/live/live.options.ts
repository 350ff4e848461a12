export interface LiveOptions {
  /** First retry after the LISTEN connection is lost; doubles per failed attempt. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export const LIVE_OPTIONS = Symbol('LIVE_OPTIONS');

/**
 * How far before the newest result it has seen a replica looks again after it reconnects: a
 * result's `cleared_at` is taken when the matcher writes it, and its transaction commits (and
 * notifies) later, so commit order is not `cleared_at` order. A clearing transaction that takes
 * longer than this between writing its result and committing could be missed by a catch-up.
 */
export const CATCH_UP_MARGIN_MS = 10 * 60_000;

/** How far back `clearingPublished(since:)` replays. */
export const MAX_REPLAY_MS = 24 * 3_600_000;

/** Undelivered results a subscription may hold before it is ended as too slow. */
export const SUBSCRIBER_QUEUE_LIMIT = 1000;

/**
 * Identity of a clearing outcome: product, delivery start and run (the FAILED results before it),
 * so that a re-run's outcome is published after the failure it supersedes.
 */
export function resultKey(row: { productCode: string; deliveryStart: Date; run: number }): string {
  return `${row.productCode}|${row.deliveryStart.toISOString()}|${row.run}`;
}
