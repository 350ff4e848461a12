import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { ClearingOutcomeRow, FillRow } from '@parkex/db';
import { canonicalDecimal, formatMoney, formatQuantity } from '@parkex/market';
import { MechanismEnum } from '../../graphql/enums';
import { PageInfoModel } from '../../graphql/page-info.model';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

export enum ClearingStatusEnum {
  CLEARED = 'CLEARED',
  NO_TRADE = 'NO_TRADE',
  /** The clearing failed on every attempt: no price, no fills; the operator may re-run it. */
  FAILED = 'FAILED',
}
registerEnumType(ClearingStatusEnum, { name: 'ClearingStatus' });

@ObjectType('Fill', { description: 'One peer-to-peer pair of a clearing' })
export class FillModel {
  @Field(() => ID, {
    nullable: true,
    description: "Null unless it is the caller's own order (operator and auditor see all)",
  })
  buyOrderId!: string | null;
  @Field(() => ID, {
    nullable: true,
    description: "Null unless it is the caller's own order (operator and auditor see all)",
  })
  sellOrderId!: string | null;
  @Field(() => ID, { nullable: true, description: 'The buying participant, under the same rule' })
  buyerId!: string | null;
  @Field(() => ID, { nullable: true, description: 'The selling participant, under the same rule' })
  sellerId!: string | null;
  @Field(() => DecimalScalar, { description: 'kWh' }) quantity!: string;
  @Field(() => DecimalScalar, { description: 'currency per kWh' }) price!: string;
  @Field(() => DecimalScalar, { description: 'quantity × price, rounded to 0.01' }) amount!: string;
}

@ObjectType('CurvePoint', { description: 'A step of a cumulative demand or supply curve' })
export class CurvePointModel {
  @Field(() => DecimalScalar) price!: string;
  @Field(() => DecimalScalar, {
    description: 'kWh bid at or above (demand), offered at or below (supply) the price',
  })
  quantity!: string;
}

@ObjectType('ClearingResult')
export class ClearingResultModel {
  @Field() productCode!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => ClearingStatusEnum) status!: ClearingStatusEnum;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Clearing price; null when nothing traded',
  })
  price!: string | null;
  @Field(() => DecimalScalar, { description: 'kWh traded' }) volume!: string;
  @Field(() => DecimalScalar, { description: 'Money that changed hands for energy' })
  amount!: string;
  @Field(() => DecimalScalar, { description: 'Network fees charged to buyers' })
  networkFees!: string;
  @Field(() => MechanismEnum) mechanism!: MechanismEnum;
  @Field(() => DecimalScalar) k!: string;
  @Field(() => Int) bidCount!: number;
  @Field(() => Int) offerCount!: number;
  @Field(() => Int) fillCount!: number;
  @Field({ description: 'SHA-256 of the frozen book and terms' }) inputHash!: string;
  @Field({ description: 'SHA-256 of the result' }) resultHash!: string;
  @Field(() => DateTimeScalar) clearedAt!: Date;
  @Field(() => [CurvePointModel]) demandCurve!: CurvePointModel[];
  @Field(() => [CurvePointModel]) supplyCurve!: CurvePointModel[];
  @Field(() => String, {
    nullable: true,
    description: 'Why the clearing FAILED (its last error); null unless status is FAILED',
  })
  failureReason!: string | null;
  /** Resolved on demand (see the resolver): a large book has many fills. */
  fills?: FillModel[];
  /**
   * The live feed's row this result was mapped from: one object for all subscribers, so its
   * fills are read once (not a GraphQL field).
   */
  published?: object;
}

@ObjectType('FillEdge')
export class FillEdgeModel {
  @Field() cursor!: string;
  @Field(() => FillModel) node!: FillModel;
}

@ObjectType('FillConnection', { description: 'Fills of one result in the order they were made' })
export class FillConnectionModel {
  @Field(() => [FillEdgeModel]) edges!: FillEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

@ObjectType('ClearingResultEdge')
export class ClearingResultEdgeModel {
  @Field() cursor!: string;
  @Field(() => ClearingResultModel) node!: ClearingResultModel;
}

@ObjectType('ClearingResultConnection')
export class ClearingResultConnectionModel {
  @Field(() => [ClearingResultEdgeModel]) edges!: ClearingResultEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

export function mapClearingResult(row: ClearingOutcomeRow): ClearingResultModel {
  return {
    productCode: row.productCode,
    deliveryStart: row.deliveryStart,
    status: row.status as ClearingStatusEnum,
    price: row.price === null ? null : canonicalDecimal(row.price),
    volume: formatQuantity(BigInt(row.volumeWh)),
    amount: formatMoney(BigInt(row.amountMinor)),
    networkFees: formatMoney(BigInt(row.feeMinor)),
    mechanism: row.mechanism as MechanismEnum,
    k: canonicalDecimal(row.k),
    bidCount: row.bidCount,
    offerCount: row.offerCount,
    fillCount: row.fillCount,
    inputHash: row.inputHash,
    resultHash: row.resultHash,
    clearedAt: row.clearedAt,
    demandCurve: row.demandCurve,
    supplyCurve: row.supplyCurve,
    failureReason: row.failureReason,
  };
}

/** `seeAll`: operator or auditor; otherwise only the caller's own side is identified. */
export function mapFill(row: FillRow, viewer: { id: string; seeAll: boolean }): FillModel {
  const ownBuy = viewer.seeAll || row.buyerId === viewer.id;
  const ownSell = viewer.seeAll || row.sellerId === viewer.id;
  return {
    buyOrderId: ownBuy ? row.buyOrderId : null,
    sellOrderId: ownSell ? row.sellOrderId : null,
    buyerId: ownBuy ? row.buyerId : null,
    sellerId: ownSell ? row.sellerId : null,
    quantity: formatQuantity(BigInt(row.quantityWh)),
    price: canonicalDecimal(row.price),
    amount: formatMoney(BigInt(row.amountMinor)),
  };
}
