import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

@InputType('MeterReadingInput')
export class MeterReadingInput {
  @Field({ description: "The metering system's id of the reading, 1-64 printable ASCII" })
  readingId!: string;

  @Field(() => Int, {
    nullable: true,
    description: '1 (default) for the first report, n + 1 for each correction',
  })
  version?: number | null;

  @Field(() => ID) participantId!: string;

  @Field(() => ID, {
    nullable: true,
    description: "A sub-meter of one of the participant's assets; none: its main meter",
  })
  assetId?: string | null;

  @Field() productCode!: string;

  @Field(() => DateTimeScalar, { description: 'Start of the interval of the product metered' })
  deliveryStart!: Date;

  @Field(() => DecimalScalar, { description: 'kWh drawn in the interval (≥ 0, ≤ 3 decimals)' })
  imported!: string;

  @Field(() => DecimalScalar, {
    description: 'kWh delivered in the interval (≥ 0, ≤ 3 decimals)',
  })
  exported!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Why a correction was made: required for version > 1 (1-500 characters), refused on version 1',
  })
  reason?: string | null;
}

@InputType('MeterReadingFilter')
export class MeterReadingFilterInput {
  @Field(() => ID, { nullable: true }) participantId?: string | null;
  @Field(() => String, { nullable: true }) productCode?: string | null;
  @Field(() => String, { nullable: true }) readingId?: string | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'deliveryStart ≥ from' })
  from?: Date | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'deliveryStart < to' })
  to?: Date | null;
}
