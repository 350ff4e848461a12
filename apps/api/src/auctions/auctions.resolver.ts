import { UseGuards } from '@nestjs/common';
import {
  Args,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { AuctionOrderRow, AuctionSeriesRow, StoredAuctionOutcome } from '@parkex/db';
import { formatQuantity } from '@parkex/market';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { CurrentPrincipal } from '@parkex/api/auth/current-principal.decorator';
import type { GqlContext, Principal } from '@parkex/api/auth/principal';
import { AnyRole, Roles } from '@parkex/api/auth/roles.decorator';
import { OrderStatusEnum } from '../graphql/enums';
import { encodeCursor } from '../graphql/page-info.model';
import { DateTimeScalar } from '../graphql/scalars';
import {
  AWARD_CURSOR,
  AuctionResultsService,
  type AuctionResultView,
} from './auction-results.service';
import { AUCTION_ORDER_CURSOR, AuctionsService } from './auctions.service';
import { AuctionOrderInput } from './dto/auction-order.input';
import { AuctionSeriesInput } from './dto/auction-series.input';
import { AuctionOrderKindEnum, CarrierEnum } from './models/auction-enums';
import {
  AuctionAwardConnectionModel,
  AuctionOrderConnectionModel,
  AuctionOrderModel,
  AuctionResultModel,
  AuctionSeriesModel,
  AuctionVerificationModel,
} from './models/auction.model';

/** Series and orders of the integrated day-ahead auction. */
@Resolver(() => AuctionSeriesModel)
@UseGuards(ApiKeyGuard)
@AnyRole()
export class AuctionsResolver {
  constructor(private readonly service: AuctionsService) {}

  @Query(() => [AuctionSeriesModel], { description: 'The integrated auction series' })
  async auctionSeries(): Promise<AuctionSeriesModel[]> {
    return (await this.service.listSeries()).map(mapSeries);
  }

  @Mutation(() => AuctionSeriesModel, {
    description: 'Creates or replaces an auction series; auctions already open keep their terms',
  })
  @Roles('OPERATOR')
  async upsertAuctionSeries(
    @Args('input', { type: () => AuctionSeriesInput }) input: AuctionSeriesInput,
  ): Promise<AuctionSeriesModel> {
    return mapSeries(await this.service.upsertSeries(input));
  }

  @Mutation(() => [AuctionOrderModel], {
    description:
      'Submits 1 to 10000 auction orders, all or nothing; returns them in the same order. A clientOrderId already used for the same order returns it.',
  })
  @Roles('PARTICIPANT')
  async submitAuctionOrders(
    @CurrentPrincipal() principal: Principal,
    @Args('orders', { type: () => [AuctionOrderInput] }) orders: AuctionOrderInput[],
  ): Promise<AuctionOrderModel[]> {
    return (await this.service.submit(principal, orders)).map(mapAuctionOrder);
  }

  @Mutation(() => AuctionOrderModel, {
    description: 'Cancels an OPEN auction order of yours before its gate closes',
  })
  @Roles('PARTICIPANT')
  async cancelAuctionOrder(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<AuctionOrderModel> {
    return mapAuctionOrder(await this.service.cancel(principal, id));
  }

  @Query(() => AuctionOrderConnectionModel, {
    description:
      "Auction orders of a series, newest first: a participant's own; everyone's for the operator; for the auditor, everyone's once their gate has closed. first: 1 to 500 (default 50).",
  })
  async auctionOrders(
    @CurrentPrincipal() principal: Principal,
    @Args('series') series: string,
    @Args('deliveryStart', { type: () => DateTimeScalar, nullable: true })
    deliveryStart?: Date | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<AuctionOrderConnectionModel> {
    const page = await this.service.list(principal, series, deliveryStart, first, after);
    const edges = page.orders.map((order) => ({
      cursor: encodeCursor(AUCTION_ORDER_CURSOR, order.id),
      node: mapAuctionOrder(order),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}

/** Results, the live feed and the proof of the integrated auction. */
@Resolver(() => AuctionResultModel)
@UseGuards(ApiKeyGuard)
@AnyRole()
export class AuctionResultsResolver {
  constructor(private readonly results: AuctionResultsService) {}

  @Query(() => AuctionResultModel, {
    nullable: true,
    description:
      'An auction: OPEN until its gate, then CLEARED, NO_TRADE or FAILED; null when nobody ordered in it. A participant sees its own awards.',
  })
  auctionResult(
    @CurrentPrincipal() principal: Principal,
    @Args('series') series: string,
    @Args('deliveryStart', { type: () => DateTimeScalar }) deliveryStart: Date,
  ): Promise<AuctionResultView | null> {
    return this.results.result(principal, series, deliveryStart);
  }

  @ResolveField(() => AuctionAwardConnectionModel, {
    description: 'Awards by order id; a participant sees its own. first: 1 to 500 (default 50).',
  })
  awards(
    @Parent() result: AuctionResultView,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): AuctionAwardConnectionModel {
    const page = this.results.awards(result, first, after);
    const edges = page.awards.map((award) => ({
      cursor: encodeCursor(AWARD_CURSOR, award.orderId),
      node: award,
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => AuctionVerificationModel, {
    description:
      "Replays the auction from its stored book with the solver (hashes) and checks the stored result exactly: every check of the engine, the result's hash and its journal",
  })
  @Roles('AUDITOR', 'OPERATOR')
  verifyAuction(
    @Args('series') series: string,
    @Args('deliveryStart', { type: () => DateTimeScalar }) deliveryStart: Date,
  ): Promise<AuctionVerificationModel> {
    return this.results.verify(series, deliveryStart);
  }

  @Subscription(() => AuctionResultModel, {
    name: 'auctionPublished',
    description:
      'Each integrated auction outcome (CLEARED, NO_TRADE or FAILED) as soon as it is committed, of one series or all; a participant sees its own awards.',
    resolve(
      this: AuctionResultsResolver,
      stored: StoredAuctionOutcome,
      _args: unknown,
      context: GqlContext,
    ) {
      return this.results.publishedView(stored, context.principal);
    },
  })
  auctionPublished(
    @Args('series', { type: () => String, nullable: true }) series?: string | null,
  ): AsyncIterableIterator<StoredAuctionOutcome> {
    return this.results.subscribe(series ?? null);
  }
}

export function mapSeries(row: AuctionSeriesRow): AuctionSeriesModel {
  return {
    code: row.code,
    name: row.name,
    carriers: row.carriers.map((c) => c.carrier as CarrierEnum),
    intervalSeconds: row.intervalSeconds,
    intervals: row.intervals,
    gateClosureSeconds: row.gateClosureSeconds,
    priceTick: row.priceTick,
    minPrice: row.minPrice,
    maxPrice: row.maxPrice,
    k: row.k,
    networkFees: row.carriers.map((c) => ({ carrier: c.carrier as CarrierEnum, fee: c.fee })),
    grid: row.carriers.flatMap((c) =>
      c.grid === null
        ? []
        : [
            {
              carrier: c.carrier as CarrierEnum,
              importLimit: formatQuantity(BigInt(c.grid.importLimitWh)),
              importPrice: c.grid.importPrice,
              exportLimit: formatQuantity(BigInt(c.grid.exportLimitWh)),
              exportPrice: c.grid.exportPrice,
            },
          ],
    ),
  };
}

export function mapAuctionOrder(row: AuctionOrderRow): AuctionOrderModel {
  return {
    id: row.id,
    clientOrderId: row.clientOrderId,
    participantId: row.participantId,
    series: row.seriesCode,
    deliveryStart: row.deliveryStart,
    kind: row.kind as AuctionOrderKindEnum,
    status: row.status as OrderStatusEnum,
    assetId: row.assetId,
    createdAt: row.createdAt,
  };
}
