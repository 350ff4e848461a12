import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type {
  ImbalanceReadLine,
  ImbalanceReadPosition,
  ImbalanceReadSettlementWithLines,
} from '@parkex/db';
import { canonicalDecimal, formatMoney, formatQuantity } from '@parkex/market';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

export enum ImbalanceLineKindEnum {
  NEW = 'NEW',
  REVERSAL = 'REVERSAL',
}
registerEnumType(ImbalanceLineKindEnum, {
  name: 'ImbalanceLineKind',
  description:
    'NEW: the line in force from its revision on; REVERSAL: a later revision takes back the line it replaces (imbalance and amount negated)',
});

@ObjectType('Position', {
  description:
    "A participant's traded energy in one product-interval against its latest meter reading (kWh)",
})
export class PositionModel {
  @Field(() => ID) participantId!: string;
  @Field() productCode!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => DecimalScalar, { description: 'Interval fills and integrated-auction awards' })
  bought!: string;
  @Field(() => DecimalScalar) sold!: string;
  @Field(() => DecimalScalar, { description: 'bought - sold' }) net!: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'Null: no reading yet' })
  meteredImport!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) meteredExport!: string | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      '(metered import - metered export) - net: > 0 short, < 0 surplus; null without a reading',
  })
  imbalance!: string | null;
}

@ObjectType('ImbalanceLine', {
  description: "One participant's line of an imbalance settlement revision",
})
export class ImbalanceLineModel {
  @Field(() => Int) revision!: number;
  @Field(() => Int, { description: '0-based, in its revision' }) line!: number;
  @Field(() => ImbalanceLineKindEnum) kind!: ImbalanceLineKindEnum;
  @Field(() => ID) participantId!: string;
  @Field() participantName!: string;
  @Field(() => DecimalScalar, { description: 'bought - sold, kWh' }) position!: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'kWh; null: estimated' })
  meteredImport!: string | null;
  @Field(() => DecimalScalar, { nullable: true }) meteredExport!: string | null;
  @Field({ description: 'No reading: metered taken as the position, no imbalance' })
  estimated!: boolean;
  @Field(() => DecimalScalar, {
    description: 'kWh: > 0 shortfall (bought from the utility), < 0 surplus (sold to it)',
  })
  imbalance!: string;
  @Field(() => DecimalScalar, { description: 'Currency per kWh; 0 without imbalance' })
  price!: string;
  @Field(() => DecimalScalar, { description: 'To the participant: > 0 credit, < 0 debit' })
  amount!: string;
}

@ObjectType('ImbalanceSettlement', {
  description:
    "One revision of a product-interval's imbalance settlement (0: the first; later: late readings and corrections); prices frozen at revision 0",
})
export class ImbalanceSettlementModel {
  @Field() productCode!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => Int) revision!: number;
  @Field(() => DecimalScalar, { nullable: true, description: "The interval's clearing price" })
  clearingPrice!: string | null;
  @Field(() => DecimalScalar) importTariff!: string;
  @Field(() => DecimalScalar) feedInTariff!: string;
  @Field(() => DecimalScalar, { description: 'max(clearing price, import tariff)' })
  shortfallPrice!: string;
  @Field(() => DecimalScalar, { description: 'min(clearing price, feed-in tariff)' })
  surplusPrice!: string;
  @Field(() => Int, { description: 'Participants settled on a reading (lines in force)' })
  readings!: number;
  @Field(() => Int, { description: 'Participants estimated (lines in force)' })
  estimated!: number;
  @Field(() => DecimalScalar, { description: 'Shortfalls of the lines in force, kWh' })
  shortfall!: string;
  @Field(() => DecimalScalar, { description: 'Surpluses of the lines in force, kWh' })
  surplus!: string;
  @Field(() => DecimalScalar, {
    description: 'Paid by the participants to the utility in this revision, net',
  })
  amount!: string;
  @Field() inputHash!: string;
  @Field() resultHash!: string;
  @Field(() => ID, { nullable: true, description: "The revision's journal; null: none" })
  journalId!: string | null;
  @Field(() => DateTimeScalar) settledAt!: Date;
  @Field(() => [ImbalanceLineModel], {
    description: "The revision's lines; a participant sees only its own",
  })
  lines!: ImbalanceLineModel[];
}

@ObjectType('ImbalanceVerification', {
  description:
    "A product-interval's imbalance settlement replayed revision by revision, checked against its positions and readings",
})
export class ImbalanceVerificationModel {
  @Field({ description: 'True when nothing differs' }) ok!: boolean;
  @Field(() => Int) revisionsChecked!: number;
  @Field(() => Int, { description: 'Lines compared (the longer of stored and replayed)' })
  linesChecked!: number;
  @Field(() => [String], { description: 'Every difference found, for a person to read' })
  differences!: string[];
}

const kwh = (wh: string) => formatQuantity(BigInt(wh));
const kwhOrNull = (wh: string | null) => (wh === null ? null : kwh(wh));

export function mapPosition(productCode: string, row: ImbalanceReadPosition): PositionModel {
  const net = BigInt(row.bought_wh) - BigInt(row.sold_wh);
  const metered =
    row.import_wh === null || row.export_wh === null
      ? null
      : BigInt(row.import_wh) - BigInt(row.export_wh);
  return {
    participantId: row.participant_id,
    productCode,
    deliveryStart: row.delivery_start,
    bought: kwh(row.bought_wh),
    sold: kwh(row.sold_wh),
    net: formatQuantity(net),
    meteredImport: kwhOrNull(row.import_wh),
    meteredExport: kwhOrNull(row.export_wh),
    imbalance: metered === null ? null : formatQuantity(metered - net),
  };
}

export function mapImbalanceLine(row: ImbalanceReadLine): ImbalanceLineModel {
  return {
    revision: row.revision,
    line: row.line,
    kind: row.kind as ImbalanceLineKindEnum,
    participantId: row.participant_id,
    participantName: row.participant_name,
    position: kwh(row.position_wh),
    meteredImport: kwhOrNull(row.metered_import_wh),
    meteredExport: kwhOrNull(row.metered_export_wh),
    estimated: row.estimated,
    imbalance: kwh(row.imbalance_wh),
    price: canonicalDecimal(row.price),
    amount: formatMoney(BigInt(row.amount_minor)),
  };
}

export function mapImbalanceSettlement(
  row: ImbalanceReadSettlementWithLines,
): ImbalanceSettlementModel {
  return {
    productCode: row.product_code,
    deliveryStart: row.delivery_start,
    revision: row.revision,
    clearingPrice: row.clearing_price === null ? null : canonicalDecimal(row.clearing_price),
    importTariff: canonicalDecimal(row.import_tariff),
    feedInTariff: canonicalDecimal(row.feed_in_tariff),
    shortfallPrice: canonicalDecimal(row.shortfall_price),
    surplusPrice: canonicalDecimal(row.surplus_price),
    readings: row.readings,
    estimated: row.estimated,
    shortfall: kwh(row.shortfall_wh),
    surplus: kwh(row.surplus_wh),
    amount: formatMoney(BigInt(row.amount_minor)),
    inputHash: row.input_hash,
    resultHash: row.result_hash,
    journalId: row.journal_id,
    settledAt: row.settled_at,
    lines: row.lines.map(mapImbalanceLine),
  };
}
