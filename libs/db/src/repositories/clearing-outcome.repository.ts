import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool, queryRows, transaction } from '../pg-pool';
import { appendPendingAudit } from './audit-log.repository';
import { RESULT_COLUMNS, type ClearingResultRow } from './settlement.repository';

/**
 * The outcome of a product-interval's clearing as clients see it: its clearing result, or its
 * FAILED result (no price, no volume, `failureReason`). An interval may have several outcomes
 * (FAILED, then the operator's re-run); the newest wins in queries, all stay stored.
 */
export interface ClearingOutcomeRow extends Omit<ClearingResultRow, 'status'> {
  /** FAILED: no price, volume 0, empty hashes and curves; `clearedAt` is when it failed. */
  status: ClearingResultRow['status'] | 'FAILED';
  /** Why it FAILED; null otherwise. */
  failureReason: string | null;
  /** FAILED results before this outcome: with product and delivery start, its identity. */
  run: number;
}

/**
 * The columns of a `ClearingOutcomeRow` from `clearing_result c` as the only FROM entry (the
 * result's columns unqualified, as in `RESULT_COLUMNS`).
 */
export const CLEARED_OUTCOME_COLUMNS = `${RESULT_COLUMNS}, NULL::text AS "failureReason",
  (SELECT count(*)::int FROM clearing_failure f
   WHERE f.product_code = c.product_code AND f.delivery_start = c.delivery_start) AS run`;

/** The same columns from `clearing_failure f JOIN product_interval i` (terms from the interval). */
export const FAILED_OUTCOME_COLUMNS = `
  f.product_code AS "productCode", f.delivery_start AS "deliveryStart", 'FAILED'::text AS status,
  NULL::text AS price, '0'::text AS "volumeWh", '0'::text AS "amountMinor", '0'::text AS "feeMinor",
  i.mechanism, i.k::text AS k, f.bid_count AS "bidCount", f.offer_count AS "offerCount",
  0 AS "fillCount", ''::text AS "inputHash", ''::text AS "resultHash",
  '[]'::jsonb AS "demandCurve", '[]'::jsonb AS "supplyCurve", f.matcher_id AS "matcherId",
  f.failed_at AS "clearedAt", f.reason AS "failureReason", f.run`;

export const FAILED_OUTCOME_FROM = `clearing_failure f
  JOIN product_interval i ON i.product_code = f.product_code AND i.delivery_start = f.delivery_start`;

/** What the operator's re-run request found. */
export type RetryOutcome =
  { kind: 'retrying' } | { kind: 'not-found' } | { kind: 'not-failed'; state: string };

/** Clearing outcomes (results and FAILED results) and the operator's re-run of a FAILED one. */
@Injectable()
export class ClearingOutcomeRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /** The newest outcome of one product-interval; null while it has none. */
  async find(productCode: string, deliveryStart: Date): Promise<ClearingOutcomeRow | null> {
    const rows = await queryRows<ClearingOutcomeRow>(
      this.pool,
      `SELECT * FROM (
         SELECT ${CLEARED_OUTCOME_COLUMNS} FROM clearing_result c
         WHERE c.product_code = $1 AND c.delivery_start = $2
         UNION ALL
         SELECT ${FAILED_OUTCOME_COLUMNS} FROM ${FAILED_OUTCOME_FROM}
         WHERE f.product_code = $1 AND f.delivery_start = $2
       ) o
       ORDER BY o.run DESC LIMIT 1`,
      [productCode, deliveryStart],
    );
    return rows[0] ?? null;
  }

  /**
   * The newest outcome per interval of a product, newest delivery first; `before` is the
   * exclusive keyset cursor. Fetches `limit` rows.
   */
  list(
    productCode: string,
    range: { from?: Date; to?: Date; before?: Date },
    limit: number,
  ): Promise<ClearingOutcomeRow[]> {
    const within = (alias: string) => `${alias}.product_code = $1
         AND ($2::timestamptz IS NULL OR ${alias}.delivery_start >= $2)
         AND ($3::timestamptz IS NULL OR ${alias}.delivery_start < $3)
         AND ($4::timestamptz IS NULL OR ${alias}.delivery_start < $4)`;
    return queryRows<ClearingOutcomeRow>(
      this.pool,
      `SELECT DISTINCT ON (o."deliveryStart") * FROM (
         (SELECT ${CLEARED_OUTCOME_COLUMNS} FROM clearing_result c
          WHERE ${within('c')} ORDER BY c.delivery_start DESC LIMIT $5)
         UNION ALL
         (SELECT DISTINCT ON (f.delivery_start) ${FAILED_OUTCOME_COLUMNS} FROM ${FAILED_OUTCOME_FROM}
          WHERE ${within('f')} ORDER BY f.delivery_start DESC, f.run DESC LIMIT $5)
       ) o
       ORDER BY o."deliveryStart" DESC, o.run DESC
       LIMIT $5`,
      [productCode, range.from ?? null, range.to ?? null, range.before ?? null, limit],
    );
  }

  /**
   * FAILED → RETRYING: the matcher re-runs the interval once. Tells why not when the interval
   * does not exist or is not FAILED (a concurrent request may have just set it RETRYING).
   */
  async retry(productCode: string, deliveryStart: Date): Promise<RetryOutcome> {
    return transaction(
      this.pool,
      { isolation: 'READ COMMITTED' },
      async (client): Promise<RetryOutcome> => {
        const { rows } = await client.query<{ updated: string | null; before: string | null }>(
          `WITH updated AS (
         UPDATE product_interval SET state = 'RETRYING'
         WHERE product_code = $1 AND delivery_start = $2 AND state = 'FAILED'
         RETURNING state
       )
       SELECT (SELECT state FROM updated) AS updated,
              (SELECT state FROM product_interval WHERE product_code = $1 AND delivery_start = $2) AS before`,
          [productCode, deliveryStart],
        );
        const { updated, before } = rows[0];
        if (updated) {
          await appendPendingAudit((text, values) => client.query(text, values));
          return { kind: 'retrying' };
        }
        if (!before) return { kind: 'not-found' };
        return { kind: 'not-failed', state: before === 'FAILED' ? 'RETRYING' : before };
      },
    );
  }
}
