import { UseGuards } from '@nestjs/common';
import { Args, Context, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { CurrentPrincipal } from '@parkex/api/auth/current-principal.decorator';
import type { Principal } from '@parkex/api/auth/principal';
import { AnyRole } from '@parkex/api/auth/roles.decorator';
import { MAX_LISTED_FILLS } from '../graphql/list-bounds';
import { encodeCursor } from '../graphql/page-info.model';
import { DateTimeScalar } from '../graphql/scalars';
import { ClearingService, FILL_CURSOR, RESULT_CURSOR, SETTLEMENT_CURSOR } from './clearing.service';
import {
  ClearingResultConnectionModel,
  ClearingResultModel,
  FillConnectionModel,
  FillModel,
  mapClearingResult,
  mapFill,
} from './models/clearing-result.model';
import { BalanceModel, mapSettlement, SettlementConnectionModel } from './models/settlement.model';
import { formatMoney, formatQuantity } from '@parkex/market';

/** Market results are public to every role; fills and statements identify only what the caller may see. */
@Resolver(() => ClearingResultModel)
@UseGuards(ApiKeyGuard)
@AnyRole()
export class ClearingResolver {
  constructor(private readonly service: ClearingService) {}

  @Query(() => ClearingResultModel, {
    nullable: true,
    description: 'The result of one product-interval; null until it is cleared',
  })
  async clearingResult(
    @Args('productCode') productCode: string,
    @Args('deliveryStart', { type: () => DateTimeScalar }) deliveryStart: Date,
  ): Promise<ClearingResultModel | null> {
    const row = await this.service.result(productCode, deliveryStart);
    return row && mapClearingResult(row);
  }

  @Query(() => ClearingResultConnectionModel, {
    description:
      'Results of a product, newest delivery first, within [from, to). first: 1 to 500 (default 50).',
  })
  async clearingResults(
    @Args('productCode') productCode: string,
    @Args('from', { type: () => DateTimeScalar, nullable: true }) from?: Date,
    @Args('to', { type: () => DateTimeScalar, nullable: true }) to?: Date,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<ClearingResultConnectionModel> {
    const page = await this.service.results(productCode, { from, to }, first, after);
    const edges = page.rows.map((row) => ({
      cursor: encodeCursor(RESULT_CURSOR, row.deliveryStart.toISOString()),
      node: mapClearingResult(row),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @ResolveField(() => [FillModel], {
    description: `Every fill of the result, at most ${MAX_LISTED_FILLS} (BAD_USER_INPUT, reason TOO_MANY_FILLS, beyond: use fillConnection)`,
  })
  async fills(
    @Parent() result: ClearingResultModel,
    @CurrentPrincipal() principal: Principal,
    @Context() context: object,
  ): Promise<FillModel[]> {
    const rows = await this.service.fills(result, context);
    return rows.map((row) => mapFill(row, viewerOf(principal)));
  }

  @ResolveField(() => FillConnectionModel, {
    description:
      'The fills of the result in the order they were made. first: 1 to 500 (default 50).',
  })
  async fillConnection(
    @Parent() result: ClearingResultModel,
    @CurrentPrincipal() principal: Principal,
    @Context() context: object,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<FillConnectionModel> {
    const page = await this.service.fillPage(result, context, first, after);
    const edges = page.rows.map((row) => ({
      cursor: encodeCursor(FILL_CURSOR, String(row.seq)),
      node: mapFill(row, viewerOf(principal)),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => SettlementConnectionModel, {
    description:
      "Statements per participant and cleared interval (net energy and money from the ledger), oldest first: a participant's own; anyone's for the operator and the auditor.",
  })
  async settlements(
    @CurrentPrincipal() principal: Principal,
    @Args('participantId', { type: () => ID, nullable: true }) participantId?: string,
    @Args('from', { type: () => DateTimeScalar, nullable: true }) from?: Date,
    @Args('to', { type: () => DateTimeScalar, nullable: true }) to?: Date,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<SettlementConnectionModel> {
    const page = await this.service.statements(
      principal,
      { participantId, from, to },
      first,
      after,
    );
    const edges = page.rows.map((row) => ({
      cursor: encodeCursor(SETTLEMENT_CURSOR, `${row.journalId}/${row.participantId}`),
      node: mapSettlement(row),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => BalanceModel, {
    description: "A participant's ledger balance (your own, unless operator or auditor)",
  })
  async balance(
    @CurrentPrincipal() principal: Principal,
    @Args('participantId', { type: () => ID, nullable: true }) participantId?: string,
  ): Promise<BalanceModel> {
    const balance = await this.service.balance(principal, participantId);
    return {
      participantId: balance.participantId,
      amount: formatMoney(BigInt(balance.amountMinor)),
      energy: formatQuantity(BigInt(balance.energyWh)),
    };
  }
}

/** Operator and auditor see both sides of every fill; a participant only its own. */
function viewerOf(principal: Principal): { id: string; seeAll: boolean } {
  return { id: principal.id, seeAll: principal.role !== 'PARTICIPANT' };
}
