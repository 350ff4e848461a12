import { UseGuards } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { CurrentPrincipal } from '@parkex/api/auth/current-principal.decorator';
import type { Principal } from '@parkex/api/auth/principal';
import { AnyRole, Roles } from '@parkex/api/auth/roles.decorator';
import { DateTimeScalar } from '../graphql/scalars';
import { ImbalanceService } from './imbalance.service';
import {
  ImbalanceSettlementModel,
  ImbalanceVerificationModel,
  PositionModel,
  mapImbalanceSettlement,
  mapPosition,
} from './models/imbalance.model';

/**
 * Imbalance settlement (reads). Class default: the auditor and the operator; positions and
 * settlements also a participant, its own. Any other role (a METER key) is refused.
 */
@Resolver()
@UseGuards(ApiKeyGuard)
@Roles('AUDITOR', 'OPERATOR')
export class ImbalanceResolver {
  constructor(private readonly service: ImbalanceService) {}

  @Query(() => [PositionModel], {
    description:
      "Traded against metered energy per participant and interval of a product starting in [from, to) (at most 31 days, 3000 rows): a participant's own; anyone's (or participantId's) for the operator and the auditor",
  })
  @AnyRole()
  async positions(
    @CurrentPrincipal() principal: Principal,
    @Args('productCode') productCode: string,
    @Args('from', { type: () => DateTimeScalar }) from: Date,
    @Args('to', { type: () => DateTimeScalar }) to: Date,
    @Args('participantId', { type: () => ID, nullable: true }) participantId?: string | null,
  ): Promise<PositionModel[]> {
    const rows = await this.service.positions(
      principal,
      productCode,
      from,
      to,
      participantId ?? null,
    );
    return rows.map((row) => mapPosition(productCode, row));
  }

  @Query(() => [ImbalanceSettlementModel], {
    description:
      'Imbalance settlement revisions of intervals starting in [from, to) (at most 31 days, 100 revisions of at most 50 lines), by delivery start, product and revision: a participant gets those with a line of its own, and only its own lines',
  })
  @AnyRole()
  async imbalances(
    @CurrentPrincipal() principal: Principal,
    @Args('from', { type: () => DateTimeScalar }) from: Date,
    @Args('to', { type: () => DateTimeScalar }) to: Date,
    @Args('productCode', { type: () => String, nullable: true }) productCode?: string | null,
    @Args('participantId', { type: () => ID, nullable: true }) participantId?: string | null,
  ): Promise<ImbalanceSettlementModel[]> {
    const rows = await this.service.settlements(
      principal,
      productCode ?? null,
      from,
      to,
      participantId ?? null,
    );
    return rows.map(mapImbalanceSettlement);
  }

  @Query(() => ImbalanceVerificationModel, {
    description:
      "Replays a product-interval's stored imbalance settlement revision by revision (lines, totals, frozen prices, hashes, journals) and checks it against the interval's positions and latest readings (NOT_FOUND when not settled)",
  })
  async verifyImbalance(
    @Args('productCode') productCode: string,
    @Args('deliveryStart', { type: () => DateTimeScalar }) deliveryStart: Date,
  ): Promise<ImbalanceVerificationModel> {
    const check = await this.service.verify(productCode, deliveryStart);
    return { ...check, differences: [...check.differences] };
  }
}
