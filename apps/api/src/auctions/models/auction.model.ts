import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { OrderStatusEnum } from '../../graphql/enums';
import { PageInfoModel } from '../../graphql/page-info.model';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';
import {
  AuctionOrderKindEnum,
  AuctionStatusEnum,
  BlockOutcomeEnum,
  CarrierEnum,
} from './auction-enums';

@ObjectType('GridConnection')
export class GridConnectionModel {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => DecimalScalar, { nullable: true, description: 'kWh per interval; null: none' })
  importLimit!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) importPrice!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) exportLimit!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) exportPrice!: string | null;
}

@ObjectType('CarrierFee')
export class CarrierFeeModel {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => DecimalScalar) fee!: string;
}

@ObjectType('AuctionSeries')
export class AuctionSeriesModel {
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
  @Field(() => [CarrierFeeModel]) networkFees!: CarrierFeeModel[];
  @Field(() => [GridConnectionModel]) grid!: GridConnectionModel[];
}

@ObjectType('AuctionOrder')
export class AuctionOrderModel {
  @Field(() => ID) id!: string;
  @Field() clientOrderId!: string;
  @Field(() => ID) participantId!: string;
  @Field() series!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => AuctionOrderKindEnum) kind!: AuctionOrderKindEnum;
  @Field(() => ID, {
    nullable: true,
    description: 'The asset a storage or conversion order comes from',
  })
  assetId!: string | null;
  @Field(() => OrderStatusEnum) status!: OrderStatusEnum;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType('AuctionOrderEdge')
export class AuctionOrderEdgeModel {
  @Field() cursor!: string;
  @Field(() => AuctionOrderModel) node!: AuctionOrderModel;
}

@ObjectType('AuctionOrderConnection')
export class AuctionOrderConnectionModel {
  @Field(() => [AuctionOrderEdgeModel]) edges!: AuctionOrderEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

@ObjectType('CarrierSchedule')
export class CarrierScheduleModel {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => [DecimalScalar], {
    nullable: 'items',
    description: 'One per interval; null where nothing of that carrier traded',
  })
  prices!: (string | null)[];
  @Field(() => [DecimalScalar], { description: 'kWh traded inside the park per interval' })
  volumes!: string[];
  @Field(() => [DecimalScalar]) gridImport!: string[];
  @Field(() => [DecimalScalar]) gridExport!: string[];
}

@ObjectType('AwardFlow', {
  description: 'Signed kWh per interval of one carrier (> 0 received, < 0 delivered)',
})
export class AwardFlowModel {
  @Field(() => CarrierEnum) carrier!: CarrierEnum;
  @Field(() => [DecimalScalar]) quantities!: string[];
}

@ObjectType('AuctionAward')
export class AuctionAwardModel {
  @Field(() => ID) orderId!: string;
  @Field() clientOrderId!: string;
  @Field(() => ID) participantId!: string;
  @Field(() => AuctionOrderKindEnum) kind!: AuctionOrderKindEnum;
  @Field(() => [AwardFlowModel]) flows!: AwardFlowModel[];
  @Field(() => [DecimalScalar], {
    nullable: true,
    description: 'Storage only: kWh at the end of each interval',
  })
  stateOfCharge!: string[] | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'Storage only: kWh it ends below its minimum final state (what the park could not supply at up to the cap)',
  })
  shortfall!: string | null;
  @Field(() => BlockOutcomeEnum, { nullable: true, description: 'Block only' })
  blockOutcome!: BlockOutcomeEnum | null;
  @Field(() => DecimalScalar, { description: 'Money, > 0 received' }) amount!: string;
}

@ObjectType('AuctionAwardEdge')
export class AuctionAwardEdgeModel {
  @Field() cursor!: string;
  @Field(() => AuctionAwardModel) node!: AuctionAwardModel;
}

@ObjectType('AuctionAwardConnection')
export class AuctionAwardConnectionModel {
  @Field(() => [AuctionAwardEdgeModel]) edges!: AuctionAwardEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

@ObjectType('AuctionResult')
export class AuctionResultModel {
  @Field() series!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => AuctionStatusEnum) status!: AuctionStatusEnum;
  @Field(() => DateTimeScalar, { nullable: true }) clearedAt!: Date | null;
  @Field(() => DecimalScalar, { nullable: true }) welfare!: string | null;
  @Field(() => [CarrierScheduleModel]) schedules!: CarrierScheduleModel[];
  @Field(() => [ID]) paradoxicallyRejectedBlocks!: string[];
  @Field(() => String, { nullable: true }) solver!: string | null;
  @Field(() => String, { nullable: true }) inputHash!: string | null;
  @Field(() => String, { nullable: true }) resultHash!: string | null;
  @Field(() => String, { nullable: true }) failureReason!: string | null;
  /** For the awards resolver: the caller's view (a participant sees its own). */
  viewer?: string | null;
}

@ObjectType('AuctionCheck')
export class AuctionCheckModel {
  @Field() name!: string;
  @Field() ok!: boolean;
  @Field(() => String, { nullable: true }) detail!: string | null;
}

@ObjectType('AuctionVerification')
export class AuctionVerificationModel {
  @Field() ok!: boolean;
  @Field() storedInputHash!: string;
  @Field() storedResultHash!: string;
  @Field() recomputedInputHash!: string;
  @Field() recomputedResultHash!: string;
  @Field(() => [AuctionCheckModel]) checks!: AuctionCheckModel[];
}
