import { Field, InputType, Int } from '@nestjs/graphql';
import { DecimalScalar } from '../../graphql/scalars';
import { CarrierEnum } from '../models/auction-enums';

@InputType('CarrierFeeInput')
export class CarrierFeeInput {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => DecimalScalar) fee!: string;
}

@InputType('GridConnectionInput')
export class GridConnectionInput {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => DecimalScalar, { nullable: true, description: 'kWh per interval; null: none' })
  importLimit?: string | null;
  @Field(() => DecimalScalar, { nullable: true }) importPrice?: string | null;
  @Field(() => DecimalScalar, { nullable: true }) exportLimit?: string | null;
  @Field(() => DecimalScalar, { nullable: true }) exportPrice?: string | null;
}

@InputType('AuctionSeriesInput')
export class AuctionSeriesInput {
  @Field() code!: string;
  @Field() name!: string;
  @Field(() => [CarrierEnum]) carriers!: CarrierEnum[];
  @Field(() => Int) intervalSeconds!: number;
  @Field(() => Int) intervals!: number;
  @Field(() => Int) gateClosureSeconds!: number;
  @Field(() => DecimalScalar) priceTick!: string;
  @Field(() => DecimalScalar) minPrice!: string;
  @Field(() => DecimalScalar) maxPrice!: string;
  @Field(() => DecimalScalar) k!: string;
  @Field(() => [CarrierFeeInput]) networkFees!: CarrierFeeInput[];
  @Field(() => [GridConnectionInput]) grid!: GridConnectionInput[];
}
