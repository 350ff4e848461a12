import { Field, ID, InputType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { AuditOutcomeEnum } from '../models/audit-entry.model';

@InputType('AuditLogFilter', {
  description: 'Every field optional; from/to bound `at` as [from, to)',
})
export class AuditLogFilterInput {
  @Field(() => ID, { nullable: true }) actorId?: string | null;
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => AuditOutcomeEnum, { nullable: true }) outcome?: AuditOutcomeEnum | null;
  @Field(() => DateTimeScalar, { nullable: true }) from?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true }) to?: Date | null;
}
