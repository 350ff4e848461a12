import { Field, ID, InputType } from '@nestjs/graphql';
import { AssetKindEnum } from '../../graphql/enums';
import { DecimalScalar } from '../../graphql/scalars';

@InputType('AssetInput')
export class AssetInput {
  @Field(() => ID, { description: 'The owning participant (a trading participant)' })
  participantId!: string;
  @Field({ description: '1 to 200 characters, unique per participant' }) name!: string;
  @Field(() => AssetKindEnum) kind!: AssetKindEnum;
  @Field(() => DecimalScalar, { description: 'kWh, at least 0, at most 3 decimals' })
  energyCapacity!: string;
  @Field(() => DecimalScalar, { description: 'kW, at least 0, at most 3 decimals' })
  chargePower!: string;
  @Field(() => DecimalScalar, { description: 'kW, at least 0, at most 3 decimals' })
  dischargePower!: string;
}
