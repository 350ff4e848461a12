import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { MeterReadingRow } from '@parkex/db';
import { formatQuantity } from '@parkex/market';
import { PageInfoModel } from '../../graphql/page-info.model';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

@ObjectType('MeterReading')
export class MeterReadingModel {
  @Field(() => ID) id!: string;
  @Field() readingId!: string;
  @Field(() => Int) version!: number;
  @Field(() => ID) participantId!: string;
  @Field(() => ID, { nullable: true, description: 'null: the participant’s main meter' })
  assetId!: string | null;
  @Field() productCode!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => DecimalScalar, { description: 'kWh drawn in the interval' }) imported!: string;
  @Field(() => DecimalScalar, { description: 'kWh delivered in the interval' }) exported!: string;
  @Field(() => String, { nullable: true, description: 'Why this correction was made' })
  reason!: string | null;
  @Field(() => DateTimeScalar, { description: 'When the exchange stored it' }) receivedAt!: Date;
}

@ObjectType('MeterReadingEdge')
export class MeterReadingEdgeModel {
  @Field() cursor!: string;
  @Field(() => MeterReadingModel) node!: MeterReadingModel;
}

@ObjectType('MeterReadingConnection')
export class MeterReadingConnectionModel {
  @Field(() => [MeterReadingEdgeModel]) edges!: MeterReadingEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

export function mapMeterReading(row: MeterReadingRow): MeterReadingModel {
  return {
    id: row.id,
    readingId: row.reading_id,
    version: row.version,
    participantId: row.participant_id,
    assetId: row.asset_id,
    productCode: row.product_code,
    deliveryStart: row.delivery_start,
    imported: formatQuantity(BigInt(row.import_wh)),
    exported: formatQuantity(BigInt(row.export_wh)),
    reason: row.reason,
    receivedAt: row.received_at,
  };
}
