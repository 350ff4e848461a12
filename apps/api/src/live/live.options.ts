export interface LiveOptions {
  /** First retry after the LISTEN connection is lost; doubles per failed attempt. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  sockets: SocketLimits;
}

/** Bounds of the graphql-ws endpoint (README "Security", settings `LIVE_*`). */
export interface SocketLimits {
  /** Largest WebSocket message accepted; a larger one closes the socket with 1009. */
  maxMessageBytes: number;
  /** Open sockets per API key (counted from connection_init); beyond: close 4429. */
  maxConnectionsPerKey: number;
  /** Open sockets per client address, before any key is known; beyond: close 4429. */
  maxConnectionsPerAddress: number;
  /** Active operations per socket; beyond: that operation gets an error message. */
  maxSubscriptionsPerConnection: number;
  /** How often a replica checks its open sockets' keys (revoked or suspended: close 4403). */
  keyRecheckMs: number;
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
