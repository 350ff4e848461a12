import type { ImbalanceReadLine } from './imbalance-read.repository';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import {
  DB_CONNECTION,
  type DbConnectionSettings,
  pgConnectionOptions,
} from '../connection-settings';

/** One ledger entry with its journal and owner, as exported (int8 and numeric as text). */
export interface SettlementEntryRow {
  journal_id: string;
  line: number;
  /** ISO-8601 UTC with milliseconds, as `Date.toISOString` writes it. */
  delivery_start: string;
  /** The product, or the series of an integrated auction (`source` tells which). */
  product_code: string;
  source: 'INTERVAL' | 'AUCTION' | 'IMBALANCE';
  /** Null for the utility's account. */
  participant_id: string | null;
  participant_name: string | null;
  account_kind: 'PARTICIPANT' | 'UTILITY';
  kind: 'ENERGY' | 'NETWORK_FEE';
  fill_seq: number | null;
  energy_wh: string;
  amount_minor: string;
}

export interface FillExportRow {
  product_code: string;
  /** ISO-8601 UTC with milliseconds. */
  delivery_start: string;
  seq: number;
  buy_order_id: string;
  sell_order_id: string;
  buyer_id: string;
  seller_id: string;
  quantity_wh: string;
  price: string;
  amount_minor: string;
}

/** One imbalance settlement line with its participant, as exported (int8 and numeric as text). */
export type ImbalanceLineExportRow = Omit<ImbalanceReadLine, 'delivery_start'> & {
  /** ISO-8601 UTC with milliseconds. */
  delivery_start: string;
};

/** Rows read through a server-side cursor; the connection goes back to the pool when it closes. */
export type RowStream<T> = Readable & AsyncIterable<T>;

/** An instant as `Date.toISOString` writes it, formatted by the server (no Date per row). */
function iso(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Rows fetched per round trip of the cursor. */
const BATCH_SIZE = 1000;

/** Connections of the exports' own pool when `configure` is not called. */
export const DEFAULT_EXPORT_POOL_SIZE = 4;

/**
 * Bulk reads for CSV exports: each is one query on a connection of its own, read through a
 * server-side cursor a batch at a time, so memory stays constant whatever the size and a slow
 * reader slows the query down (backpressure) instead of buffering.
 *
 * The connections come from a small pool of the exports' own (`application_name`
 * `<the process's>-export`), never from the process's main pool: however slowly their clients
 * read, exports cannot keep a connection from GraphQL. Its sessions run with the long-read
 * statement timeout (the cursor is one statement for as long as the client reads). A stream
 * that ends early (error, destroy) discards its connection, so no half-read cursor is reused.
 */
@Injectable()
export class ExportRepository implements OnApplicationShutdown {
  private pool: Pool | null = null;
  private poolSize = DEFAULT_EXPORT_POOL_SIZE;

  constructor(
    private readonly db: DataSource,
    @Inject(DB_CONNECTION) private readonly connection: DbConnectionSettings,
  ) {}

  /** Sets the size of the exports' pool (before the first export). */
  configure(options: { poolSize: number }): void {
    if (this.pool) throw new Error('the export pool is open already');
    this.poolSize = options.poolSize;
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }

  /** Ledger entries of journals delivering in [from, to), by journal and line. */
  settlementEntries(filter: {
    from: Date;
    to: Date;
    participantId?: string | null;
  }): Promise<RowStream<SettlementEntryRow>> {
    return this.stream<SettlementEntryRow>(
      `SELECT j.id::text AS journal_id, e.line, ${iso('j.delivery_start')} AS delivery_start,
              coalesce(j.product_code, j.auction_series, j.imbalance_product) AS product_code,
              CASE WHEN j.auction_series IS NOT NULL THEN 'AUCTION'
                   WHEN j.imbalance_product IS NOT NULL THEN 'IMBALANCE' ELSE 'INTERVAL' END AS source,
              a.participant_id::text AS participant_id, p.name AS participant_name, a.kind AS account_kind,
              e.kind, e.fill_seq,
              e.energy_wh::text AS energy_wh, e.amount_minor::text AS amount_minor
       FROM journal j
       JOIN ledger_entry e ON e.journal_id = j.id
       JOIN account a ON a.id = e.account_id
       LEFT JOIN participant p ON p.id = a.participant_id
       WHERE j.delivery_start >= $1 AND j.delivery_start < $2
         AND ($3::uuid IS NULL OR a.participant_id = $3)
       ORDER BY j.id, e.line`,
      [filter.from, filter.to, filter.participantId ?? null],
    );
  }

  /** Fills of intervals delivering in [from, to), by product, delivery and walk order. */
  fills(filter: {
    from: Date;
    to: Date;
    productCode?: string | null;
  }): Promise<RowStream<FillExportRow>> {
    return this.stream<FillExportRow>(
      `SELECT product_code, ${iso('delivery_start')} AS delivery_start, seq, buy_order_id::text AS buy_order_id,
              sell_order_id::text AS sell_order_id, buyer_id::text AS buyer_id,
              seller_id::text AS seller_id, quantity_wh::text AS quantity_wh, price::text AS price,
              amount_minor::text AS amount_minor
       FROM fill
       WHERE delivery_start >= $1 AND delivery_start < $2
         AND ($3::text IS NULL OR product_code = $3)
       ORDER BY product_code, delivery_start, seq`,
      [filter.from, filter.to, filter.productCode ?? null],
    );
  }

  /**
   * Imbalance settlement lines of intervals delivering in [from, to) (of one product, of one
   * participant, or all), by delivery start, product, revision and line.
   */
  imbalanceLines(filter: {
    from: Date;
    to: Date;
    productCode?: string | null;
    participantId?: string | null;
  }): Promise<RowStream<ImbalanceLineExportRow>> {
    return this.stream<ImbalanceLineExportRow>(
      `SELECT l.product_code, ${iso('l.delivery_start')} AS delivery_start, l.revision, l.line,
              l.kind, l.participant_id::text AS participant_id, p.name AS participant_name,
              l.position_wh::text AS position_wh, l.metered_import_wh::text AS metered_import_wh,
              l.metered_export_wh::text AS metered_export_wh, l.estimated,
              l.imbalance_wh::text AS imbalance_wh, l.price::text AS price,
              l.amount_minor::text AS amount_minor
       FROM imbalance_line l
       JOIN participant p ON p.id = l.participant_id
       WHERE l.delivery_start >= $1 AND l.delivery_start < $2
         AND ($3::text IS NULL OR l.product_code = $3)
         AND ($4::uuid IS NULL OR l.participant_id = $4)
       ORDER BY l.delivery_start, l.product_code, l.revision, l.line`,
      [filter.from, filter.to, filter.productCode ?? null, filter.participantId ?? null],
    );
  }

  private async stream<T>(text: string, values: unknown[]): Promise<RowStream<T>> {
    const client = await this.exportPool().connect();
    const stream = client.query(new QueryStream(text, values, { batchSize: BATCH_SIZE }));
    let finished = false;
    stream.once('end', () => (finished = true));
    // 'close' follows the end, an error and destroy() alike (autoDestroy). A cursor left open
    // mid-fetch is not worth saving: the connection is closed instead of returned.
    stream.once('close', () => release(client, !finished));
    return stream;
  }

  private exportPool(): Pool {
    if (this.pool) return this.pool;
    // The main pool's server and role (createDataSource sets them).
    const options = this.db.options as { url?: string; extra?: { application_name?: string } };
    const extra = options.extra ?? {};
    this.pool = new Pool({
      connectionString: options.url,
      max: this.poolSize,
      application_name: `${extra.application_name ?? 'parkex'}-export-${process.pid}`,
      ...pgConnectionOptions({
        ...this.connection,
        statementTimeoutMs: this.connection.longReadTimeoutMs,
      }),
    });
    // An idle pooled connection that breaks must not crash the process.
    this.pool.on('error', () => undefined);
    return this.pool;
  }
}

function release(client: PoolClient, discard: boolean): void {
  try {
    client.release(discard);
  } catch {
    // released already
  }
}
