import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProductEntity } from '../entities/product.entity';

export type ProductSettings = Omit<ProductEntity, 'updatedAt'>;

@Injectable()
export class ProductRepository {
  constructor(private readonly db: DataSource) {}

  list(): Promise<ProductEntity[]> {
    return this.db.getRepository(ProductEntity).find({ order: { code: 'ASC' } });
  }

  findByCode(code: string): Promise<ProductEntity | null> {
    return this.db.getRepository(ProductEntity).findOneBy({ code });
  }

  /** Inserts or replaces a product's settings; returns the stored row. */
  async upsert(settings: ProductSettings): Promise<ProductEntity> {
    const rows = await this.db.query<ProductEntity[]>(
      `INSERT INTO product AS p (code, name, unit, interval_seconds, gate_closure_seconds,
              horizon_seconds, price_tick, min_price, max_price, mechanism, k, network_fee)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (code) DO UPDATE SET
         name = EXCLUDED.name, unit = EXCLUDED.unit,
         interval_seconds = EXCLUDED.interval_seconds,
         gate_closure_seconds = EXCLUDED.gate_closure_seconds,
         horizon_seconds = EXCLUDED.horizon_seconds,
         price_tick = EXCLUDED.price_tick, min_price = EXCLUDED.min_price,
         max_price = EXCLUDED.max_price, mechanism = EXCLUDED.mechanism, k = EXCLUDED.k,
         network_fee = EXCLUDED.network_fee, updated_at = now()
       RETURNING code`,
      [
        settings.code,
        settings.name,
        settings.unit,
        settings.intervalSeconds,
        settings.gateClosureSeconds,
        settings.horizonSeconds,
        settings.priceTick,
        settings.minPrice,
        settings.maxPrice,
        settings.mechanism,
        settings.k,
        settings.networkFee,
      ],
    );
    return (await this.findByCode(rows[0].code))!;
  }
}
