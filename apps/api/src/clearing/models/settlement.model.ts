import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { SettlementRow } from '@parkex/db';
import { formatMoney, formatQuantity } from '@parkex/market';
import { PageInfoModel } from '../../graphql/page-info.model';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

@ObjectType('Settlement', {
  description: "A participant's statement for one cleared interval, from the ledger",
})
export class SettlementModel {
  @Field(() => ID) participantId!: string;
  @Field({ description: 'The product, or the series of an integrated auction' })
  productCode!: string;
  @Field({
    description:
      'INTERVAL: a product-interval (intraday); AUCTION: an integrated day-ahead auction; ' +
      "IMBALANCE: a revision of a product-interval's imbalance settlement",
  })
  source!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => ID) journalId!: string;
  @Field(() => DecimalScalar, { description: 'kWh received (> 0) or delivered (< 0)' })
  netEnergy!: string;
  @Field(() => DecimalScalar, {
    description: 'Money received (> 0) or paid (< 0) for energy (traded, or imbalance)',
  })
  energyAmount!: string;
  @Field(() => DecimalScalar, { description: 'Network fees (≤ 0)' }) networkFees!: string;
  @Field(() => DecimalScalar, { description: 'energyAmount + networkFees' }) netAmount!: string;
}

@ObjectType('SettlementEdge')
export class SettlementEdgeModel {
  @Field() cursor!: string;
  @Field(() => SettlementModel) node!: SettlementModel;
}

@ObjectType('SettlementConnection')
export class SettlementConnectionModel {
  @Field(() => [SettlementEdgeModel]) edges!: SettlementEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

@ObjectType('Balance', {
  description: "A participant's ledger account: the sum of all its entries",
})
export class BalanceModel {
  @Field(() => ID) participantId!: string;
  @Field(() => DecimalScalar, { description: 'Money owed to (> 0) or by (< 0) the participant' })
  amount!: string;
  @Field(() => DecimalScalar, { description: 'kWh received net of delivered' }) energy!: string;
}

export function mapSettlement(row: SettlementRow): SettlementModel {
  return {
    participantId: row.participantId,
    productCode: row.productCode,
    source: row.source,
    deliveryStart: row.deliveryStart,
    journalId: row.journalId,
    netEnergy: formatQuantity(BigInt(row.netEnergyWh)),
    energyAmount: formatMoney(BigInt(row.energyAmountMinor)),
    networkFees: formatMoney(BigInt(row.feeMinor)),
    netAmount: formatMoney(BigInt(row.netAmountMinor)),
  };
}
