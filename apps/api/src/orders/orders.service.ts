import { Injectable } from '@nestjs/common';
import {
  BookLimitError,
  GateClosedError,
  OffIntervalGridError,
  OrderRepository,
  type IntervalKey,
  type MarketOrderRow,
  type OrderSide,
  type OrderStatus,
  type ProductEntity,
  type SubmissionRules,
} from '@parkex/db';
import type { Principal } from '@parkex/api/auth/principal';
import {
  AppError,
  badInput,
  conflict,
  forbidden,
  notFound,
  unauthenticated,
} from '../common/app-error';
import { decodeCursor, pageSize } from '../graphql/page-info.model';
import {
  bookLimitError,
  checkBatch,
  checkClosedRetries,
  checkInsert,
  checkTerms,
  intervalKey,
  toAppError,
  toRows,
  type CheckedOrder,
  type OrderRequest,
} from './order-rules';
import { checkAssetIds, checkAssets, namedAssets } from './asset-rules';

export const ORDER_CURSOR = 'order';
const MAX_ORDER_ID = 2n ** 63n - 1n;

export interface OrderListFilter {
  productCode?: string | null;
  deliveryStart?: Date | null;
  status?: OrderStatus | null;
  side?: OrderSide | null;
}

export interface OrderPage {
  orders: MarketOrderRow[];
  hasNextPage: boolean;
}

@Injectable()
export class OrdersService {
  constructor(private readonly orders: OrderRepository) {}

  /**
   * Submits a participant's batch, all or nothing; returns the orders in batch order (for a
   * clientOrderId already used with the same terms, the existing order). See `order-rules.ts`
   * for the rules and `OrderRepository.submit` for the transaction.
   */
  async submit(principal: Principal, requests: OrderRequest[]): Promise<MarketOrderRow[]> {
    if (principal.suspendedReason !== null) throw suspended(principal.suspendedReason);
    const batch = checkBatch(requests);
    if (batch.problems.length) throw toAppError(batch.problems);
    const badAssetIds = checkAssetIds(requests);
    if (badAssetIds.length) throw toAppError(badAssetIds);

    const intervals = distinctIntervals(requests);
    let checked: CheckedOrder[] = [];
    try {
      const rules: SubmissionRules = {
        // A batch naming an asset waits for the asset's lock (a safety linkage in progress):
        // it runs alone rather than hold up a group.
        orderCount: requests.some((r) => r.assetId) ? undefined : requests.length,
        prepare: async (context) => {
          if (!context.participantFound) throw unauthenticated('the API key has no participant');
          // The key was judged from a cache (AUTH_CACHE_MS): here it is judged again, under a
          // share lock, so that a revocation on any replica stops orders at once.
          if (context.keyActive === false) {
            throw unauthenticated('the API key is unknown or has been revoked');
          }
          if (context.suspendedReason !== null) throw suspended(context.suspendedReason);
          const products = new Map<string, ProductEntity>(context.products.map((p) => [p.code, p]));
          // The database's clock and the intervals' stored gates: what the gate triggers go by.
          const gates = new Map(
            context.gates.map((g) => [intervalKey(g), g.gateClosureAt.getTime()]),
          );
          const terms = checkTerms(
            requests,
            batch.quantitiesWh,
            products,
            context.now.getTime(),
            gates,
          );
          if (terms.problems.length) throw toAppError(terms.problems);
          if (terms.closed.length) {
            const existing = await context.findExisting(
              terms.closed.map((c) => c.order.clientOrderId),
            );
            const problems = checkClosedRetries(terms.closed, existing);
            if (problems.length) throw toAppError(problems);
          }
          checked = terms.orders;
          const assetIds = namedAssets(checked);
          if (assetIds.length) {
            // A resent order (its clientOrderId already taken) is answered with the stored one
            // and already counts among the asset's orders: only new ones are checked.
            const named = checked.filter((order) => order.assetId);
            const taken = new Set(
              (await context.findExisting(named.map((order) => order.clientOrderId))).map(
                (order) => order.clientOrderId,
              ),
            );
            const fresh = named.filter((order) => !taken.has(order.clientOrderId));
            const trading = await context.assets(assetIds);
            const problems = checkAssets(principal.id, requests, fresh, trading, products);
            if (problems.length) throw toAppError(problems);
          }
          return toRows(checked);
        },
        check: (insert) => {
          const problems = checkInsert(checked, insert);
          if (problems.length) throw toAppError(problems);
        },
      };
      const outcome = await this.orders.submit(principal.id, intervals, rules, principal.keyHash);
      const byClientId = new Map<string, MarketOrderRow>();
      for (const order of outcome.existing) byClientId.set(order.clientOrderId, order);
      for (const order of outcome.inserted) byClientId.set(order.clientOrderId, order);
      return requests.map((r) => byClientId.get(r.clientOrderId)!);
    } catch (error) {
      if (error instanceof GateClosedError) throw gateClosed(requests, error.intervals);
      if (error instanceof BookLimitError) throw bookLimitError(requests, error.breach);
      if (error instanceof OffIntervalGridError) {
        throw badInput(error.message, { field: 'orders', reason: 'OFF_INTERVAL_GRID' });
      }
      throw error;
    }
  }

  /** Cancels the caller's OPEN order while its gate is open; others' orders are NOT_FOUND. */
  async cancel(principal: Principal, id: string): Promise<MarketOrderRow> {
    if (!isOrderId(id)) throw notFound(`order ${id} does not exist`);
    const outcome = await this.orders.cancel(principal.id, id);
    switch (outcome.kind) {
      case 'CANCELLED':
        return outcome.order;
      case 'NOT_FOUND':
        throw notFound(`order ${id} does not exist`);
      case 'NOT_OPEN':
        throw conflict(
          `order ${id} is ${outcome.order.status}: only an OPEN order can be cancelled`,
          { field: 'id', reason: 'ORDER_NOT_OPEN', status: outcome.order.status },
        );
      case 'GATE_CLOSED':
        throw new AppError(
          'GATE_CLOSED',
          `order ${id} can no longer be cancelled: the gate of ${outcome.order.productCode} ${outcome.order.deliveryStart.toISOString()} has closed`,
          { field: 'id', reason: 'GATE_CLOSED' },
        );
    }
  }

  /**
   * A page of orders, newest first: a participant's own; everyone's for the operator, who runs
   * the market and watches it live; for the auditor, everyone's once their gate has closed (an
   * open book is nobody else's business until then). `after` is a cursor from a previous page.
   */
  async list(
    principal: Principal,
    filter: OrderListFilter | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<OrderPage> {
    const limit = pageSize(first);
    let beforeId: string | undefined;
    if (after !== null && after !== undefined) {
      beforeId = decodeCursor(ORDER_CURSOR, after);
      if (!isOrderId(beforeId)) {
        throw badInput('after is not a cursor returned by orders', { field: 'after' });
      }
    }
    const rows = await this.orders.list({
      participantId: principal.role === 'PARTICIPANT' ? principal.id : undefined,
      productCode: filter?.productCode ?? undefined,
      deliveryStart: filter?.deliveryStart ?? undefined,
      status: filter?.status ?? undefined,
      side: filter?.side ?? undefined,
      beforeId,
      gateClosedOnly: principal.role === 'AUDITOR',
      limit: limit + 1,
    });
    return { orders: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }
}

function suspended(reason: string): AppError {
  return forbidden(`trading is suspended for this participant: ${reason}`, {
    reason: 'SUSPENDED',
    suspendedReason: reason,
  });
}

function distinctIntervals(requests: readonly OrderRequest[]): IntervalKey[] {
  const seen = new Map<string, IntervalKey>();
  for (const r of requests) {
    const key = intervalKey(r);
    if (!seen.has(key))
      seen.set(key, { productCode: r.productCode, deliveryStart: r.deliveryStart });
  }
  return [...seen.values()];
}

/** The database refused the insert (PX001): name the first order in a closed interval. */
function gateClosed(requests: readonly OrderRequest[], closed: readonly IntervalKey[]): AppError {
  const keys = new Set(closed.map(intervalKey));
  const index = requests.findIndex((r) => keys.has(intervalKey(r)));
  if (index < 0) {
    return new AppError('GATE_CLOSED', 'the gate of an interval of this batch has closed', {
      field: 'orders',
      reason: 'GATE_CLOSED',
    });
  }
  const r = requests[index];
  return new AppError(
    'GATE_CLOSED',
    `order ${index} (clientOrderId ${JSON.stringify(r.clientOrderId)}): the gate of the ${r.productCode} interval starting ${r.deliveryStart.toISOString()} has closed`,
    {
      field: `orders[${index}].deliveryStart`,
      reason: 'GATE_CLOSED',
      index,
      clientOrderId: r.clientOrderId,
    },
  );
}

function isOrderId(id: string): boolean {
  return /^[1-9]\d{0,18}$/.test(id) && BigInt(id) <= MAX_ORDER_ID;
}
