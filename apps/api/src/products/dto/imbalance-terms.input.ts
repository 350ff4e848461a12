import { Field, InputType, Int } from '@nestjs/graphql';
import { DecimalScalar } from '../../graphql/scalars';

@InputType('ImbalanceTermsInput')
export class ImbalanceTermsInput {
  @Field() productCode!: string;

  @Field(() => Int, {
    description: 'Seconds after an interval ends until it is settled: 0 to 2678400 (31 days)',
  })
  meteringWindowSeconds!: number;

  @Field(() => Int, {
    description:
      'Seconds after an interval ends during which readings are accepted: 0 to 31622400 (366 days), at least meteringWindowSeconds',
  })
  correctionWindowSeconds!: number;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'Currency per kWh; both tariffs or neither: neither means the product is not imbalance-settled',
  })
  importTariff?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Currency per kWh, ≤ importTariff' })
  feedInTariff?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The integrated-auction series whose awards count in positions',
  })
  auctionSeries?: string | null;
}
