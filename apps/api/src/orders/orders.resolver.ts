import { UseGuards } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { CurrentPrincipal } from '@parkex/api/auth/current-principal.decorator';
import type { Principal } from '@parkex/api/auth/principal';
import { AnyRole, Roles } from '@parkex/api/auth/roles.decorator';
import { encodeCursor } from '../graphql/page-info.model';
import { OrderFilterInput } from './dto/order-filter.input';
import { OrderInput } from './dto/order.input';
import { mapOrder, OrderConnectionModel, OrderModel } from './models/order.model';
import { ORDER_CURSOR, OrdersService } from './orders.service';

@Resolver(() => OrderModel)
@UseGuards(ApiKeyGuard)
@Roles('PARTICIPANT')
export class OrdersResolver {
  constructor(private readonly service: OrdersService) {}

  @Mutation(() => [OrderModel], {
    description:
      'Submits 1 to 10000 orders, all or nothing; returns them in the same order. A clientOrderId already used with the same terms returns the existing order.',
  })
  async submitOrders(
    @CurrentPrincipal() principal: Principal,
    @Args('orders', { type: () => [OrderInput] }) orders: OrderInput[],
  ): Promise<OrderModel[]> {
    return (await this.service.submit(principal, orders)).map(mapOrder);
  }

  @Mutation(() => OrderModel, {
    description: 'Cancels an OPEN order of yours before its gate closes',
  })
  async cancelOrder(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<OrderModel> {
    return mapOrder(await this.service.cancel(principal, id));
  }

  @Query(() => OrderConnectionModel, {
    description:
      "Orders, newest first: a participant's own; every participant's for the operator; for the auditor, every participant's once their interval's gate has closed. first: 1 to 500 (default 50).",
  })
  @AnyRole()
  async orders(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => OrderFilterInput, nullable: true }) filter?: OrderFilterInput,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<OrderConnectionModel> {
    const page = await this.service.list(principal, filter, first, after);
    const edges = page.orders.map((order) => ({
      cursor: encodeCursor(ORDER_CURSOR, order.id),
      node: mapOrder(order),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}
