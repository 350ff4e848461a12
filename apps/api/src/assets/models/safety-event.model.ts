import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { SafetyEventRow } from '@parkex/db';
import { SafetyEventKindEnum, SafetyLevelEnum, SafetyRuleEnum } from '../../graphql/enums';
import { PageInfoModel } from '../../graphql/page-info.model';
import { DateTimeScalar } from '../../graphql/scalars';
import { mapSample, TelemetrySampleModel } from './telemetry.model';

@ObjectType('SafetyFinding', {
  description: 'A rule that raised a level: the value measured and the threshold it reached',
})
export class SafetyFindingModel {
  @Field(() => SafetyRuleEnum) rule!: SafetyRuleEnum;
  @Field(() => SafetyLevelEnum) level!: SafetyLevelEnum;
  @Field(() => Int, { description: "In the rule's unit (see SafetyRules)" }) value!: number;
  @Field(() => Int) threshold!: number;
}

@ObjectType('SafetyEvent', {
  description:
    "A change of an asset's level (or the operator's acknowledgement of an ALARM), append-only, with what caused it and what it did to the asset's orders",
})
export class SafetyEventModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) assetId!: string;
  @Field(() => ID) participantId!: string;
  @Field(() => SafetyEventKindEnum) kind!: SafetyEventKindEnum;
  @Field(() => SafetyLevelEnum) fromLevel!: SafetyLevelEnum;
  @Field(() => SafetyLevelEnum) toLevel!: SafetyLevelEnum;
  @Field(() => DateTimeScalar, {
    description: "The sample's time, the sweep's or the acknowledgement's",
  })
  at!: Date;
  @Field(() => [SafetyFindingModel]) findings!: SafetyFindingModel[];
  @Field(() => [TelemetrySampleModel], { description: 'The samples that caused it' })
  samples!: TelemetrySampleModel[];
  @Field(() => [ID], { description: 'OPEN orders of the asset it cancelled' })
  cancelledOrderIds!: string[];
  @Field(() => Int, {
    description: 'Cleared deliveries still to come flagged as expected imbalance',
  })
  expectedImbalances!: number;
  @Field(() => ID, {
    nullable: true,
    description: 'Who acted: the owner (ingest), the operator (acknowledgement), none (sweep)',
  })
  actorId!: string | null;
  @Field(() => DateTimeScalar) recordedAt!: Date;
}

@ObjectType('SafetyEventEdge')
export class SafetyEventEdgeModel {
  @Field() cursor!: string;
  @Field(() => SafetyEventModel) node!: SafetyEventModel;
}

@ObjectType('SafetyEventConnection')
export class SafetyEventConnectionModel {
  @Field(() => [SafetyEventEdgeModel]) edges!: SafetyEventEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

export function mapSafetyEvent(row: SafetyEventRow): SafetyEventModel {
  return {
    id: row.id,
    assetId: row.assetId,
    participantId: row.participantId,
    kind: row.kind as SafetyEventKindEnum,
    fromLevel: row.fromLevel as SafetyLevelEnum,
    toLevel: row.toLevel as SafetyLevelEnum,
    at: row.at,
    findings: row.findings.map((f) => ({
      rule: f.rule as SafetyRuleEnum,
      level: f.level as SafetyLevelEnum,
      value: f.value,
      threshold: f.threshold,
    })),
    samples: row.samples.map(mapSample),
    cancelledOrderIds: row.cancelledOrderIds,
    expectedImbalances: row.expectedImbalances,
    actorId: row.actorId,
    recordedAt: row.recordedAt,
  };
}
