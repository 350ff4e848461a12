import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { AssetRow } from '@parkex/db';
import { formatScaled, tradingLimit } from '@parkex/market';
import { AssetKindEnum, AssetTradingEnum, SafetyLevelEnum } from '../../graphql/enums';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

@ObjectType('Asset', {
  description: "A participant's physical asset, its ratings and its safety state",
})
export class AssetModel {
  @Field(() => ID) id!: string;
  @Field(() => ID, { description: 'The owning participant' }) participantId!: string;
  @Field() name!: string;
  @Field(() => AssetKindEnum) kind!: AssetKindEnum;
  @Field(() => DecimalScalar, { description: 'Energy capacity, kWh (3 decimals: 1 Wh)' })
  energyCapacity!: string;
  @Field(() => DecimalScalar, { description: 'Charge power, kW (3 decimals: 1 W)' })
  chargePower!: string;
  @Field(() => DecimalScalar, { description: 'Discharge power, kW (3 decimals: 1 W)' })
  dischargePower!: string;
  @Field(() => SafetyLevelEnum) level!: SafetyLevelEnum;
  @Field(() => AssetTradingEnum, { description: 'What the level allows on the market' })
  trading!: AssetTradingEnum;
  @Field(() => Int, {
    description: 'Share of power it may trade, per-mille (1000 unless derated, 0 when suspended)',
  })
  powerPermille!: number;
  @Field({ description: 'The operator acknowledged the current ALARM' }) acknowledged!: boolean;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Newest stored sample' })
  lastSampleAt!: Date | null;
  @Field(() => DateTimeScalar) levelChangedAt!: Date;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

export function mapAsset(row: AssetRow): AssetModel {
  const limit = tradingLimit(row.level, row.rules);
  return {
    id: row.id,
    participantId: row.participantId,
    name: row.name,
    kind: row.kind as AssetKindEnum,
    energyCapacity: formatScaled(BigInt(row.energyCapacityWh), 3),
    chargePower: formatScaled(BigInt(row.chargePowerW), 3),
    dischargePower: formatScaled(BigInt(row.dischargePowerW), 3),
    level: row.level as SafetyLevelEnum,
    trading: limit.kind as AssetTradingEnum,
    powerPermille: limit.kind === 'FULL' ? 1000 : limit.kind === 'DERATED' ? limit.permille : 0,
    acknowledged: row.acknowledged,
    lastSampleAt: row.lastSampleAt,
    levelChangedAt: row.levelChangedAt,
    createdAt: row.createdAt,
  };
}
