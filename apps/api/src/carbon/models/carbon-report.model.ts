import { Field, ID, ObjectType } from '@nestjs/graphql';
import { formatFixed, formatQuantity, type CarbonLine } from '@parkex/market';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

@ObjectType('CarbonFigures', {
  description:
    'Scope 2 figures of one carrier or of both (README "Carbon accounting"): energy in kWh, emissions in whole grams CO2e, each rounded once (half away from zero) from its exact value',
})
export class CarbonFiguresModel {
  @Field(() => DecimalScalar, { description: 'Metered import, kWh' }) consumption!: string;
  @Field(() => DecimalScalar, {
    description: 'Bought in the park (fills and auction awards as buyer), kWh',
  })
  parkPurchases!: string;
  @Field(() => DecimalScalar, {
    description:
      'Σ per interval max(0, metered import − park purchases): grid and imbalance energy, kWh',
  })
  residual!: string;
  @Field(() => DecimalScalar, {
    description: 'Σ per interval min(renewable park purchases, metered import), kWh',
  })
  renewable!: string;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'renewable / consumption, 4 decimals; null without consumption',
  })
  renewableShare!: string | null;
  @Field(() => DecimalScalar, {
    description: 'Location-based: metered import × the grid (heat: heat reference) factor, g',
  })
  locationBasedGrams!: string;
  @Field(() => DecimalScalar, {
    description:
      "Market-based: park purchases × their sellers' factors + residual × the reference factor, g",
  })
  marketBasedGrams!: string;
  @Field(() => DecimalScalar, {
    description: 'Avoided by the park trading: location-based − market-based, g',
  })
  avoidedGrams!: string;
}

@ObjectType('CarbonReport', { description: "A participant's carbon report of one UTC month" })
export class CarbonReportModel {
  @Field(() => ID) participantId!: string;
  @Field() participantName!: string;
  @Field({ description: 'YYYY-MM (UTC)' }) month!: string;
  @Field(() => DateTimeScalar, { description: 'First instant of the month' }) from!: Date;
  @Field(() => DateTimeScalar, { description: 'First instant of the next month' }) to!: Date;
  @Field(() => CarbonFiguresModel) electricity!: CarbonFiguresModel;
  @Field(() => CarbonFiguresModel) heat!: CarbonFiguresModel;
  @Field(() => CarbonFiguresModel, {
    description: 'Both carriers; each figure rounded once from its exact sum',
  })
  total!: CarbonFiguresModel;
}

export function mapFigures(line: CarbonLine): CarbonFiguresModel {
  return {
    consumption: formatQuantity(line.consumptionWh),
    parkPurchases: formatQuantity(line.parkPurchasesWh),
    residual: formatQuantity(line.residualWh),
    renewable: formatQuantity(line.renewableWh),
    renewableShare: line.renewableShareBp === null ? null : formatFixed(line.renewableShareBp, 4),
    locationBasedGrams: line.locationBasedG.toString(),
    marketBasedGrams: line.marketBasedG.toString(),
    avoidedGrams: line.avoidedG.toString(),
  };
}

@ObjectType('CarbonIntensity', {
  description:
    "The park's electricity in one interval: every participant's metered import, its market-based emissions, and their ratio",
})
export class CarbonIntensityModel {
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => DecimalScalar, { description: 'Metered electricity import of the park, kWh' })
  consumption!: string;
  @Field(() => DecimalScalar, { description: 'Market-based emissions of that import, g' })
  emissionsGrams!: string;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'emissions / consumption, g CO2e per kWh, 3 decimals; null without consumption',
  })
  intensity!: string | null;
  @Field(() => DecimalScalar, { description: "The grid's factor of the interval, g/kWh" })
  gridFactor!: string;
}
