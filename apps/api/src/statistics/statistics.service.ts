import { Injectable } from '@nestjs/common';
import { StatisticsRepository, type PriceBucketRow } from '@parkex/db';
import { badInput } from '../common/app-error';
import { ProductsService } from '@parkex/api/products/products.service';
import { StatisticsBucketEnum } from '../graphql/enums';
import { BUCKET_MS, MAX_STATISTICS_BUCKETS } from '../graphql/list-bounds';

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
    if ((to.getTime() - from.getTime()) / BUCKET_MS[bucket] > MAX_STATISTICS_BUCKETS) {
      throw badInput(
        `[from, to) spans more than ${MAX_STATISTICS_BUCKETS} ${bucket.toLowerCase()}s; ask for a shorter window or a larger bucket`,
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
