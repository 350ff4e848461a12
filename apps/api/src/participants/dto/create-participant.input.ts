import { Field, InputType } from '@nestjs/graphql';
import { IsEnum, Length, Matches } from 'class-validator';
import { RoleEnum } from '../../graphql/enums';

@InputType('CreateParticipantInput')
export class CreateParticipantInput {
  @Field()
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  @Field(() => RoleEnum)
  @IsEnum(RoleEnum)
  role!: RoleEnum;
}
