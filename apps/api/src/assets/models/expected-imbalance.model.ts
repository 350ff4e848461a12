import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { ImbalanceRow } from '@parkex/db';
import { formatQuantity } from '@parkex/market';
import { SideEnum } from '../../graphql/enums';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

@ObjectType('ExpectedImbalance', {
  description:
    'A cleared delivery of a suspended asset that has not ended: the operator expects it not to be delivered',
})
export class ExpectedImbalanceModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) safetyEventId!: string;
  @Field(() => ID) assetId!: string;
  @Field(() => ID) participantId!: string;
  @Field(() => ID) orderId!: string;
  @Field() productCode!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => SideEnum) side!: SideEnum;
  @Field(() => DecimalScalar, { description: 'kWh cleared' }) quantity!: string;
}

export function mapImbalance(row: ImbalanceRow): ExpectedImbalanceModel {
  return {
    id: row.id,
    safetyEventId: row.safetyEventId,
    assetId: row.assetId,
    participantId: row.participantId,
    orderId: row.orderId,
    productCode: row.productCode,
    deliveryStart: row.deliveryStart,
    side: row.side as SideEnum,
    quantity: formatQuantity(BigInt(row.filledWh)),
  };
}
