import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Integrated-auction orders name the asset they come from, as per-interval orders do: a STORAGE
 * or CONVERSION order must (checked by the API: the participant's own asset of a matching kind,
 * within its ratings and safety level), and the storage safety linkage cancels them like the
 * asset's per-interval orders. The column is part of the immutable order row.
 */
export class LinkAuctionOrdersToAssets1764500200000 implements MigrationInterface {
  name = 'LinkAuctionOrdersToAssets1764500200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE auction_order ADD COLUMN asset_id uuid REFERENCES asset (id)`);
    await db.query(
      `CREATE INDEX auction_order_asset ON auction_order (asset_id, id) WHERE asset_id IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX auction_order_asset`);
    await db.query(`ALTER TABLE auction_order DROP COLUMN asset_id`);
  }
}
