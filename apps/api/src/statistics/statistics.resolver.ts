import { UseGuards } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { AnyRole } from '@parkex/api/auth/roles.decorator';
import { StatisticsBucketEnum } from '../graphql/enums';
import { DateTimeScalar } from '../graphql/scalars';
import { CarrierEnum } from '@parkex/api/auctions/models/auction-enums';
import { mapPriceStatistics, PriceStatisticsModel } from './models/price-statistics.model';
import { StatisticsService } from './statistics.service';

/** Public market data: every role. */
@Resolver()
@UseGuards(ApiKeyGuard)
@AnyRole()
export class StatisticsResolver {
  constructor(private readonly service: StatisticsService) {}

  @Query(() => [PriceStatisticsModel], {
    description:
      'Clearing prices of a product per UTC hour or day of delivery start over [from, to): min, volume-weighted mean, max, volume and count of CLEARED intervals; buckets without one are left out',
  })
  async priceStatistics(
    @Args('productCode') productCode: string,
    @Args('from', { type: () => DateTimeScalar }) from: Date,
    @Args('to', { type: () => DateTimeScalar }) to: Date,
    @Args('bucket', { type: () => StatisticsBucketEnum }) bucket: StatisticsBucketEnum,
    @Args('carrier', {
      type: () => CarrierEnum,
      nullable: true,
      description:
        'With a carrier, productCode names an integrated auction series: its prices of that carrier, each auction interval at its delivery start',
    })
    carrier?: CarrierEnum | null,
  ): Promise<PriceStatisticsModel[]> {
    const rows = await this.service.priceStatistics(productCode, from, to, bucket, carrier ?? null);
    return rows.map(mapPriceStatistics);
  }
}
