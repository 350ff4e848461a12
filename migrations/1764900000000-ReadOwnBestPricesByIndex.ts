import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A participant's best OPEN price in one product-interval and side, read by the self-cross check
 * of every submission, always through `market_order_participant_open` (one index probe).
 *
 * Written inline as `max(price) … WHERE participant_id = … AND product_code = … AND
 * delivery_start = … AND side = … AND status = 'OPEN'`, the planner also sees
 * `market_order_book (product_code, delivery_start)` and, while the table's statistics are
 * young or stale (a new park's first minutes, a book that grew fast since the last ANALYZE), it
 * estimates both at one row and may pick the book index: then every probe walks the whole
 * interval's book, all participants' orders, and a submission's cost grows with the book
 * (measured: 75 of a 116 ms insert of 1,000 orders; 0.6 to 1.0 ms per probe at 600 to 1,000
 * orders per interval).
 * The function runs with `enable_sort = off`, so the only plan without a sort, the backward or
 * forward scan of the participant's own index range, is the one taken. STABLE: it reads with
 * the calling statement's snapshot, i.e. the book as it was just before that statement's insert.
 */
export class ReadOwnBestPricesByIndex1764900000000 implements MigrationInterface {
  name = 'ReadOwnBestPricesByIndex1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION participant_best_open_price(
        p_participant uuid, p_product text, p_start timestamptz, p_side text
      ) RETURNS numeric
      LANGUAGE sql STABLE PARALLEL SAFE SET enable_sort = off AS $$
        SELECT CASE p_side
          WHEN 'BUY' THEN
            (SELECT o.price FROM market_order o
             WHERE o.participant_id = p_participant AND o.product_code = p_product
               AND o.delivery_start = p_start AND o.side = 'BUY' AND o.status = 'OPEN'
             ORDER BY o.price DESC LIMIT 1)
          WHEN 'SELL' THEN
            (SELECT o.price FROM market_order o
             WHERE o.participant_id = p_participant AND o.product_code = p_product
               AND o.delivery_start = p_start AND o.side = 'SELL' AND o.status = 'OPEN'
             ORDER BY o.price LIMIT 1)
        END
      $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION participant_best_open_price(uuid, text, timestamptz, text)`);
  }
}
