import { Field, ID, InputType } from '@nestjs/graphql';
import { AssetKindEnum } from '../../graphql/enums';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';
import { CarbonDefaultNameEnum } from '../models/emission-factor.model';

@InputType('EmissionFactorInput', {
  description:
    'A new version of a kind’s factor for one fuel. PV: gramsPerKwh. CHP: gramsPerKwh (of fuel), electrical and thermal efficiency, both reference efficiencies. HEAT_PUMP, BOILER: efficiency. Other fields must be left out',
})
export class EmissionFactorInput {
  @Field(() => AssetKindEnum, { description: 'PV, CHP, HEAT_PUMP or BOILER' })
  assetKind!: AssetKindEnum;
  @Field({ description: 'A code such as NATURAL_GAS: A–Z, 0–9, _; 1 to 32 characters' })
  fuel!: string;
  @Field(() => DateTimeScalar, { description: 'Valid from this instant on (until a later one)' })
  validFrom!: Date;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'g CO2e per kWh, 0 to 10000000, at most 3 decimals',
  })
  gramsPerKwh?: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: '(0, 1], at most 6 decimals' })
  electricalEfficiency?: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: '(0, 1], at most 6 decimals' })
  thermalEfficiency?: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: '(0, 1], at most 6 decimals' })
  referenceElectricalEfficiency?: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: '(0, 1], at most 6 decimals' })
  referenceThermalEfficiency?: string | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'COP or efficiency, (0, 10], at most 6 decimals',
  })
  efficiency?: string | null;
  @Field({ description: 'Output counted as renewable' }) renewable!: boolean;
  @Field({ description: 'Where the numbers come from: 1 to 500 characters' }) source!: string;
}

@InputType('CarbonDefaultInput')
export class CarbonDefaultInput {
  @Field(() => CarbonDefaultNameEnum) name!: CarbonDefaultNameEnum;
  @Field(() => DateTimeScalar) validFrom!: Date;
  @Field(() => DecimalScalar, { description: 'g CO2e per kWh, 0 to 10000000, at most 3 decimals' })
  gramsPerKwh!: string;
  @Field({ description: '1 to 500 characters' }) source!: string;
}

@InputType('GridCarbonFactorInput')
export class GridCarbonFactorInput {
  @Field(() => DateTimeScalar, {
    description: 'An interval start of the ELECTRICITY product (a multiple of its intervalSeconds)',
  })
  deliveryStart!: Date;
  @Field(() => DecimalScalar, { description: 'g CO2e per kWh, 0 to 10000000, at most 3 decimals' })
  gramsPerKwh!: string;
}

@InputType('AssetFuelInput')
export class AssetFuelInput {
  @Field(() => ID) assetId!: string;
  @Field({ description: 'A fuel with a factor of the asset’s kind' }) fuel!: string;
  @Field(() => DateTimeScalar) validFrom!: Date;
}
