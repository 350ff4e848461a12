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
  };
}
