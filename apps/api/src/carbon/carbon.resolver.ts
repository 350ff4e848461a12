import { UseGuards } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { formatQuantity, formatScaled } from '@parkex/market';
import { CarrierEnum } from '@parkex/api/auctions/models/auction-enums';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { CurrentPrincipal } from '@parkex/api/auth/current-principal.decorator';
import type { Principal } from '@parkex/api/auth/principal';
import { AnyRole, Roles } from '@parkex/api/auth/roles.decorator';
import { DateTimeScalar } from '../graphql/scalars';
import { CarbonService } from './carbon.service';
import {
  AssetFuelInput,
  CarbonDefaultInput,
  EmissionFactorInput,
  GridCarbonFactorInput,
} from './dto/carbon.input';
import { CarbonIntensityModel, CarbonReportModel, mapFigures } from './models/carbon-report.model';
import {
  AssetFuelModel,
  CarbonDefaultModel,
  EmissionFactorModel,
  GridCarbonFactorModel,
  mapDefault,
  mapFactor,
  mapGridFactor,
  mapProductCarrier,
  ProductCarrierModel,
} from './models/emission-factor.model';

/** Carbon accounting. Class default: the operator (configuration); each query says who else. */
@Resolver()
@UseGuards(ApiKeyGuard)
@Roles('OPERATOR')
export class CarbonResolver {
  constructor(private readonly service: CarbonService) {}

  @Query(() => [CarbonReportModel], {
    description:
      "Scope 2 carbon reports of one UTC month: a participant's own; for the operator and the auditor one participant's or every trading participant's (at most 500), by name",
  })
  @AnyRole()
  async carbonReport(
    @CurrentPrincipal() principal: Principal,
    @Args('month', { description: 'YYYY-MM, UTC' }) month: string,
    @Args('participantId', { type: () => ID, nullable: true }) participantId?: string | null,
  ): Promise<CarbonReportModel[]> {
    const reports = await this.service.reports(principal, participantId ?? null, month);
    return reports.map((r) => ({
      participantId: r.participantId,
      participantName: r.participantName,
      month: r.month,
      from: r.from,
      to: r.to,
      electricity: mapFigures(r.report.lines[0]),
      heat: mapFigures(r.report.lines[1]),
      total: mapFigures(r.report.total),
    }));
  }

  @Query(() => [CarbonIntensityModel], {
    description:
      "The park's carbon intensity per interval of ELECTRICITY (or productCode) starting in [from, to) (at most 672): market-based emissions of the park's metered electricity over that electricity",
  })
  @AnyRole()
  async parkCarbonIntensity(
    @Args('from', { type: () => DateTimeScalar }) from: Date,
    @Args('to', { type: () => DateTimeScalar }) to: Date,
    @Args('productCode', {
      type: () => String,
      nullable: true,
      description: 'A product carrying ELECTRICITY whose intervals to use (default ELECTRICITY)',
    })
    productCode?: string | null,
  ): Promise<CarbonIntensityModel[]> {
    return (await this.service.intensity(from, to, productCode ?? 'ELECTRICITY')).map((p) => ({
      deliveryStart: new Date(p.startMs),
      consumption: formatQuantity(p.consumptionWh),
      emissionsGrams: p.emissionsG.toString(),
      intensity: p.intensityMgPerKwh === null ? null : formatScaled(p.intensityMgPerKwh, 3),
      gridFactor: formatScaled(p.gridMgPerKwh, 3),
    }));
  }

  @Query(() => [EmissionFactorModel], {
    description: 'Every version of every asset kind’s emission factor, by kind, fuel and validFrom',
  })
  @AnyRole()
  async emissionFactors(): Promise<EmissionFactorModel[]> {
    return (await this.service.factorVersions()).map(({ row, chp }) => mapFactor(row, chp));
  }

  @Query(() => [CarbonDefaultModel], { description: 'Every version of the default factors' })
  @AnyRole()
  async carbonDefaults(): Promise<CarbonDefaultModel[]> {
    return (await this.service.defaultVersions()).map(mapDefault);
  }

  @Query(() => [GridCarbonFactorModel], {
    description:
      "The grid's uploaded factors of the intervals starting in [from, to) (at most 672)",
  })
  @AnyRole()
  async gridCarbonFactors(
    @Args('from', { type: () => DateTimeScalar }) from: Date,
    @Args('to', { type: () => DateTimeScalar }) to: Date,
  ): Promise<GridCarbonFactorModel[]> {
    return (await this.service.gridFactors(from, to)).map(mapGridFactor);
  }

  @Query(() => [ProductCarrierModel], {
    description: 'Every product with the energy carrier it delivers (null: none)',
  })
  @AnyRole()
  async productCarriers(): Promise<ProductCarrierModel[]> {
    return (await this.service.productCarriers()).map(mapProductCarrier);
  }

  @Mutation(() => ProductCarrierModel, {
    description:
      'Says which energy carrier a product delivers from now on (operator); null: none. Reports use the newest',
  })
  async setProductCarrier(
    @CurrentPrincipal() principal: Principal,
    @Args('productCode') productCode: string,
    @Args('carrier', { type: () => CarrierEnum, nullable: true }) carrier?: CarrierEnum | null,
  ): Promise<ProductCarrierModel> {
    return mapProductCarrier(
      await this.service.setProductCarrier(productCode, carrier ?? null, principal.id),
    );
  }

  @Mutation(() => EmissionFactorModel, {
    description: 'A new version of a kind’s emission factor for one fuel (operator; append-only)',
  })
  async setEmissionFactor(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: EmissionFactorInput,
  ): Promise<EmissionFactorModel> {
    const row = await this.service.setFactor(input, principal.id);
    const listed = (await this.service.factorVersions()).find((v) => v.row.id === row.id);
    return mapFactor(row, listed?.chp ?? null);
  }

  @Mutation(() => CarbonDefaultModel, {
    description: 'A new version of a default factor (operator; append-only)',
  })
  async setCarbonDefault(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CarbonDefaultInput,
  ): Promise<CarbonDefaultModel> {
    return mapDefault(await this.service.setDefault(input, principal.id));
  }

  @Mutation(() => Int, {
    description:
      "Uploads the grid's factors of 1 to 672 ELECTRICITY intervals (operator); returns how many were stored. A later upload of an interval counts instead (both are kept)",
  })
  async uploadGridCarbonFactors(
    @CurrentPrincipal() principal: Principal,
    @Args('factors', { type: () => [GridCarbonFactorInput] }) factors: GridCarbonFactorInput[],
  ): Promise<number> {
    return this.service.uploadGridFactors(factors, principal.id);
  }

  @Mutation(() => AssetFuelModel, {
    description: 'Names the fuel an asset burns from validFrom on (operator; append-only)',
  })
  async setAssetFuel(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: AssetFuelInput,
  ): Promise<AssetFuelModel> {
    return this.service.setAssetFuel(input, principal.id);
  }
}
