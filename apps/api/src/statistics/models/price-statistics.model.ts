import { Field, Int, ObjectType } from '@nestjs/graphql';
import type { PriceBucketRow } from '@parkex/db';
import { canonicalDecimal, formatQuantity } from '@parkex/market';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

@ObjectType('PriceStatistics', {
  description: 'Cleared intervals of one bucket (UTC hour or day of delivery start)',
})
export class PriceStatisticsModel {
  @Field(() => DateTimeScalar) bucketStart!: Date;
  @Field(() => DecimalScalar, { description: 'Lowest clearing price' }) minPrice!: string;
  @Field(() => DecimalScalar, {
    description:
      "Volume-weighted mean clearing price, computed exactly and rounded to the product's current tick (an exact half to the higher price)",
  })
  avgPrice!: string;
  @Field(() => DecimalScalar, { description: 'Highest clearing price' }) maxPrice!: string;
  @Field(() => DecimalScalar, { description: 'kWh traded' }) volume!: string;
  @Field(() => Int, { description: 'Cleared intervals (NO_TRADE ones are not counted)' })
  intervals!: number;
}

export function mapPriceStatistics(row: PriceBucketRow): PriceStatisticsModel {
  return {
    bucketStart: row.bucketStart,
    minPrice: canonicalDecimal(row.minPrice),
    avgPrice: canonicalDecimal(row.avgPrice),
    maxPrice: canonicalDecimal(row.maxPrice),
    volume: formatQuantity(BigInt(row.volumeWh)),
    intervals: row.intervals,
  };
}
