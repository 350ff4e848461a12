import { Injectable } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, type QueryRunner } from 'typeorm';
import { rawClient } from './raw-client';

/** The product-interval a matcher has claimed, with the product terms it clears under. */
export interface ClaimedInterval {
  productCode: string;
  deliveryStart: Date;
  gateClosureAt: Date;
  terms: {
    priceTick: string;
    minPrice: string;
    maxPrice: string;
    mechanism: 'UNIFORM_PRICE' | 'PAY_AS_BID';
    k: string;
    networkFee: string;
  };
}

/** The frozen book as columns of text (pg's int8 and numeric), in time-priority order. */
export interface FrozenBookRows {
  id: string[];
  side: ('BUY' | 'SELL')[];
  priceTicks: string[];
  quantityWh: string[];
  acceptedAtUs: string[];
  participantId: string[];
}

export interface ClearingRecord {
  status: 'CLEARED' | 'NO_TRADE';
  price: string | null;
  volumeWh: string;
  amountMinor: string;
  feeMinor: string;
  bidCount: number;
  offerCount: number;
  inputHash: string;
  resultHash: string;
  demandCurve: unknown;
  supplyCurve: unknown;
  matcherVersion: string;
  matcherId: string;
  timings: Record<string, number>;
}

/** Fills as parallel columns (walk order; `seq` is the index). */
export interface FillRows {
  buyOrderId: string[];
  sellOrderId: string[];
  buyerId: string[];
  sellerId: string[];
  quantityWh: string[];
  price: string[];
  amountMinor: string[];
}

/** The final state of every order of the frozen book. */
export interface OrderStateRows {
  id: string[];
  status: ('FILLED' | 'PARTIALLY_FILLED' | 'UNFILLED')[];
  filledWh: string[];
}

export interface JournalRows {
  accountId: string[];
  kind: ('ENERGY' | 'NETWORK_FEE')[];
  fillSeq: (number | null)[];
  energyWh: string[];
  amountMinor: string[];
  debitMinor: string;
  /** The `journalHash` version `hash` computes (libs/market; new journals: 2). */
  hashVersion: number;
  /** The journal's chain hash, given its predecessor's (read under the ledger lock). */
  hash(prevHash: string): string;
}

export interface ClearingWrite {
  record: ClearingRecord;
  fills: FillRows;
  orderStates: OrderStateRows;
  /** Absent when nothing traded. */
  journal?: JournalRows;
}

/** Arbitrary constant: the advisory lock that orders journals into one hash chain. */
const LEDGER_LOCK = 7_305_003;
export const CLEARING_CHANNEL = 'parkex_clearing';
export const GENESIS_JOURNAL_HASH = '0'.repeat(64);

/** The matcher's transaction: claim one due product-interval, read its book, write its settlement. */
export class ClearingSession {
  constructor(
    private readonly client: PoolClient,
    readonly interval: ClaimedInterval,
  ) {}

  /** The OPEN orders of the claimed interval, in time priority. */
  loadBook(): Promise<FrozenBookRows> {
    const { productCode, deliveryStart, terms } = this.interval;
    return readBook(this.client, productCode, deliveryStart, terms.priceTick, "status = 'OPEN'");
  }

  /** Ledger accounts of these participants, and the utility's. */
  async accounts(
    participantIds: readonly string[],
  ): Promise<{ byParticipant: Map<string, string>; utility: string }> {
    const { rows } = await this.client.query<{ participant_id: string | null; id: string }>(
      `SELECT participant_id, id FROM account WHERE participant_id = ANY($1::uuid[]) OR kind = 'UTILITY'`,
      [participantIds],
    );
    const byParticipant = new Map<string, string>();
    let utility: string | undefined;
    for (const row of rows) {
      if (row.participant_id === null) utility = row.id;
      else byParticipant.set(row.participant_id, row.id);
    }
    if (!utility) throw new Error('the utility account is missing');
    return { byParticipant, utility };
  }

  /** Writes result, fills, order states and journal; marks the interval cleared; NOTIFY on commit. */
  async write(data: ClearingWrite): Promise<void> {
    const { productCode, deliveryStart, terms } = this.interval;
    const key = [productCode, deliveryStart] as const;
    const r = data.record;
    await this.client.query(
      `INSERT INTO clearing_result (product_code, delivery_start, status, price, volume_wh, amount_minor,
         fee_minor, mechanism, k, price_tick, min_price, max_price, network_fee, bid_count, offer_count,
         fill_count, input_hash, result_hash, demand_curve, supply_curve, matcher_version, matcher_id, timings)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
      [
        ...key,
        r.status,
        r.price,
        r.volumeWh,
        r.amountMinor,
        r.feeMinor,
        terms.mechanism,
        terms.k,
        terms.priceTick,
        terms.minPrice,
        terms.maxPrice,
        terms.networkFee,
        r.bidCount,
        r.offerCount,
        data.fills.buyOrderId.length,
        r.inputHash,
        r.resultHash,
        JSON.stringify(r.demandCurve),
        JSON.stringify(r.supplyCurve),
        r.matcherVersion,
        r.matcherId,
        JSON.stringify(r.timings),
      ],
    );

    const f = data.fills;
    const keyText = `${productCode}\t${deliveryStart.toISOString()}`;
    await this.copy(
      'COPY fill (product_code, delivery_start, seq, buy_order_id, sell_order_id, buyer_id, seller_id, quantity_wh, price, amount_minor) FROM STDIN',
      f.buyOrderId.length,
      (i) =>
        `${keyText}\t${i}\t${f.buyOrderId[i]}\t${f.sellOrderId[i]}\t${f.buyerId[i]}\t${f.sellerId[i]}\t${f.quantityWh[i]}\t${f.price[i]}\t${f.amountMinor[i]}\n`,
    );
    const o = data.orderStates;
    await this.copy(
      'COPY order_result (order_id, status, filled_wh) FROM STDIN',
      o.id.length,
      (i) => `${o.id[i]}\t${o.status[i]}\t${o.filledWh[i]}\n`,
    );
    if (data.journal) await this.writeJournal(data.journal);
    await this.client.query(
      `UPDATE product_interval SET state = 'CLEARED' WHERE product_code = $1 AND delivery_start = $2`,
      [...key],
    );
    await this.client.query(`SELECT pg_notify($1, $2)`, [
      CLEARING_CHANNEL,
      JSON.stringify({ productCode, deliveryStart: deliveryStart.toISOString() }),
    ]);
  }

  private async writeJournal(journal: JournalRows): Promise<void> {
    const { productCode, deliveryStart } = this.interval;
    await this.client.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK]);
    const last = await this.client.query<{ hash: string }>(
      'SELECT hash FROM journal ORDER BY id DESC LIMIT 1',
    );
    const prevHash = last.rows[0]?.hash ?? GENESIS_JOURNAL_HASH;
    const inserted = await this.client.query<{ id: string }>(
      `INSERT INTO journal (product_code, delivery_start, entry_count, debit_minor, prev_hash, hash, hash_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        productCode,
        deliveryStart,
        journal.accountId.length,
        journal.debitMinor,
        prevHash,
        journal.hash(prevHash),
        journal.hashVersion,
      ],
    );
    const id = inserted.rows[0].id;
    await this.copy(
      'COPY ledger_entry (journal_id, line, account_id, kind, fill_seq, energy_wh, amount_minor) FROM STDIN',
      journal.accountId.length,
      (i) =>
        `${id}\t${i}\t${journal.accountId[i]}\t${journal.kind[i]}\t${journal.fillSeq[i] ?? '\\N'}\t${journal.energyWh[i]}\t${journal.amountMinor[i]}\n`,
    );
  }

  /**
   * Bulk write with COPY (text format): the fastest way into PostgreSQL for 100k rows. The
   * values are ids, uuids, decimals, instants and enum words: nothing to escape. Checks that
   * every row arrived.
   */
  private async copy(sql: string, rows: number, line: (i: number) => string): Promise<void> {
    if (rows === 0) return;
    const stream = this.client.query(copyFrom(sql));
    await pipeline(textChunks(rows, line), stream);
    if (stream.rowCount !== rows) {
      throw new Error(`${sql.split(' (')[0]}: ${stream.rowCount} of ${rows} rows written`);
    }
  }
}

/** The lines in chunks of about 256 KiB, so the COPY stream can apply backpressure. */
function* textChunks(rows: number, line: (i: number) => string): Generator<string> {
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += line(i);
    if (chunk.length >= 262_144) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * A book of one product-interval as columns of text, in time priority, with prices in ticks of
 * `priceTick`. An order off that tick is an error, or, with `keepOffTick`, kept with the
 * price text `off-tick` (which no clearing accepts) so that a verification can report it.
 */
async function readBook(
  client: PoolClient,
  productCode: string,
  deliveryStart: Date,
  priceTick: string,
  condition: "status = 'OPEN'" | "status <> 'CANCELLED'",
  options: { keepOffTick?: boolean } = {},
): Promise<FrozenBookRows> {
  const { rows } = await client.query<
    [string, 'BUY' | 'SELL', string | null, string, string, string]
  >({
    text: `SELECT id::text, side,
                  CASE WHEN mod(price, $3::numeric) = 0 THEN (price / $3::numeric)::bigint::text END,
                  quantity_wh::text,
                  (extract(epoch FROM created_at) * 1000000)::bigint::text,
                  participant_id::text
           FROM market_order
           WHERE product_code = $1 AND delivery_start = $2 AND ${condition}
           ORDER BY market_order.created_at, market_order.id`,
    values: [productCode, deliveryStart, priceTick],
    rowMode: 'array',
  });
  const book: FrozenBookRows = {
    id: [],
    side: [],
    priceTicks: [],
    quantityWh: [],
    acceptedAtUs: [],
    participantId: [],
  };
  for (const [id, side, ticks, quantity, acceptedAt, participant] of rows) {
    if (ticks === null && !options.keepOffTick) {
      throw new Error(`order ${id} is not on the tick ${priceTick}`);
    }
    book.id.push(id);
    book.side.push(side);
    book.priceTicks.push(ticks ?? 'off-tick');
    book.quantityWh.push(quantity);
    book.acceptedAtUs.push(acceptedAt);
    book.participantId.push(participant);
  }
  return book;
}

export interface ClaimOptions {
  matcherId: string;
  /** A claim whose session stays idle in its transaction longer than this is dropped by the server. */
  claimTimeoutMs: number;
  /** Only these products (a replica per product group); all when absent. */
  products?: readonly string[];
}

@Injectable()
export class ClearingRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Claims the due product-interval (gate closed by the database's clock, not cleared) with the
   * earliest gate, in one transaction that holds its row lock: other matchers skip it, order
   * inserts wait for it. Runs `work`, then commits; rolls back on any error. Null when none is due.
   */
  async clearNextDue<T>(
    options: ClaimOptions,
    work: (session: ClearingSession) => Promise<T>,
  ): Promise<T | null> {
    const runner: QueryRunner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('READ COMMITTED');
      const client = rawClient(runner);
      await client.query(
        `SELECT set_config('idle_in_transaction_session_timeout', $1, true),
                                 set_config('application_name', $2, true)`,
        [String(options.claimTimeoutMs), options.matcherId],
      );
      const { rows } = await client.query<{
        product_code: string;
        delivery_start: Date;
        gate_closure_at: Date;
        price_tick: string;
        min_price: string;
        max_price: string;
        mechanism: 'UNIFORM_PRICE' | 'PAY_AS_BID';
        k: string;
        network_fee: string;
      }>(
        `SELECT i.product_code, i.delivery_start, i.gate_closure_at,
                i.price_tick, i.min_price, i.max_price, i.mechanism, i.k, i.network_fee
         FROM product_interval i
         WHERE i.state = 'OPEN' AND i.gate_closure_at <= now()
           AND ($1::text[] IS NULL OR i.product_code = ANY($1::text[]))
         ORDER BY i.gate_closure_at, i.product_code
         LIMIT 1
         FOR UPDATE OF i SKIP LOCKED`,
        [options.products ?? null],
      );
      if (!rows.length) {
        await runner.rollbackTransaction();
        return null;
      }
      const row = rows[0];
      const session = new ClearingSession(client, {
        productCode: row.product_code,
        deliveryStart: row.delivery_start,
        gateClosureAt: row.gate_closure_at,
        terms: {
          priceTick: row.price_tick,
          minPrice: row.min_price,
          maxPrice: row.max_price,
          mechanism: row.mechanism,
          k: row.k,
          networkFee: row.network_fee,
        },
      });
      const result = await work(session);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * The frozen book of a cleared interval, as stored (every order not cancelled before the
   * gate), priced in the ticks of the stored clearing terms; null when not cleared.
   */
  async loadClearedBook(
    productCode: string,
    deliveryStart: Date,
  ): Promise<{
    book: FrozenBookRows;
    terms: ClaimedInterval['terms'];
    inputHash: string;
    resultHash: string;
  } | null> {
    const stored = await this.db.query<
      {
        price_tick: string;
        min_price: string;
        max_price: string;
        mechanism: 'UNIFORM_PRICE' | 'PAY_AS_BID';
        k: string;
        network_fee: string;
        input_hash: string;
        result_hash: string;
      }[]
    >(
      `SELECT price_tick, min_price, max_price, mechanism, k, network_fee, input_hash, result_hash
       FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`,
      [productCode, deliveryStart],
    );
    if (!stored.length) return null;
    const s = stored[0];
    // Orders cancelled before the gate are not in the book; nothing else changes after it.
    const runner = this.db.createQueryRunner();
    await runner.connect();
    let book: FrozenBookRows;
    try {
      book = await readBook(
        rawClient(runner),
        productCode,
        deliveryStart,
        s.price_tick,
        "status <> 'CANCELLED'",
        {
          keepOffTick: true,
        },
      );
    } finally {
      await runner.release();
    }
    return {
      book,
      terms: {
        priceTick: s.price_tick,
        minPrice: s.min_price,
        maxPrice: s.max_price,
        mechanism: s.mechanism,
        k: s.k,
        networkFee: s.network_fee,
      },
      inputHash: s.input_hash,
      resultHash: s.result_hash,
    };
  }

  /** Product-intervals whose gate has closed and that are not cleared yet. */
  async countDue(): Promise<number> {
    const rows = await this.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM product_interval WHERE state = 'OPEN' AND gate_closure_at <= now()`,
    );
    return rows[0].n;
  }
}
