import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { SampleRecord } from '@parkex/db';
import { DateTimeScalar } from '../../graphql/scalars';

/** One battery management sample; integers in the units of the names. */
@ObjectType('TelemetrySample')
export class TelemetrySampleModel {
  @Field(() => ID) assetId!: string;
  @Field(() => DateTimeScalar) time!: Date;
  @Field(() => Int, { description: 'State of charge, per-mille' }) socPermille!: number;
  @Field(() => Int, { description: 'State of health, per-mille' }) sohPermille!: number;
  @Field(() => Int, { description: 'Pack voltage, mV' }) packVoltageMv!: number;
  @Field(() => Int, { description: 'Pack current, mA (positive: charging)' })
  packCurrentMa!: number;
  @Field(() => Int, { description: 'Lowest cell voltage, mV' }) cellVoltageMinMv!: number;
  @Field(() => Int, { description: 'Highest cell voltage, mV' }) cellVoltageMaxMv!: number;
  @Field(() => Int, { description: 'Lowest cell temperature, deci-°C' }) cellTempMinDeciC!: number;
  @Field(() => Int, { description: 'Highest cell temperature, deci-°C' }) cellTempMaxDeciC!: number;
  @Field(() => Int, { nullable: true, description: 'Ambient temperature, deci-°C' })
  ambientTempDeciC!: number | null;
  @Field(() => Int, { nullable: true, description: 'Off-gas detector reading, ppm' })
  offGasPpm!: number | null;
  @Field(() => Int, { description: 'BMS fault flags (bit set)' }) faultFlags!: number;
}

export function mapSample(record: SampleRecord): TelemetrySampleModel {
  return { ...record, time: new Date(record.time) };
}
