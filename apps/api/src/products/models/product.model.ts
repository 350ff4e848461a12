import { Field, Int, ObjectType } from '@nestjs/graphql';
import type { ProductEntity } from '@parkex/db';
import { canonicalDecimal, formatQuantity } from '@parkex/market';
import { MechanismEnum } from '../../graphql/enums';
import { DecimalScalar } from '../../graphql/scalars';

@ObjectType('Product')
export class ProductModel {
  @Field() code!: string;
  @Field() name!: string;
  @Field() unit!: string;
  @Field(() => Int) intervalSeconds!: number;
  @Field(() => Int) gateClosureSeconds!: number;
  @Field(() => Int) horizonSeconds!: number;
  @Field(() => DecimalScalar) priceTick!: string;
  @Field(() => DecimalScalar) minPrice!: string;
  @Field(() => DecimalScalar) maxPrice!: string;
  @Field(() => MechanismEnum) mechanism!: MechanismEnum;
  @Field(() => DecimalScalar) k!: string;
  @Field(() => DecimalScalar) networkFee!: string;
  @Field(() => DecimalScalar, {
    description:
      'Most kWh one participant may have in one product-interval and side (frozen into each interval when it opens).',
  })
  maxParticipantQuantity!: string;
  @Field(() => Int, {
    description:
      'Imbalance settlement: seconds after an interval ends until it is settled against the meter readings',
  })
  meteringWindowSeconds!: number;
  @Field(() => Int, {
    description:
      'Seconds after an interval ends during which readings and corrections are accepted (≥ the metering window)',
  })
  correctionWindowSeconds!: number;
  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'Currency per kWh the utility charges for a shortfall (at least); null: the product is not metered nor imbalance-settled',
  })
  importTariff!: string | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Currency per kWh the utility pays for a surplus (at most)',
  })
  feedInTariff!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'The integrated-auction series whose awards count in positions',
  })
  auctionSeries!: string | null;
}

export function mapProduct(entity: ProductEntity): ProductModel {
  return {
    code: entity.code,
    name: entity.name,
    unit: entity.unit,
    intervalSeconds: entity.intervalSeconds,
    gateClosureSeconds: entity.gateClosureSeconds,
    horizonSeconds: entity.horizonSeconds,
    priceTick: canonicalDecimal(entity.priceTick),
    minPrice: canonicalDecimal(entity.minPrice),
    maxPrice: canonicalDecimal(entity.maxPrice),
    mechanism: entity.mechanism as MechanismEnum,
    k: canonicalDecimal(entity.k),
    networkFee: canonicalDecimal(entity.networkFee),
    maxParticipantQuantity: formatQuantity(BigInt(entity.maxParticipantQuantityWh)),
    meteringWindowSeconds: entity.meteringWindowSeconds,
    correctionWindowSeconds: entity.correctionWindowSeconds,
    importTariff: entity.importTariff === null ? null : canonicalDecimal(entity.importTariff),
    feedInTariff: entity.feedInTariff === null ? null : canonicalDecimal(entity.feedInTariff),
    auctionSeries: entity.auctionSeries,
  };
}
