import { checkDeviceAssets } from './auction-assets';
import { Injectable } from '@nestjs/common';
import {
  AuctionGateClosedError,
  AuctionLimitError,
  AuctionRepository,
  type AuctionKey,
  type AuctionOrderRow,
  type AuctionSeriesRow,
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
  auctionKey,
  checkAuctionBatch,
  checkSeries,
  parseAuctionOrders,
  problemsError,
  sameOrder,
  validateWithEngine,
  type AuctionProblem,
  type ParsedAuctionOrder,
} from './auction-rules';
import type { AuctionOrderInput } from './dto/auction-order.input';
import type { AuctionSeriesInput } from './dto/auction-series.input';

export const AUCTION_ORDER_CURSOR = 'auction-order';
const MAX_ORDER_ID = 2n ** 63n - 1n;

/** What the database's bounds mean, by constraint. */
const LIMITS: Record<string, { reason: string; what: string }> = {
  auction_total_orders: {
    reason: 'AUCTION_ORDER_LIMIT',
    what: 'the auction would hold more than 100000 orders',
  },
  auction_total_blocks: {
    reason: 'AUCTION_BLOCK_LIMIT',
    what: 'the auction would hold more than 2000 blocks',
  },
  auction_total_devices: {
    reason: 'AUCTION_DEVICE_LIMIT',
    what: 'the auction would hold more than 500 conversions and storages',
  },
  auction_participant_total_orders: {
    reason: 'PARTICIPANT_ORDER_LIMIT',
    what: 'you would hold more than 10000 orders in the auction',
  },
  auction_participant_total_blocks: {
    reason: 'PARTICIPANT_BLOCK_LIMIT',
    what: 'you would hold more than 200 blocks in the auction',
  },
  auction_participant_total_devices: {
    reason: 'PARTICIPANT_DEVICE_LIMIT',
    what: 'you would hold more than 50 conversions and storages in the auction',
  },
};

/** Series and orders of the integrated day-ahead auction. */
@Injectable()
export class AuctionsService {
  constructor(private readonly auctions: AuctionRepository) {}

  listSeries(): Promise<AuctionSeriesRow[]> {
    return this.auctions.listSeries();
  }

  /** Creates or replaces a series; auctions already open keep the terms they opened with. */
  upsertSeries(input: AuctionSeriesInput): Promise<AuctionSeriesRow> {
    return this.auctions.upsertSeries(checkSeries(input));
  }

  /**
   * A participant's batch, all or nothing; returns the orders in batch order (a clientOrderId
   * already used for the same order returns that order). Checks: the batch (size, ids, one kind
   * each), the auction (series known, start on an auction boundary, gate ahead), each order's
   * terms against the auction's frozen terms, and the engine's validation of the batch; the
   * database enforces the gate and the bounds under its locks.
   */
  async submit(principal: Principal, inputs: AuctionOrderInput[]): Promise<AuctionOrderRow[]> {
    if (principal.suspendedReason !== null) throw suspended(principal.suspendedReason);
    const batch = checkAuctionBatch(inputs);
    if (batch.length) throw problemsError(batch);
    const keys = distinctKeys(inputs);
    let parsed: ParsedAuctionOrder[] = [];
    try {
      const outcome = await this.auctions.submit(principal.id, keys, {
        prepare: async (context) => {
          if (!context.participantFound) throw unauthenticated('the API key has no participant');
          if (context.suspendedReason !== null) throw suspended(context.suspendedReason);
          const series = new Map(context.series.map((s) => [s.code, s]));
          const auctions = new Map(
            context.auctions.map((a) => [auctionKey(a.seriesCode, a.deliveryStart), a]),
          );
          const { orders, problems } = parseAuctionOrders(inputs, auctions, (input) => {
            const s = series.get(input.series);
            if (!s) {
              return {
                code: 'BAD_USER_INPUT',
                reason: 'UNKNOWN_SERIES',
                message: `auction series ${JSON.stringify(input.series)} does not exist`,
              };
            }
            const lengthMs = s.intervalSeconds * s.intervals * 1000;
            if (input.deliveryStart.getTime() % lengthMs !== 0) {
              return {
                code: 'BAD_USER_INPUT',
                reason: 'NOT_AN_AUCTION_START',
                message: `deliveryStart ${input.deliveryStart.toISOString()} is not the start of a ${s.code} auction (a multiple of ${s.intervals} × ${s.intervalSeconds} s since 1970-01-01T00:00:00Z)`,
              };
            }
            const gateMs = input.deliveryStart.getTime() - s.gateClosureSeconds * 1000;
            if (gateMs <= context.now.getTime()) {
              return {
                code: 'GATE_CLOSED',
                reason: 'GATE_CLOSED',
                message: `the gate of the ${s.code} auction starting ${input.deliveryStart.toISOString()} closed at ${new Date(gateMs).toISOString()}`,
              };
            }
            return {
              code: 'BAD_USER_INPUT',
              reason: 'BEYOND_HORIZON',
              message: `the gate of the ${s.code} auction starting ${input.deliveryStart.toISOString()} is more than 31 days ahead`,
            };
          });
          const closed: AuctionProblem[] = [];
          for (const order of orders) {
            const auction = auctions.get(auctionKey(order.seriesCode, order.deliveryStart))!;
            if (
              auction.state !== 'OPEN' ||
              auction.gateClosureAt.getTime() <= context.now.getTime()
            ) {
              closed.push(gateProblem(order, inputs[order.index], auction.gateClosureAt));
            }
          }
          const all = [...problems];
          // The engine's checks, per auction, with the existing parents the batch names.
          const parentIds = orders.flatMap((o) =>
            o.terms.kind === 'BLOCK' && o.terms.parentClientOrderId !== null
              ? [o.terms.parentClientOrderId]
              : [],
          );
          const existing = parentIds.length ? await context.findExisting(parentIds) : [];
          for (const [key, group] of groupBy(orders, (o) =>
            auctionKey(o.seriesCode, o.deliveryStart),
          )) {
            all.push(
              ...validateWithEngine(auctions.get(key)!, principal.id, group, inputs, existing),
            );
          }
          // Device orders and their assets; a resent order is answered with the stored one.
          const devices = orders.filter(
            (o) =>
              o.terms.kind === 'STORAGE' || o.terms.kind === 'CONVERSION' || o.assetId !== null,
          );
          const resent = new Set(
            devices.length
              ? (await context.findExisting(devices.map((o) => o.clientOrderId))).map(
                  (o) => o.clientOrderId,
                )
              : [],
          );
          all.push(
            ...(await checkDeviceAssets(
              principal.id,
              devices,
              inputs,
              auctions,
              (o) => auctionKey(o.seriesCode, o.deliveryStart),
              resent,
              context.assets,
            )),
          );
          if (all.length) throw problemsError(all.sort((a, b) => a.index - b.index));
          if (closed.length) {
            // a retry of an acknowledged order gets that order back, whenever it comes
            const previous = new Map(
              (await context.findExisting(closed.map((p) => p.clientOrderId!))).map((o) => [
                o.clientOrderId,
                o,
              ]),
            );
            const refused = closed.filter((p) => {
              const before = previous.get(p.clientOrderId!);
              return (
                !before ||
                !sameOrder(
                  orders.find((o) => o.index === p.index)!,
                  before,
                )
              );
            });
            if (refused.length) throw problemsError(refused);
          }
          parsed = orders;
          return orders.map((o) => ({
            clientOrderId: o.clientOrderId,
            seriesCode: o.seriesCode,
            deliveryStart: o.deliveryStart,
            kind: o.terms.kind,
            terms: o.terms,
            assetId: o.assetId,
          }));
        },
        check: (_inserted, existing) => {
          const byClientId = new Map(parsed.map((o) => [o.clientOrderId, o]));
          const problems = existing
            .filter((previous) => !sameOrder(byClientId.get(previous.clientOrderId)!, previous))
            .map((previous) => {
              const order = byClientId.get(previous.clientOrderId)!;
              return {
                index: order.index,
                clientOrderId: order.clientOrderId,
                field: `orders[${order.index}].clientOrderId`,
                code: 'CONFLICT' as const,
                reason: 'CLIENT_ORDER_ID_REUSED',
                message: `order ${order.index} (clientOrderId ${JSON.stringify(order.clientOrderId)}): clientOrderId is already used by auction order ${previous.id} with other terms; use a new clientOrderId`,
              };
            });
          if (problems.length) throw problemsError(problems.sort((a, b) => a.index - b.index));
        },
      });
      const byClientId = new Map<string, AuctionOrderRow>();
      for (const order of [...outcome.existing, ...outcome.inserted])
        byClientId.set(order.clientOrderId, order);
      return inputs.map((input) => byClientId.get(input.clientOrderId)!);
    } catch (error) {
      if (error instanceof AuctionGateClosedError) {
        throw new AppError(
          'GATE_CLOSED',
          `the gate of an auction of this batch has closed (${error.message})`,
          {
            field: 'orders',
            reason: 'GATE_CLOSED',
          },
        );
      }
      if (error instanceof AuctionLimitError) {
        const limit = LIMITS[error.constraint] ?? { reason: 'AUCTION_LIMIT', what: error.message };
        throw badInput(`this batch is refused: ${limit.what}`, {
          field: 'orders',
          reason: limit.reason,
        });
      }
      throw error;
    }
  }

  /** Cancels the caller's OPEN auction order while its gate is open; others' are NOT_FOUND. */
  async cancel(principal: Principal, id: string): Promise<AuctionOrderRow> {
    if (!isOrderId(id)) throw notFound(`auction order ${id} does not exist`);
    const outcome = await this.auctions.cancel(principal.id, id);
    switch (outcome.kind) {
      case 'CANCELLED':
        return outcome.order;
      case 'NOT_FOUND':
        throw notFound(`auction order ${id} does not exist`);
      case 'NOT_OPEN':
        throw conflict(
          `auction order ${id} is ${outcome.order.status}: only an OPEN order can be cancelled`,
          {
            field: 'id',
            reason: 'ORDER_NOT_OPEN',
          },
        );
      case 'GATE_CLOSED':
        throw new AppError(
          'GATE_CLOSED',
          `auction order ${id} can no longer be cancelled: the gate of ${outcome.order.seriesCode} ${outcome.order.deliveryStart.toISOString()} has closed`,
          { field: 'id', reason: 'GATE_CLOSED' },
        );
    }
  }

  /**
   * A page of auction orders of one series, newest first: a participant's own; everyone's for the
   * operator; for the auditor, everyone's once their gate has closed.
   */
  async list(
    principal: Principal,
    seriesCode: string,
    deliveryStart: Date | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<{ orders: AuctionOrderRow[]; hasNextPage: boolean }> {
    const limit = pageSize(first);
    const beforeId =
      after === null || after === undefined
        ? undefined
        : decodeCursor(AUCTION_ORDER_CURSOR, after, isOrderId);
    const rows = await this.auctions.list({
      participantId: principal.role === 'PARTICIPANT' ? principal.id : undefined,
      seriesCode,
      deliveryStart: deliveryStart ?? undefined,
      beforeId,
      gateClosedOnly: principal.role === 'AUDITOR',
      limit: limit + 1,
    });
    return { orders: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }
}

function gateProblem(
  order: ParsedAuctionOrder,
  input: AuctionOrderInput,
  gate: Date,
): AuctionProblem {
  return {
    index: order.index,
    clientOrderId: order.clientOrderId,
    field: `orders[${order.index}].deliveryStart`,
    code: 'GATE_CLOSED',
    reason: 'GATE_CLOSED',
    message: `order ${order.index} (clientOrderId ${JSON.stringify(input.clientOrderId)}): the gate of the ${order.seriesCode} auction starting ${order.deliveryStart.toISOString()} closed at ${gate.toISOString()}`,
  };
}

function suspended(reason: string): AppError {
  return forbidden(`trading is suspended for this participant: ${reason}`, {
    reason: 'SUSPENDED',
    suspendedReason: reason,
  });
}

function distinctKeys(inputs: readonly AuctionOrderInput[]): AuctionKey[] {
  const seen = new Map<string, AuctionKey>();
  for (const input of inputs) {
    const key = auctionKey(input.series, input.deliveryStart);
    if (!seen.has(key))
      seen.set(key, { seriesCode: input.series, deliveryStart: input.deliveryStart });
  }
  return [...seen.values()];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function isOrderId(id: string): boolean {
  return /^[1-9]\d{0,18}$/.test(id) && BigInt(id) <= MAX_ORDER_ID;
}
