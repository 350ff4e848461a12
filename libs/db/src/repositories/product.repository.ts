import { Injectable } from '@nestjs/common';
import { DEFAULT_MAX_PARTICIPANT_QUANTITY_WH } from '@parkex/market';
import { DataSource } from 'typeorm';
import { ProductEntity } from '../entities/product.entity';
import { appendPendingAudit } from './audit-log.repository';

/** What `setImbalanceTerms` did: the product as stored, or why nothing was changed. */
export type ImbalanceTermsOutcome =
  | { kind: 'SET'; product: ProductEntity }
  | { kind: 'UNKNOWN_PRODUCT' }
  | { kind: 'UNKNOWN_SERIES' };

/**
 * A product's settings as the operator sets them. Without `maxParticipantQuantityWh` a new
 * product gets the default and an existing one keeps its value.
 */
export type ProductSettings = Omit<
  ProductEntity,
  'updatedAt' | 'maxParticipantQuantityWh' | keyof ImbalanceTerms
> & {
  maxParticipantQuantityWh?: string;
};

/** A product's imbalance terms (`setImbalanceTerms`); `upsert` leaves them as they are. */
export type ImbalanceTerms = Pick<
  ProductEntity,
  | 'meteringWindowSeconds'
  | 'correctionWindowSeconds'
  | 'importTariff'
  | 'feedInTariff'
  | 'auctionSeries'
>;

@Injectable()
export class ProductRepository {
  constructor(private readonly db: DataSource) {}

  list(): Promise<ProductEntity[]> {
    return this.db.getRepository(ProductEntity).find({ order: { code: 'ASC' } });
  }

  findByCode(code: string): Promise<ProductEntity | null> {
    return this.db.getRepository(ProductEntity).findOneBy({ code });
  }

  /**
   * Replaces a product's imbalance terms (checked by the caller), with the mutation's audit row in
   * the same transaction. Intervals already open keep the settlement time they opened with.
   */
  async setImbalanceTerms(code: string, terms: ImbalanceTerms): Promise<ImbalanceTermsOutcome> {
    return this.db.transaction(async (tx) => {
      if (terms.auctionSeries !== null) {
        const series = await tx.query<unknown[]>(`SELECT 1 FROM auction_series WHERE code = $1`, [
          terms.auctionSeries,
        ]);
        if (!series.length) return { kind: 'UNKNOWN_SERIES' } as const;
      }
      const rows = await tx.query<{ code: string }[]>(
        `UPDATE product SET metering_window_seconds = $2, correction_window_seconds = $3,
           import_tariff = $4, feed_in_tariff = $5, auction_series = $6, updated_at = now()
         WHERE code = $1 RETURNING code`,
        [
          code,
          terms.meteringWindowSeconds,
          terms.correctionWindowSeconds,
          terms.importTariff,
          terms.feedInTariff,
          terms.auctionSeries,
        ],
      );
      // TypeORM gives an UPDATE's result as [rows, count]
      const updated = (Array.isArray(rows[0]) ? rows[0] : rows) as { code: string }[];
      if (!updated.length) return { kind: 'UNKNOWN_PRODUCT' } as const;
      await appendPendingAudit((text, values) => tx.query(text, values));
      const product = await tx.getRepository(ProductEntity).findOneBy({ code });
      return { kind: 'SET', product: product! } as const;
    });
  }

  /** Inserts or replaces a product's settings; returns the stored row. */
  async upsert(settings: ProductSettings): Promise<ProductEntity> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<ProductEntity[]>(
        `INSERT INTO product AS p (code, name, unit, interval_seconds, gate_closure_seconds,
              horizon_seconds, price_tick, min_price, max_price, mechanism, k, network_fee,
              max_participant_quantity_wh)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, coalesce($13::bigint, $14::bigint))
       ON CONFLICT (code) DO UPDATE SET
         name = EXCLUDED.name, unit = EXCLUDED.unit,
         interval_seconds = EXCLUDED.interval_seconds,
         gate_closure_seconds = EXCLUDED.gate_closure_seconds,
         horizon_seconds = EXCLUDED.horizon_seconds,
         price_tick = EXCLUDED.price_tick, min_price = EXCLUDED.min_price,
         max_price = EXCLUDED.max_price, mechanism = EXCLUDED.mechanism, k = EXCLUDED.k,
         network_fee = EXCLUDED.network_fee,
         max_participant_quantity_wh = coalesce($13::bigint, p.max_participant_quantity_wh),
         updated_at = now()
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
          settings.maxParticipantQuantityWh ?? null,
          DEFAULT_MAX_PARTICIPANT_QUANTITY_WH.toString(),
        ],
      );
      await appendPendingAudit((text, values) => tx.query(text, values));
      return (await tx.getRepository(ProductEntity).findOneBy({ code: rows[0].code }))!;
    });
  }
}
