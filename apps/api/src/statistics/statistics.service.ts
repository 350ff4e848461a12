import { Injectable } from '@nestjs/common';
import { StatisticsRepository, type PriceBucketRow } from '@parkex/db';
import { badInput } from '../common/app-error';
import { ProductsService } from '@parkex/api/products/products.service';
import { StatisticsBucketEnum } from './models/price-statistics.model';

/** Buckets one query may span. */
export const MAX_BUCKETS = 10_000;

/** Length of a statistics bucket. */
export const BUCKET_MS: Record<StatisticsBucketEnum, number> = {
  [StatisticsBucketEnum.HOUR]: 3_600_000,
  [StatisticsBucketEnum.DAY]: 86_400_000,
};

@Injectable()
export class StatisticsService {
  constructor(
    private readonly statistics: StatisticsRepository,
    private readonly products: ProductsService,
  ) {}

  /** Clearing-price statistics of a product per UTC hour or day over [from, to); see the repository. */
  async priceStatistics(
    productCode: string,
    from: Date,
    to: Date,
    bucket: StatisticsBucketEnum,
  ): Promise<PriceBucketRow[]> {
    if (from.getTime() >= to.getTime()) throw badInput('from must be before to', { field: 'to' });
    if ((to.getTime() - from.getTime()) / BUCKET_MS[bucket] > MAX_BUCKETS) {
      throw badInput(
        `[from, to) spans more than ${MAX_BUCKETS} ${bucket.toLowerCase()}s; ask for a shorter window or a larger bucket`,
        { field: 'to' },
      );
    }
    const product = await this.products.get(productCode);
    return this.statistics.priceBuckets(
      productCode,
      { from, to },
      bucket === StatisticsBucketEnum.HOUR ? 'hour' : 'day',
      product.priceTick,
    );
  }
}
