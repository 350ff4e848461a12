import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A participant's OPEN orders per product-interval and side, by price: the self-cross check of
 * every submission reads the participant's best open bid and offer in each interval it touches
 * (two index probes, whatever the size of the book or of the participant's history).
 */
export class IndexOpenOrders1764206000000 implements MigrationInterface {
  name = 'IndexOpenOrders1764206000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX market_order_participant_open
        ON market_order (participant_id, product_code, delivery_start, side, price)
        WHERE status = 'OPEN'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX market_order_participant_open`);
  }
}
