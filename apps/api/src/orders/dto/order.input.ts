import { Field, ID, InputType } from '@nestjs/graphql';
import { SideEnum } from '../../graphql/enums';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

/**
 * One order of `submitOrders`. Checked by `order-rules.ts` (not class-validator: the argument is
 * a list, and every problem must name its order as `orders[i].field`).
 */
@InputType('OrderInput')
export class OrderInput {
  @Field({ description: "The client's own id, unique per participant (1 to 100 characters)" })
  clientOrderId!: string;

  @Field() productCode!: string;

  @Field(() => DateTimeScalar, {
    description: "Start of the delivery interval: a multiple of the product's intervalSeconds",
  })
  deliveryStart!: Date;

  @Field(() => SideEnum) side!: SideEnum;

  @Field(() => DecimalScalar, { description: "Currency per kWh, on the product's tick and caps" })
  price!: string;

  @Field(() => DecimalScalar, { description: 'kWh, more than 0, at most 3 decimals' })
  quantity!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'The asset the order comes from, one of yours: its safety level and power limit the order (ASSET_SUSPENDED, ASSET_DERATED, ASSET_POWER_EXCEEDED)',
  })
  assetId?: string | null;
}
