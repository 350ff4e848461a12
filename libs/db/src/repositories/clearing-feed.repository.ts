import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool, queryRows } from '../pg-pool';
import {
  DB_CONNECTION,
  pgConnectionOptions,
  type DbConnectionSettings,
} from '../connection-settings';
import { CLEARING_CHANNEL } from './clearing.repository';
import { SAFETY_CHANNEL } from './safety.sql';
import {
  CLEARED_OUTCOME_COLUMNS,
  FAILED_OUTCOME_COLUMNS,
  FAILED_OUTCOME_FROM,
  type ClearingOutcomeRow,
} from './clearing-outcome.repository';

/** What the matcher sends on `parkex_clearing` when a clearing commits. */
export interface ClearingNotice {
  productCode: string;
  deliveryStart: Date;
  /** FAILED results before this outcome (0 unless a re-run): tells a re-run's outcome apart. */
  run: number;
}

/** The notice of a payload, or null when it is not one (anything else on the channel is ignored). */
export function parseClearingNotice(payload: string | undefined): ClearingNotice | null {
  if (!payload) return null;
  try {
    const value = JSON.parse(payload) as {
      productCode?: unknown;
      deliveryStart?: unknown;
      run?: unknown;
    };
    if (typeof value.productCode !== 'string' || typeof value.deliveryStart !== 'string') {
      return null;
    }
    const deliveryStart = new Date(value.deliveryStart);
    if (Number.isNaN(deliveryStart.getTime())) return null;
    const run = Number.isSafeInteger(value.run) ? (value.run as number) : 0;
    return { productCode: value.productCode, deliveryStart, run };
  } catch {
    return null;
  }
}

/** What the matcher sends on the same channel when an integrated auction's outcome commits. */
export interface AuctionNotice {
  seriesCode: string;
  deliveryStart: Date;
}

/** The auction notice of a payload (`{"auctionSeries", "deliveryStart"}`), or null. */
export function parseAuctionNotice(payload: string | undefined): AuctionNotice | null {
  if (!payload) return null;
  try {
    const value = JSON.parse(payload) as { auctionSeries?: unknown; deliveryStart?: unknown };
    if (typeof value.auctionSeries !== 'string' || typeof value.deliveryStart !== 'string') {
      return null;
    }
    const deliveryStart = new Date(value.deliveryStart);
    return Number.isNaN(deliveryStart.getTime())
      ? null
      : { seriesCode: value.auctionSeries, deliveryStart };
  } catch {
    return null;
  }
}

export interface ClearingListenerOptions {
  /** `application_name` of the listening session (how an operator finds it in pg_stat_activity). */
  applicationName: string;
  /** First retry after a lost connection; doubles per failed attempt up to `reconnectMaxMs`. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How often the idle session is probed with `SELECT 1` (a dead peer is noticed within this). */
  heartbeatMs?: number;
  /** Every notice, in the order the server delivered them. */
  onNotice(notice: ClearingNotice): void;
  /** Every safety event committed (`parkex_safety`, the event id), on the same session. */
  onSafetyNotice?(eventId: string): void;
  /** Every notice of an integrated auction's outcome (on the same channel). */
  onAuctionNotice?(notice: AuctionNotice): void;
  /**
   * The session listens again (also the first time). Notices committed from now on arrive through
   * `onNotice`; what committed while it was away is the caller's to catch up on.
   */
  onListening(reconnected: boolean): void;
  /** The session is gone; a reconnect is scheduled in `retryInMs`. */
  onLost(error: Error, retryInMs: number): void;
}

/**
 * A dedicated PostgreSQL session (not from the pool) that LISTENs on the clearing channel, and
 * comes back with exponential backoff (plus jitter) whenever it is lost.
 */
export class ClearingListener {
  private client: Client | null = null;
  private closing = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly options: ClearingListenerOptions,
    private readonly connection: DbConnectionSettings,
  ) {}

  /** Connects and listens once; rejects when that fails (the caller decides whether to go on). */
  async start(): Promise<void> {
    await this.connect(false);
  }

  /** Listening right now. */
  get listening(): boolean {
    return this.client !== null;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(reconnected: boolean): Promise<void> {
    const client = new Client({
      connectionString: this.url,
      application_name: this.options.applicationName,
      ...pgConnectionOptions(this.connection),
      query_timeout: 10_000,
    });
    let lost = false;
    const onGone = (error: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      endQuietly(client);
      if (!this.closing) this.scheduleReconnect(error);
    };
    client.on('error', onGone);
    client.on('end', () => onGone(new Error('the listening connection ended')));
    client.on('notification', (message) => {
      if (message.channel === SAFETY_CHANNEL) {
        if (message.payload && /^\d{1,19}$/.test(message.payload)) {
          this.options.onSafetyNotice?.(message.payload);
        }
        return;
      }
      if (message.channel !== CLEARING_CHANNEL) return;
      const notice = parseClearingNotice(message.payload);
      if (notice) this.options.onNotice(notice);
      else {
        const auction = parseAuctionNotice(message.payload);
        if (auction) this.options.onAuctionNotice?.(auction);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CLEARING_CHANNEL}`);
      if (this.options.onSafetyNotice) await client.query(`LISTEN ${SAFETY_CHANNEL}`);
    } catch (error) {
      lost = true;
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    const every = this.options.heartbeatMs ?? 15_000;
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((error: Error) => onGone(error));
    }, every);
    this.heartbeat.unref();
    this.options.onListening(reconnected);
  }

  private reconnect(): void {
    this.connect(true).catch((failure: Error) => this.scheduleReconnect(failure));
  }

  private scheduleReconnect(error: Error): void {
    const { reconnectMinMs, reconnectMaxMs } = this.options;
    const base = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(this.attempt, 20));
    const delay = Math.round(base * (1 + Math.random() * 0.2));
    this.attempt += 1;
    this.options.onLost(error, delay);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closing) this.reconnect();
    }, delay);
    this.retryTimer.unref();
  }
}

function endQuietly(client: Client): void {
  client.end().catch(() => undefined);
}

/** An outcome with its exact place in the clearing order (cleared_at keeps microseconds). */
export interface FeedRow extends ClearingOutcomeRow {
  /** cleared_at as the server's text, microseconds included: the keyset of `clearedSince`. */
  clearedAtExact: string;
}

/** Keyset position in the clearing order (cleared_at, product, delivery start). */
export interface FeedPosition {
  clearedAtExact: string;
  productCode: string;
  deliveryStart: Date;
}

/** The keyset position just after `row`, to read the next page from. */
export function positionOf(row: FeedRow): FeedPosition {
  return {
    clearedAtExact: row.clearedAtExact,
    productCode: row.productCode,
    deliveryStart: row.deliveryStart,
  };
}

/** The live feed of clearing results: the LISTEN session and the table reads that fill its gaps. */
@Injectable()
export class ClearingFeedRepository {
  private readonly logger = new Logger(ClearingFeedRepository.name);

  private readonly pool: Pool;

  constructor(
    db: DataSource,
    @Inject(DB_CONNECTION) private readonly connection: DbConnectionSettings,
  ) {
    this.pool = pgPool(db);
  }

  /** A listener on its own connection to the pool's database (call `start()`). */
  listener(options: ClearingListenerOptions): ClearingListener {
    const url = this.pool.options.connectionString;
    if (!url) throw new Error('the pool has no url to open a listening connection with');
    return new ClearingListener(url, options, this.connection);
  }

  /**
   * Integrated auction outcomes (results and FAILED results) written at or after `from`, oldest
   * first, at most `limit`: what a listener that was away catches up on.
   */
  async auctionOutcomesSince(from: Date, limit: number): Promise<(AuctionNotice & { at: Date })[]> {
    return queryRows<AuctionNotice & { at: Date }>(
      this.pool,
      `SELECT series_code AS "seriesCode", delivery_start AS "deliveryStart", at FROM (
         SELECT series_code, delivery_start, cleared_at AS at FROM auction_result WHERE cleared_at >= $1
         UNION ALL
         SELECT series_code, delivery_start, failed_at FROM auction_failure WHERE failed_at >= $1
       ) o ORDER BY at LIMIT $2`,
      [from, limit],
    );
  }

  /** The database's clock: cleared_at is written with it, so gaps are measured with it too. */
  async now(): Promise<Date> {
    const rows = await queryRows<{ now: Date }>(this.pool, `SELECT clock_timestamp() AS now`);
    return rows[0].now;
  }

  /**
   * Outcomes (results and FAILED results) written at or after `from` (or, with `afterInstant`,
   * in a later millisecond than `from`: what a client that saw an instant in ISO-8601 has not
   * seen yet), optionally of one product, in clearing order, after the keyset position `after`;
   * at most `limit` rows. Uses the `clearing_result_cleared_at` and `clearing_failure_failed_at`
   * indexes.
   */
  clearedSince(
    from: Date,
    options: {
      afterInstant?: boolean;
      productCode?: string | null;
      after?: FeedPosition | null;
      limit: number;
    },
  ): Promise<FeedRow[]> {
    const after = options.after ?? null;
    const since = (at: string, alias: string) =>
      `${at} >= $1::timestamptz + CASE WHEN $2 THEN interval '1 millisecond' ELSE interval '0' END
         AND ($3::text IS NULL OR ${alias}.product_code = $3)
         AND ($4::timestamptz IS NULL
              OR (${at}, ${alias}.product_code, ${alias}.delivery_start) > ($4::timestamptz, $5::text, $6::timestamptz))`;
    return queryRows<FeedRow>(
      this.pool,
      `SELECT * FROM (
         (SELECT ${CLEARED_OUTCOME_COLUMNS}, c.cleared_at::text AS "clearedAtExact"
          FROM clearing_result c WHERE ${since('c.cleared_at', 'c')}
          ORDER BY c.cleared_at, c.product_code, c.delivery_start LIMIT $7)
         UNION ALL
         (SELECT ${FAILED_OUTCOME_COLUMNS}, f.failed_at::text AS "clearedAtExact"
          FROM ${FAILED_OUTCOME_FROM} WHERE ${since('f.failed_at', 'f')}
          ORDER BY f.failed_at, f.product_code, f.delivery_start LIMIT $7)
       ) o
       ORDER BY o."clearedAt", o."productCode", o."deliveryStart"
       LIMIT $7`,
      [
        from,
        options.afterInstant ?? false,
        options.productCode ?? null,
        after?.clearedAtExact ?? null,
        after?.productCode ?? null,
        after?.deliveryStart ?? null,
        options.limit,
      ],
    );
  }
}
