import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { DateTimeScalar } from '../../graphql/scalars';

/**
 * One battery management sample of `ingestTelemetry`: integers in the units of the names.
 * Checked by `telemetry-rules.ts` (every problem names its sample as `samples[i].field`).
 */
@InputType('TelemetrySampleInput')
export class TelemetrySampleInput {
  @Field(() => ID) assetId!: string;
  @Field(() => DateTimeScalar, { description: 'When the BMS took it' }) time!: Date;
  @Field(() => Int, { description: 'State of charge, per-mille (0 to 1000)' }) socPermille!: number;
  @Field(() => Int, { description: 'State of health, per-mille (0 to 1000)' }) sohPermille!: number;
  @Field(() => Int, { description: 'Pack voltage, mV (at least 0)' }) packVoltageMv!: number;
  @Field(() => Int, { description: 'Pack current, mA (positive: charging)' })
  packCurrentMa!: number;
  @Field(() => Int, { description: 'Lowest cell voltage, mV' }) cellVoltageMinMv!: number;
  @Field(() => Int, { description: 'Highest cell voltage, mV (at least the lowest)' })
  cellVoltageMaxMv!: number;
  @Field(() => Int, { description: 'Lowest cell temperature, deci-°C' }) cellTempMinDeciC!: number;
  @Field(() => Int, { description: 'Highest cell temperature, deci-°C (at least the lowest)' })
  cellTempMaxDeciC!: number;
  @Field(() => Int, { nullable: true, description: 'Ambient temperature, deci-°C' })
  ambientTempDeciC?: number | null;
  @Field(() => Int, { nullable: true, description: 'Off-gas detector reading, ppm (at least 0)' })
  offGasPpm?: number | null;
  @Field(() => Int, { description: 'BMS fault flags (bit set, at least 0)' }) faultFlags!: number;
}
