import { Field, ID, ObjectType } from '@nestjs/graphql';
import { canonicalDecimal, formatQuantity } from '@parkex/market';
import type { MarketOrderRow } from '@parkex/db';
import { OrderStatusEnum, SideEnum } from '../../graphql/enums';
import { PageInfoModel } from '../../graphql/page-info.model';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

@ObjectType('Order')
export class OrderModel {
  @Field(() => ID) id!: string;
  @Field() clientOrderId!: string;
  @Field() productCode!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => SideEnum) side!: SideEnum;
  @Field(() => DecimalScalar, { description: 'Currency per kWh' }) price!: string;
  @Field(() => DecimalScalar, { description: 'kWh (at most 3 decimals: 1 Wh)' }) quantity!: string;
  @Field(() => DecimalScalar, { description: 'kWh filled at clearing; 0 until then' })
  filledQuantity!: string;
  @Field(() => OrderStatusEnum) status!: OrderStatusEnum;
  @Field(() => DateTimeScalar, { description: 'When the exchange accepted it' }) createdAt!: Date;
  @Field(() => ID, {
    nullable: true,
    description: 'The asset the order comes from, if it names one',
  })
  assetId!: string | null;
}

@ObjectType('OrderEdge')
export class OrderEdgeModel {
  @Field() cursor!: string;
  @Field(() => OrderModel) node!: OrderModel;
}

@ObjectType('OrderConnection')
export class OrderConnectionModel {
  @Field(() => [OrderEdgeModel]) edges!: OrderEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

export function mapOrder(entity: MarketOrderRow): OrderModel {
  return {
    id: entity.id,
    clientOrderId: entity.clientOrderId,
    productCode: entity.productCode,
    deliveryStart: entity.deliveryStart,
    side: entity.side as SideEnum,
    price: canonicalDecimal(entity.price),
    quantity: formatQuantity(BigInt(entity.quantityWh)),
    filledQuantity: formatQuantity(BigInt(entity.filledWh)),
    status: entity.status as OrderStatusEnum,
    createdAt: entity.createdAt,
    assetId: entity.assetId,
  };
}
