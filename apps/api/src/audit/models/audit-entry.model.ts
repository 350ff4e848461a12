import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { AuditLogRow } from '@parkex/db';
import { PageInfoModel } from '../../graphql/page-info.model';
import { DateTimeScalar } from '../../graphql/scalars';

export enum AuditOutcomeEnum {
  OK = 'OK',
  ERROR = 'ERROR',
}
registerEnumType(AuditOutcomeEnum, { name: 'AuditOutcome' });

@ObjectType('AuditEntry', { description: 'One recorded mutation (or export), allowed or refused' })
export class AuditEntryModel {
  @Field(() => ID) id!: string;
  @Field(() => DateTimeScalar, { description: "When it was recorded (the database's clock)" })
  at!: Date;
  @Field(() => ID, { nullable: true, description: 'Who: null when the caller was not identified' })
  actorId!: string | null;
  @Field({ description: 'The mutation (e.g. submitOrders) or export (e.g. export:fills.csv)' })
  action!: string;
  @Field(() => String, {
    nullable: true,
    description:
      'The arguments as JSON text (long lists shortened to their length and first items)',
  })
  args!: string | null;
  @Field(() => AuditOutcomeEnum) outcome!: AuditOutcomeEnum;
  @Field(() => String, { nullable: true, description: 'extensions.code of a refusal' })
  errorCode!: string | null;
  @Field(() => String, { nullable: true }) message!: string | null;
}

@ObjectType('AuditEntryEdge')
export class AuditEntryEdgeModel {
  @Field() cursor!: string;
  @Field(() => AuditEntryModel) node!: AuditEntryModel;
}

@ObjectType('AuditEntryConnection')
export class AuditEntryConnectionModel {
  @Field(() => [AuditEntryEdgeModel]) edges!: AuditEntryEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

export function mapAuditEntry(row: AuditLogRow): AuditEntryModel {
  return {
    id: row.id,
    at: row.at,
    actorId: row.actorId,
    action: row.action,
    args: row.args,
    outcome: row.outcome as AuditOutcomeEnum,
    errorCode: row.errorCode,
    message: row.message,
  };
}
