import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool, queryRows } from '../pg-pool';

export interface ClearingResultRow {
  productCode: string;
  deliveryStart: Date;
  status: 'CLEARED' | 'NO_TRADE';
  price: string | null;
  volumeWh: string;
  amountMinor: string;
  feeMinor: string;
  mechanism: 'UNIFORM_PRICE' | 'PAY_AS_BID';
  k: string;
  bidCount: number;
  offerCount: number;
  fillCount: number;
  inputHash: string;
  resultHash: string;
  demandCurve: { price: string; quantity: string }[];
  supplyCurve: { price: string; quantity: string }[];
  matcherId: string;
  clearedAt: Date;
}

export interface FillRow {
  seq: number;
  buyOrderId: string;
  sellOrderId: string;
  buyerId: string;
  sellerId: string;
  quantityWh: string;
  price: string;
  amountMinor: string;
}

/** Which fills of one result to read: those after `afterSeq` (−1: from the first), at most `limit`. */
export interface FillPageKey {
  productCode: string;
  deliveryStart: Date;
  afterSeq: number;
  limit: number;
}

/** The stored final state of one order (order_result). */
export interface OrderResultRow {
  orderId: string;
  status: string;
  filledWh: string;
}

export interface SettlementRow {
  journalId: string;
  participantId: string;
  /** The product, or the series of an integrated auction (`source` tells which). */
  productCode: string;
  source: 'INTERVAL' | 'AUCTION' | 'IMBALANCE';
  deliveryStart: Date;
  /** Energy received (> 0) or delivered (< 0), Wh. */
  netEnergyWh: string;
  /** Money received (> 0) or paid (< 0) for energy, minor units. */
  energyAmountMinor: string;
  /** Network fees paid (≤ 0), minor units. */
  feeMinor: string;
  netAmountMinor: string;
}

/** The columns of a `ClearingResultRow`, for any query on clearing_result. */
export const RESULT_COLUMNS = `
  product_code AS "productCode", delivery_start AS "deliveryStart", status, price::text AS price,
  volume_wh::text AS "volumeWh", amount_minor::text AS "amountMinor", fee_minor::text AS "feeMinor",
  mechanism, k::text AS k, bid_count AS "bidCount", offer_count AS "offerCount", fill_count AS "fillCount",
  input_hash AS "inputHash", result_hash AS "resultHash", demand_curve AS "demandCurve",
  supply_curve AS "supplyCurve", matcher_id AS "matcherId", cleared_at AS "clearedAt"`;

/** The columns of a `FillRow`, for any query whose only table with these column names is fill. */
const FILL_COLUMNS = `seq, buy_order_id::text AS "buyOrderId", sell_order_id::text AS "sellOrderId",
  buyer_id AS "buyerId", seller_id AS "sellerId", quantity_wh::text AS "quantityWh",
  price::text AS price, amount_minor::text AS "amountMinor"`;

/** Read side of clearing and settlement: results, fills, statements and balances. */
@Injectable()
export class SettlementRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  async findResult(productCode: string, deliveryStart: Date): Promise<ClearingResultRow | null> {
    const rows = await queryRows<ClearingResultRow>(
      this.pool,
      `SELECT ${RESULT_COLUMNS} FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`,
      [productCode, deliveryStart],
    );
    return rows[0] ?? null;
  }

  /** Every fill of one result in seq order (verification reads whole books). */
  fills(productCode: string, deliveryStart: Date): Promise<FillRow[]> {
    return queryRows<FillRow>(
      this.pool,
      `SELECT ${FILL_COLUMNS}
       FROM fill WHERE product_code = $1 AND delivery_start = $2 ORDER BY seq`,
      [productCode, deliveryStart],
    );
  }

  /**
   * Pages of fills of many results in one statement (the API batches a request's fill reads
   * into it): for each key in order, its fills in seq order.
   */
  async fillPages(keys: readonly FillPageKey[]): Promise<FillRow[][]> {
    const pages = keys.map((): FillRow[] => []);
    if (keys.length === 0) return pages;
    const rows = await queryRows<FillRow & { page: number }>(
      this.pool,
      `SELECT k.page::int AS page, ${FILL_COLUMNS}
       FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::int[])
              WITH ORDINALITY AS k(product_code, delivery_start, after_seq, max_rows, page)
       CROSS JOIN LATERAL (
         SELECT * FROM fill
         WHERE fill.product_code = k.product_code AND fill.delivery_start = k.delivery_start
           AND fill.seq > k.after_seq
         ORDER BY fill.seq
         LIMIT k.max_rows) f
       ORDER BY k.page, f.seq`,
      [
        keys.map((k) => k.productCode),
        keys.map((k) => k.deliveryStart),
        keys.map((k) => k.afterSeq),
        keys.map((k) => k.limit),
      ],
    );
    for (const { page, ...fill } of rows) pages[page - 1].push(fill);
    return pages;
  }

  /** The stored order results of an interval's orders (whatever their status), by order id. */
  orderResults(productCode: string, deliveryStart: Date): Promise<OrderResultRow[]> {
    return queryRows<OrderResultRow>(
      this.pool,
      `SELECT r.order_id::text AS "orderId", r.status, r.filled_wh::text AS "filledWh"
       FROM order_result r JOIN market_order o ON o.id = r.order_id
       WHERE o.product_code = $1 AND o.delivery_start = $2
       ORDER BY r.order_id`,
      [productCode, deliveryStart],
    );
  }

  /**
   * Per participant and cleared interval: net energy and money from the ledger, oldest
   * first by journal; keyset cursor `(journalId, participantId)`.
   */
  settlements(
    filter: {
      participantId?: string;
      from?: Date;
      to?: Date;
      after?: { journalId: string; participantId: string };
    },
    limit: number,
  ): Promise<SettlementRow[]> {
    return queryRows<SettlementRow>(
      this.pool,
      `SELECT j.id::text AS "journalId", a.participant_id AS "participantId",
              coalesce(j.product_code, j.auction_series, j.imbalance_product) AS "productCode",
              CASE WHEN j.auction_series IS NOT NULL THEN 'AUCTION'
                   WHEN j.imbalance_product IS NOT NULL THEN 'IMBALANCE' ELSE 'INTERVAL' END AS source,
              j.delivery_start AS "deliveryStart",
              sum(e.energy_wh)::text AS "netEnergyWh",
              coalesce(sum(e.amount_minor) FILTER (WHERE e.kind <> 'NETWORK_FEE'), 0)::text AS "energyAmountMinor",
              coalesce(sum(e.amount_minor) FILTER (WHERE e.kind = 'NETWORK_FEE'), 0)::text AS "feeMinor",
              sum(e.amount_minor)::text AS "netAmountMinor"
       FROM journal j
       JOIN ledger_entry e ON e.journal_id = j.id
       JOIN account a ON a.id = e.account_id AND a.kind = 'PARTICIPANT'
       WHERE ($1::uuid IS NULL OR a.participant_id = $1)
         AND ($2::timestamptz IS NULL OR j.delivery_start >= $2)
         AND ($3::timestamptz IS NULL OR j.delivery_start < $3)
         AND ($4::bigint IS NULL OR (j.id, a.participant_id) > ($4::bigint, $5::uuid))
       GROUP BY j.id, a.participant_id
       ORDER BY j.id, a.participant_id
       LIMIT $6`,
      [
        filter.participantId ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.after?.journalId ?? null,
        filter.after?.participantId ?? null,
        limit,
      ],
    );
  }

  /** Sum of the ledger for a participant's account (minor units; > 0: the participant is owed). */
  async balance(participantId: string): Promise<{ amountMinor: string; energyWh: string } | null> {
    const rows = await queryRows<{ amountMinor: string; energyWh: string }>(
      this.pool,
      `SELECT coalesce(sum(e.amount_minor), 0)::text AS "amountMinor", coalesce(sum(e.energy_wh), 0)::text AS "energyWh"
       FROM account a LEFT JOIN ledger_entry e ON e.account_id = a.id
       WHERE a.participant_id = $1 GROUP BY a.id`,
      [participantId],
    );
    return rows[0] ?? null;
  }
}
