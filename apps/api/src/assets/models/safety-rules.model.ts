import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import type { StoredRules } from '@parkex/db';
import type { SafetyRules } from '@parkex/market';
import { AssetKindEnum } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';

@ObjectType('SafetyThresholds', {
  description:
    'Where each level starts (the value at or above it); null: the rule does not raise that level',
})
export class SafetyThresholdsModel {
  @Field(() => Int, { nullable: true }) watch!: number | null;
  @Field(() => Int, { nullable: true }) warning!: number | null;
  @Field(() => Int, { nullable: true }) alarm!: number | null;
}

@ObjectType('SafetyWindow', { description: 'An allowed range, per-mille' })
export class SafetyWindowModel {
  @Field(() => Int) min!: number;
  @Field(() => Int) max!: number;
}

/** One asset kind's early-warning rules; units in the names (docs/storage-safety.md). */
@ObjectType('SafetyRules')
export class SafetyRulesModel {
  @Field(() => AssetKindEnum) kind!: AssetKindEnum;
  @Field(() => SafetyThresholdsModel, { description: 'Highest cell temperature, deci-°C' })
  cellTempMaxDeciC!: SafetyThresholdsModel;
  @Field(() => SafetyThresholdsModel, {
    description: 'Rise of the highest cell temperature, deci-°C per minute',
  })
  tempRiseDeciCPerMin!: SafetyThresholdsModel;
  @Field(() => Int, { description: 'Shortest span a rise rate is measured over, s' })
  rateWindowSeconds!: number;
  @Field(() => SafetyThresholdsModel, { description: 'Highest minus lowest cell voltage, mV' })
  cellVoltageSpreadMv!: SafetyThresholdsModel;
  @Field(() => SafetyThresholdsModel, { description: 'Off-gas detector reading, ppm' })
  offGasPpm!: SafetyThresholdsModel;
  @Field(() => SafetyWindowModel, {
    nullable: true,
    description: 'State of charge outside it: WATCH',
  })
  socWatchPermille!: SafetyWindowModel | null;
  @Field(() => SafetyWindowModel, {
    nullable: true,
    description: 'State of charge outside it: WARNING',
  })
  socWarningPermille!: SafetyWindowModel | null;
  @Field(() => Int, {
    nullable: true,
    description: 'State of health at or below: WATCH, per-mille',
  })
  sohWatchPermille!: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'State of health at or below: WARNING, per-mille',
  })
  sohWarningPermille!: number | null;
  @Field(() => Int, { description: 'Fault flag bits that raise WARNING' })
  faultWarningMask!: number;
  @Field(() => Int, { description: 'Fault flag bits that raise ALARM' }) faultAlarmMask!: number;
  @Field(() => Int, { nullable: true, description: 'No sample for longer than this: WARNING, s' })
  silenceSeconds!: number | null;
  @Field(() => Int, { description: 'A level falls only after this long below it, s' })
  holdSeconds!: number;
  @Field(() => Int, { description: 'Share of power an asset at WARNING may trade, per-mille' })
  deratePermille!: number;
  @Field(() => DateTimeScalar, { nullable: true, description: 'Null: the defaults' })
  updatedAt!: Date | null;
}

@InputType('SafetyThresholdsInput')
export class SafetyThresholdsInput {
  @Field(() => Int, { nullable: true }) watch?: number | null;
  @Field(() => Int, { nullable: true }) warning?: number | null;
  @Field(() => Int, { nullable: true }) alarm?: number | null;
}

@InputType('SafetyWindowInput')
export class SafetyWindowInput {
  @Field(() => Int) min!: number;
  @Field(() => Int) max!: number;
}

/** The whole rule set of a kind (it replaces the previous one); see SafetyRules for the units. */
@InputType('SafetyRulesInput')
export class SafetyRulesInput {
  @Field(() => AssetKindEnum) kind!: AssetKindEnum;
  @Field(() => SafetyThresholdsInput) cellTempMaxDeciC!: SafetyThresholdsInput;
  @Field(() => SafetyThresholdsInput) tempRiseDeciCPerMin!: SafetyThresholdsInput;
  @Field(() => Int) rateWindowSeconds!: number;
  @Field(() => SafetyThresholdsInput) cellVoltageSpreadMv!: SafetyThresholdsInput;
  @Field(() => SafetyThresholdsInput) offGasPpm!: SafetyThresholdsInput;
  @Field(() => SafetyWindowInput, { nullable: true }) socWatchPermille?: SafetyWindowInput | null;
  @Field(() => SafetyWindowInput, { nullable: true }) socWarningPermille?: SafetyWindowInput | null;
  @Field(() => Int, { nullable: true }) sohWatchPermille?: number | null;
  @Field(() => Int, { nullable: true }) sohWarningPermille?: number | null;
  @Field(() => Int) faultWarningMask!: number;
  @Field(() => Int) faultAlarmMask!: number;
  @Field(() => Int, { nullable: true }) silenceSeconds?: number | null;
  @Field(() => Int) holdSeconds!: number;
  @Field(() => Int) deratePermille!: number;
}

export function mapRules(stored: StoredRules): SafetyRulesModel {
  const r = stored.rules;
  return {
    kind: stored.kind as AssetKindEnum,
    cellTempMaxDeciC: r.cellTempMaxDeciC,
    tempRiseDeciCPerMin: r.tempRiseDeciCPerMin,
    rateWindowSeconds: r.rateWindowSeconds,
    cellVoltageSpreadMv: r.cellVoltageSpreadMv,
    offGasPpm: r.offGasPpm,
    socWatchPermille: r.socWatchPermille,
    socWarningPermille: r.socWarningPermille,
    sohWatchPermille: r.sohPermille.watch,
    sohWarningPermille: r.sohPermille.warning,
    faultWarningMask: r.faultWarningMask,
    faultAlarmMask: r.faultAlarmMask,
    silenceSeconds: r.silenceSeconds,
    holdSeconds: r.holdSeconds,
    deratePermille: r.deratePermille,
    updatedAt: stored.updatedAt,
  };
}

/** The input as the pure rules (missing optional values are null). */
export function rulesOfInput(input: SafetyRulesInput): SafetyRules {
  const thresholds = (t: SafetyThresholdsInput) => ({
    watch: t.watch ?? null,
    warning: t.warning ?? null,
    alarm: t.alarm ?? null,
  });
  const window = (w: SafetyWindowInput | null | undefined) =>
    w ? { min: w.min, max: w.max } : null;
  return {
    cellTempMaxDeciC: thresholds(input.cellTempMaxDeciC),
    tempRiseDeciCPerMin: thresholds(input.tempRiseDeciCPerMin),
    rateWindowSeconds: input.rateWindowSeconds,
    cellVoltageSpreadMv: thresholds(input.cellVoltageSpreadMv),
    offGasPpm: thresholds(input.offGasPpm),
    socWatchPermille: window(input.socWatchPermille),
    socWarningPermille: window(input.socWarningPermille),
    sohPermille: {
      watch: input.sohWatchPermille ?? null,
      warning: input.sohWarningPermille ?? null,
    },
    faultWarningMask: input.faultWarningMask,
    faultAlarmMask: input.faultAlarmMask,
    silenceSeconds: input.silenceSeconds ?? null,
    holdSeconds: input.holdSeconds,
    deratePermille: input.deratePermille,
  };
}
