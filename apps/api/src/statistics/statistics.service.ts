import { Injectable } from '@nestjs/common';
import { AuctionRepository, StatisticsRepository, type PriceBucketRow } from '@parkex/db';
import { badInput, notFound } from '../common/app-error';
import { ProductsService } from '@parkex/api/products/products.service';
import { StatisticsBucketEnum } from '../graphql/enums';
import { BUCKET_MS, MAX_STATISTICS_BUCKETS } from '../graphql/list-bounds';

@Injectable()
export class StatisticsService {
  constructor(
    private readonly statistics: StatisticsRepository,
    private readonly products: ProductsService,
    private readonly auctions: AuctionRepository,
  ) {}

  /**
   * Clearing-price statistics of a product per UTC hour or day over [from, to); with `carrier`,
   * of an integrated auction series' prices of that carrier (`productCode` names the series),
   * each auction interval at its own delivery start. See the repository.
   */
  async priceStatistics(
    productCode: string,
    from: Date,
    to: Date,
    bucket: StatisticsBucketEnum,
    carrier: string | null = null,
  ): Promise<PriceBucketRow[]> {
    if (from.getTime() >= to.getTime()) throw badInput('from must be before to', { field: 'to' });
    if ((to.getTime() - from.getTime()) / BUCKET_MS[bucket] > MAX_STATISTICS_BUCKETS) {
      throw badInput(
        `[from, to) spans more than ${MAX_STATISTICS_BUCKETS} ${bucket.toLowerCase()}s; ask for a shorter window or a larger bucket`,
        { field: 'to' },
      );
    }
    const size = bucket === StatisticsBucketEnum.HOUR ? 'hour' : 'day';
    if (carrier !== null) {
      const series = (await this.auctions.listSeries()).find((s) => s.code === productCode);
      if (!series) throw notFound(`auction series ${productCode} does not exist`);
      return this.statistics.priceBuckets(
        { series: productCode, carrier },
        { from, to },
        size,
        series.priceTick,
      );
    }
    const product = await this.products.get(productCode);
    return this.statistics.priceBuckets(productCode, { from, to }, size, product.priceTick);
  }
}
