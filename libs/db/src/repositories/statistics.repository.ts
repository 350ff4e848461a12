import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool, queryRows } from '../pg-pool';

export type StatisticsBucketSize = 'hour' | 'day';

/** One bucket of cleared intervals; decimals as exact text. */
export interface PriceBucketRow {
  bucketStart: Date;
  minPrice: string;
  /** Volume-weighted mean price rounded to the tick (see `priceBuckets`). */
  avgPrice: string;
  maxPrice: string;
  volumeWh: string;
  intervals: number;
}

/** Market statistics over stored clearing results. */
@Injectable()
export class StatisticsRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /**
   * Per UTC hour or day of delivery start, over CLEARED results of a product with delivery start
   * in [from, to): lowest, highest and volume-weighted mean clearing price, volume, count. Buckets
   * without a cleared interval are left out.
   *
   * The mean is exact: Σ(price × volume) and Σvolume are `numeric`/`bigint` sums, and
   * Σ(price × volume) / (Σvolume × tick) is split with exact integer `div`/`mod` into whole ticks
   * and a remainder; the mean is rounded to the nearest multiple of `tick`, an exact half going to
   * the higher price (as the clearing price itself is).
   */
  priceBuckets(
    source: string | { series: string; carrier: string },
    range: { from: Date; to: Date },
    bucket: StatisticsBucketSize,
    tick: string,
  ): Promise<PriceBucketRow[]> {
    const auction = typeof source === 'string' ? null : source;
    // A product's CLEARED intervals, or an auction series' intervals of one carrier that have a
    // price (something of that carrier was exchanged), each at its own delivery start.
    const cleared = auction
      ? `SELECT a.delivery_start + p.interval * a.interval_seconds * interval '1 second' AS delivery_start,
                p.price, p.volume_wh
         FROM auction_price p JOIN auction a USING (series_code, delivery_start)
         WHERE p.series_code = $1 AND p.carrier = $6 AND p.price IS NOT NULL
           AND p.delivery_start < $3`
      : `SELECT delivery_start, price, volume_wh FROM clearing_result
         WHERE product_code = $1 AND status = 'CLEARED' AND delivery_start >= $2 AND delivery_start < $3`;
    return queryRows<PriceBucketRow>(
      this.pool,
      `WITH cleared AS (${cleared}), buckets AS (
         SELECT date_trunc($4, delivery_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket_start,
                min(price) AS min_price, max(price) AS max_price,
                sum(price * volume_wh) AS weighted, sum(volume_wh) AS volume, count(*)::int AS intervals
         FROM cleared
         WHERE delivery_start >= $2 AND delivery_start < $3
         GROUP BY 1
       ), split AS (
         SELECT b.*, b.volume * $5::numeric AS denominator,
                div(b.weighted, b.volume * $5::numeric) AS q, mod(b.weighted, b.volume * $5::numeric) AS r
         FROM buckets b
       ), floored AS (
         -- div/mod truncate toward zero: move a negative remainder up to floor division.
         SELECT s.*, CASE WHEN s.r < 0 THEN s.q - 1 ELSE s.q END AS fq,
                CASE WHEN s.r < 0 THEN s.r + s.denominator ELSE s.r END AS fr
         FROM split s
       )
       SELECT bucket_start AS "bucketStart", min_price::text AS "minPrice", max_price::text AS "maxPrice",
              ((fq + CASE WHEN 2 * fr >= denominator THEN 1 ELSE 0 END) * $5::numeric)::text AS "avgPrice",
              volume::text AS "volumeWh", intervals
       FROM floored
       ORDER BY bucket_start`,
      auction
        ? [auction.series, range.from, range.to, bucket, tick, auction.carrier]
        : [source, range.from, range.to, bucket, tick],
    );
  }
}
