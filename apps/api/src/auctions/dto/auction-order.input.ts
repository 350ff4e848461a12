import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { SideEnum } from '../../graphql/enums';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';
import { CarrierEnum } from '../models/auction-enums';

/** Orders of `submitAuctionOrders`, checked by `auction-rules.ts` (every problem names `orders[i].field`). */
@InputType('StepOrderInput')
export class StepOrderInput {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => Int, { description: 'Interval index of the auction, from 0' }) interval!: number;
  @Field(() => SideEnum) side!: SideEnum;
  @Field(() => DecimalScalar, { description: 'Currency per kWh, on the auction tick and caps' })
  price!: string;
  @Field(() => DecimalScalar, { description: 'kWh, more than 0, at most 3 decimals' })
  quantity!: string;
}

@InputType('BlockOrderInput')
export class BlockOrderInput {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => SideEnum) side!: SideEnum;
  @Field(() => DecimalScalar) price!: string;
  @Field(() => Int) firstInterval!: number;
  @Field(() => [DecimalScalar], { description: 'kWh per interval from firstInterval' })
  quantities!: string[];
  @Field(() => DecimalScalar, { nullable: true, description: 'Default "1": all or nothing' })
  minAcceptanceRatio?: string | null;
  @Field(() => String, { nullable: true }) parentClientOrderId?: string | null;
  @Field(() => String, { nullable: true }) exclusiveGroup?: string | null;
}

@InputType('ConversionOutputInput')
export class ConversionOutputInput {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => DecimalScalar, { description: 'kWh out per kWh in' }) ratio!: string;
}

@InputType('ConversionOrderInput')
export class ConversionOrderInput {
  @Field(() => CarrierEnum, { nullable: true, description: 'null: external fuel' })
  input?: CarrierEnum | null;
  @Field(() => [ConversionOutputInput]) outputs!: ConversionOutputInput[];
  @Field(() => [DecimalScalar], { description: 'kWh per interval: one value, or one per interval' })
  maxInput!: string[];
  @Field(() => DecimalScalar, { description: 'Per kWh of input' }) cost!: string;
}

@InputType('StorageOrderInput')
export class StorageOrderInput {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => DecimalScalar) capacity!: string;
  @Field(() => DecimalScalar) initial!: string;
  @Field(() => DecimalScalar) finalMin!: string;
  @Field(() => DecimalScalar) maxCharge!: string;
  @Field(() => DecimalScalar) maxDischarge!: string;
  @Field(() => DecimalScalar) chargeEfficiency!: string;
  @Field(() => DecimalScalar) dischargeEfficiency!: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'Per kWh discharged; default "0"' })
  dischargeCost?: string | null;
}

@InputType('AuctionOrderInput', {
  description: 'Exactly one of step, block, conversion, storage.',
})
export class AuctionOrderInput {
  @Field() clientOrderId!: string;
  @Field() series!: string;
  @Field(() => DateTimeScalar, { description: "The auction's first interval" })
  deliveryStart!: Date;
  @Field(() => StepOrderInput, { nullable: true }) step?: StepOrderInput | null;
  @Field(() => BlockOrderInput, { nullable: true }) block?: BlockOrderInput | null;
  @Field(() => ConversionOrderInput, { nullable: true }) conversion?: ConversionOrderInput | null;
  @Field(() => StorageOrderInput, { nullable: true }) storage?: StorageOrderInput | null;
  @Field(() => ID, {
    nullable: true,
    description:
      'The asset a storage or conversion order comes from, one of yours (required for them, refused on steps and blocks): its kind, ratings and safety level limit the order (ASSET_REQUIRED, ASSET_KIND_MISMATCH, ASSET_SUSPENDED, ASSET_DERATED, ASSET_POWER_EXCEEDED, ASSET_CAPACITY_EXCEEDED)',
  })
  assetId?: string | null;
}
