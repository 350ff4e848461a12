import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { ParticipantEntity } from '@parkex/db';
import { RoleEnum } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';

@ObjectType('Participant')
export class ParticipantModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => RoleEnum) role!: RoleEnum;
  @Field(() => String, {
    nullable: true,
    description: 'Why trading is suspended; null when active',
  })
  suspendedReason!: string | null;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

@ObjectType('CreatedParticipant')
export class CreatedParticipantModel {
  @Field(() => ParticipantModel) participant!: ParticipantModel;
  @Field({ description: 'The API key, shown this once; only its hash is stored' }) apiKey!: string;
}

export function mapParticipant(
  entity: Pick<ParticipantEntity, 'id' | 'name' | 'role' | 'suspendedReason' | 'createdAt'>,
): ParticipantModel {
  return {
    id: entity.id,
    name: entity.name,
    role: entity.role as RoleEnum,
    suspendedReason: entity.suspendedReason,
    createdAt: entity.createdAt,
  };
}
