import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type {
  CarbonDefaultRow,
  EmissionFactorRow,
  GridFactorRow,
  ProductCarrierRow,
} from '@parkex/db';
import { canonicalDecimal, formatScaled, type Ratio } from '@parkex/market';
import { CarrierEnum } from '@parkex/api/auctions/models/auction-enums';
import { AssetKindEnum } from '../../graphql/enums';
import { DateTimeScalar, DecimalScalar } from '../../graphql/scalars';

export enum CarbonDefaultNameEnum {
  GRID_ELECTRICITY = 'GRID_ELECTRICITY',
  HEAT = 'HEAT',
}
registerEnumType(CarbonDefaultNameEnum, {
  name: 'CarbonDefaultName',
  description:
    "GRID_ELECTRICITY: the grid's factor where none was uploaded for an interval; HEAT: the heat reference factor",
});

@ObjectType('EmissionFactor', {
  description:
    'A version of an asset kind’s emission factor for one fuel, valid from an instant (README "Carbon accounting")',
})
export class EmissionFactorModel {
  @Field(() => ID) id!: string;
  @Field(() => AssetKindEnum) assetKind!: AssetKindEnum;
  @Field() fuel!: string;
  @Field(() => DateTimeScalar) validFrom!: Date;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'PV: g CO2e per kWh of output; CHP: per kWh of fuel (net calorific value)',
  })
  gramsPerKwh!: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'CHP: kWh electricity per kWh fuel' })
  electricalEfficiency!: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'CHP: kWh heat per kWh fuel' })
  thermalEfficiency!: string | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'CHP, efficiency method: the reference power plant’s efficiency',
  })
  referenceElectricalEfficiency!: string | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'CHP, efficiency method: the reference boiler’s efficiency',
  })
  referenceThermalEfficiency!: string | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Heat pump (COP) or electric boiler: kWh out per kWh of electricity in',
  })
  efficiency!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'CHP: g per kWh of electricity, an exact fraction',
  })
  electricityGramsPerKwh!: string | null;
  @Field(() => String, { nullable: true, description: 'CHP: g per kWh of heat, an exact fraction' })
  heatGramsPerKwh!: string | null;
  @Field() renewable!: boolean;
  @Field() source!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

/** g/kWh as an exact fraction of mg/kWh: "32160/91". */
export function gramsFraction(mg: Ratio): string {
  const den = mg.den * 1000n;
  let a = mg.num < 0n ? -mg.num : mg.num;
  let b = den;
  while (b !== 0n) [a, b] = [b, a % b];
  const divisor = a === 0n ? 1n : a;
  const num = mg.num / divisor;
  const reduced = den / divisor;
  return reduced === 1n ? num.toString() : `${num}/${reduced}`;
}

export function mapFactor(
  row: EmissionFactorRow,
  chp: { electricity: Ratio; heat: Ratio } | null,
): EmissionFactorModel {
  const decimal = (text: string | null) => (text === null ? null : canonicalDecimal(text));
  return {
    id: row.id,
    assetKind: row.asset_kind as AssetKindEnum,
    fuel: row.fuel,
    validFrom: row.valid_from,
    gramsPerKwh: row.mg_per_kwh === null ? null : formatScaled(BigInt(row.mg_per_kwh), 3),
    electricalEfficiency: decimal(row.electrical_efficiency),
    thermalEfficiency: decimal(row.thermal_efficiency),
    referenceElectricalEfficiency: decimal(row.reference_electrical_efficiency),
    referenceThermalEfficiency: decimal(row.reference_thermal_efficiency),
    efficiency: decimal(row.efficiency),
    electricityGramsPerKwh: chp ? gramsFraction(chp.electricity) : null,
    heatGramsPerKwh: chp ? gramsFraction(chp.heat) : null,
    renewable: row.renewable,
    source: row.source,
    createdAt: row.created_at,
  };
}

@ObjectType('CarbonDefault', { description: 'A version of a default emission factor' })
export class CarbonDefaultModel {
  @Field(() => ID) id!: string;
  @Field(() => CarbonDefaultNameEnum) name!: CarbonDefaultNameEnum;
  @Field(() => DateTimeScalar) validFrom!: Date;
  @Field(() => DecimalScalar, { description: 'g CO2e per kWh' }) gramsPerKwh!: string;
  @Field() source!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
}

export function mapDefault(row: CarbonDefaultRow): CarbonDefaultModel {
  return {
    id: row.id,
    name: row.name as CarbonDefaultNameEnum,
    validFrom: row.valid_from,
    gramsPerKwh: formatScaled(BigInt(row.mg_per_kwh), 3),
    source: row.source,
    createdAt: row.created_at,
  };
}

@ObjectType('GridCarbonFactor', { description: "The grid's factor of one interval, as uploaded" })
export class GridCarbonFactorModel {
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field(() => DecimalScalar, { description: 'g CO2e per kWh' }) gramsPerKwh!: string;
  @Field(() => DateTimeScalar) uploadedAt!: Date;
}

export function mapGridFactor(row: GridFactorRow): GridCarbonFactorModel {
  return {
    deliveryStart: row.delivery_start,
    gramsPerKwh: formatScaled(BigInt(row.mg_per_kwh), 3),
    uploadedAt: row.uploaded_at,
  };
}

@ObjectType('AssetFuel', { description: 'The fuel an asset burns from an instant on' })
export class AssetFuelModel {
  @Field(() => ID) assetId!: string;
  @Field() fuel!: string;
  @Field(() => DateTimeScalar) validFrom!: Date;
}

@ObjectType('ProductCarrier', {
  description: 'The energy carrier a product delivers, for carbon accounting (null: none)',
})
export class ProductCarrierModel {
  @Field() productCode!: string;
  @Field(() => CarrierEnum, { nullable: true }) carrier!: CarrierEnum | null;
}

export function mapProductCarrier(row: ProductCarrierRow): ProductCarrierModel {
  return { productCode: row.product_code, carrier: row.carrier as CarrierEnum | null };
}
