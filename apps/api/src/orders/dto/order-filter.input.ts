import { Field, InputType } from '@nestjs/graphql';
import { OrderStatusEnum, SideEnum } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';

@InputType('OrderFilter')
export class OrderFilterInput {
  @Field(() => String, { nullable: true }) productCode?: string | null;
  @Field(() => DateTimeScalar, { nullable: true }) deliveryStart?: Date | null;
  @Field(() => OrderStatusEnum, { nullable: true }) status?: OrderStatusEnum | null;
  @Field(() => SideEnum, { nullable: true }) side?: SideEnum | null;
}
