import { Field, InputType, Int } from '@nestjs/graphql';
import { IsEnum, IsInt, Length, Matches, Max, Min } from 'class-validator';
import { MechanismEnum } from '../../graphql/enums';
import { DecimalScalar } from '../../graphql/scalars';

const DAY = 86_400;

@InputType('ProductInput')
export class ProductInput {
  @Field()
  @Matches(/^[A-Z][A-Z0-9_]{0,31}$/, {
    message: 'code must be 1 to 32 capital letters, digits or _ and start with a letter',
  })
  code!: string;

  @Field()
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name!: string;

  @Field()
  @Length(1, 50, { message: 'unit must be 1 to 50 characters' })
  unit!: string;

  @Field(() => Int)
  @IsInt()
  @Min(1, { message: 'intervalSeconds must be at least 1' })
  @Max(DAY, { message: 'intervalSeconds must be at most 86400 (one day)' })
  intervalSeconds!: number;

  @Field(() => Int)
  @IsInt()
  @Min(0, { message: 'gateClosureSeconds must not be negative' })
  gateClosureSeconds!: number;

  @Field(() => Int)
  @IsInt()
  @Min(1, { message: 'horizonSeconds must be at least 1' })
  @Max(366 * DAY, { message: 'horizonSeconds must be at most 366 days' })
  horizonSeconds!: number;

  @Field(() => DecimalScalar) priceTick!: string;
  @Field(() => DecimalScalar) minPrice!: string;
  @Field(() => DecimalScalar) maxPrice!: string;

  @Field(() => MechanismEnum)
  @IsEnum(MechanismEnum)
  mechanism!: MechanismEnum;

  @Field(() => DecimalScalar) k!: string;
  @Field(() => DecimalScalar) networkFee!: string;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'Most kWh one participant may have in one product-interval and side (OPEN orders, at most 3 decimals); default 100000 for a new product, unchanged when left out.',
  })
  maxParticipantQuantity?: string | null;
}
