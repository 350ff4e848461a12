import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import {
  deviceBeyondRatings,
  type AssetRatings,
  type DeviceLimits,
  type EntryKind,
  type JournalLine,
} from '@parkex/market';
import { toAsset, type AssetRow } from './asset.repository';
import { LOCK_ASSETS_FOR_ORDERS, type AssetSqlRow } from './safety.sql';
import { pgPool, transaction } from '../pg-pool';
import { appendPendingAudit } from './audit-log.repository';
import type {
  AuctionAwardRow,
  AuctionBookRow,
  AuctionOrderResultRow,
  AuctionPriceRow,
  AuctionResultHeader,
  AuctionTermsRow,
  StoredCarrier,
  StoredOrderTerms,
} from './auction-rows';
import {
  AUCTION,
  AUCTION_JOURNAL,
  AUCTIONS_OF,
  CANCEL_LOCK_AUCTION,
  CANCEL_LOOK,
  CANCEL_OPEN_AUCTION_ORDERS_IN,
  CANCEL_ORDER,
  FAILURE_OF,
  FIND_BY_CLIENT_ORDER_IDS,
  FIND_BY_ID,
  GATE_CLOSED_CONDITION,
  INSERT_AUCTION_ORDERS,
  JOURNAL_ENTRIES,
  LIST_SERIES,
  LOCK_OPEN_AUCTIONS_WITH_ORDERS_OF,
  LOCK_OPEN_AUCTIONS_WITH_ORDERS_OF_ASSET,
  OPEN_AUCTION_ORDERS_OF_ASSET_IN,
  CANCEL_AUCTION_ORDERS_BY_ID,
  listAuctionOrders,
  LOCK_AND_OPEN_AUCTIONS,
  OPEN_BOOK,
  RESULT_AWARDS,
  RESULT_HEADER,
  RESULT_ORDERS,
  RESULT_PRICES,
  STORED_BOOK,
  UPSERT_SERIES,
} from './auction.sql';
import { CLEARING_CHANNEL, ledgerAccounts } from './clearing.repository';
import { pgError } from './pg-errors';

/** Auction notices go through the clearing channel, so one LISTEN per API replica feeds both. */
export const AUCTION_CHANNEL = CLEARING_CHANNEL;

export function auctionNotice(seriesCode: string, deliveryStart: Date): string {
  return JSON.stringify({ auctionSeries: seriesCode, deliveryStart: deliveryStart.toISOString() });
}

export interface AuctionSeriesRow {
  code: string;
  name: string;
  intervalSeconds: number;
  intervals: number;
  gateClosureSeconds: number;
  priceTick: string;
  minPrice: string;
  maxPrice: string;
  k: string;
  carriers: StoredCarrier[];
}

interface SeriesSqlRow {
  code: string;
  name: string;
  interval_seconds: number;
  intervals: number;
  gate_closure_seconds: number;
  price_tick: string;
  min_price: string;
  max_price: string;
  k: string;
  carriers: StoredCarrier[];
}

export interface AuctionRow {
  series_code: string;
  delivery_start: Date;
  gate_closure_at: Date;
  interval_seconds: number;
  intervals: number;
  price_tick: string;
  min_price: string;
  max_price: string;
  k: string;
  carriers: StoredCarrier[];
  state: AuctionTermsRow['state'];
}

export type AuctionOrderKind = StoredOrderTerms['kind'];

/** An auction order as the API returns it. */
export interface AuctionOrderRow {
  id: string;
  participantId: string;
  clientOrderId: string;
  seriesCode: string;
  deliveryStart: Date;
  kind: AuctionOrderKind;
  terms: StoredOrderTerms;
  /** The asset a STORAGE or CONVERSION order comes from. */
  assetId: string | null;
  status: 'OPEN' | 'CANCELLED';
  createdAt: Date;
}

interface OrderSqlRow {
  id: string;
  participant_id: string;
  client_order_id: string;
  series_code: string;
  delivery_start: Date;
  kind: AuctionOrderKind;
  terms: StoredOrderTerms;
  asset_id: string | null;
  status: 'OPEN' | 'CANCELLED';
  created_at: Date;
}

export interface AuctionKey {
  seriesCode: string;
  deliveryStart: Date;
}

/** What a submission learns under its locks, after opening the batch's auctions. */
export interface AuctionSubmissionContext {
  participantFound: boolean;
  suspendedReason: string | null;
  /** The database's clock. */
  now: Date;
  /** The series the batch names that exist (their current settings). */
  series: {
    code: string;
    intervalSeconds: number;
    intervals: number;
    gateClosureSeconds: number;
  }[];
  /** The batch's auctions that exist (opened now or before), with their frozen terms. */
  auctions: AuctionTermsRow[];
  /** The participant's orders under these clientOrderIds. */
  findExisting(clientOrderIds: readonly string[]): Promise<AuctionOrderRow[]>;
  /**
   * The named assets with their safety state, share-locked (a safety linkage in progress commits
   * first, and none starts before this submission commits).
   */
  assets(assetIds: readonly string[]): Promise<AssetRow[]>;
}

export interface NewAuctionOrderRow {
  clientOrderId: string;
  seriesCode: string;
  deliveryStart: Date;
  kind: AuctionOrderKind;
  terms: StoredOrderTerms;
  assetId: string | null;
}

export interface AuctionSubmissionRules {
  prepare(context: AuctionSubmissionContext): Promise<NewAuctionOrderRow[]>;
  /** After the insert: `existing` are the orders whose clientOrderId was already taken. */
  check(inserted: AuctionOrderRow[], existing: AuctionOrderRow[]): void;
}

/** The database refused the batch: an auction's gate has closed (PX001). */
export class AuctionGateClosedError extends Error {
  override name = 'AuctionGateClosedError';
}

/** The database refused the batch: a bound of the auction's or the participant's totals. */
export class AuctionLimitError extends Error {
  override name = 'AuctionLimitError';
  constructor(
    /** `auction_total_orders`, `auction_participant_total_blocks`, … */
    readonly constraint: string,
    message: string,
  ) {
    super(message);
  }
}

export type AuctionCancelOutcome =
  | { kind: 'CANCELLED'; order: AuctionOrderRow }
  | { kind: 'NOT_FOUND' }
  | { kind: 'NOT_OPEN'; order: AuctionOrderRow }
  | { kind: 'GATE_CLOSED'; order: AuctionOrderRow };

export interface AuctionOrderListQuery {
  participantId?: string;
  seriesCode: string;
  deliveryStart?: Date;
  beforeId?: string;
  gateClosedOnly?: boolean;
  limit: number;
}

/** A stored auction outcome: its result rows, or its FAILED reason. */
export interface StoredAuctionOutcome {
  auction: AuctionTermsRow;
  result: {
    status: 'CLEARED' | 'NO_TRADE';
    welfare: string;
    inputHash: string;
    resultHash: string;
    clearedAt: Date;
    header: AuctionResultHeader;
    prices: AuctionPriceRow[];
    /** Of one participant when asked so. */
    awards: AuctionAwardRow[];
    orders: (AuctionOrderResultRow & { clientOrderId: string; participantId: string })[];
  } | null;
  failure: { reason: string; failedAt: Date } | null;
}

/** Everything `verifyAuction` replays and checks, read in one snapshot. */
export interface StoredAuctionProof {
  auction: AuctionTermsRow;
  book: AuctionBookRow[];
  outcome: NonNullable<StoredAuctionOutcome['result']>;
  journal: {
    id: string;
    entryCount: number;
    debitMinor: string;
    prevHash: string;
    hash: string;
    hashVersion: number;
  } | null;
  entries: JournalLine[];
  accounts: { byParticipant: Map<string, string>; utility: string };
}

const CONSTRAINT_VIOLATION = '23514';
const GATE_CLOSED_STATE = 'PX001';

/**
 * The integrated auction's API side: series, order submission (one transaction, bulk insert, gate
 * and bounds enforced by the database), cancellation, listing, and the stored results.
 */
@Injectable()
export class AuctionRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  async listSeries(): Promise<AuctionSeriesRow[]> {
    const { rows } = await this.pool.query<SeriesSqlRow>(LIST_SERIES);
    return rows.map(toSeries);
  }

  /** Inserts or replaces a series, with the mutation's audit row, in one transaction. */
  upsertSeries(series: AuctionSeriesRow): Promise<AuctionSeriesRow> {
    return transaction(this.pool, { isolation: 'READ COMMITTED' }, async (client) => {
      const { rows } = await client.query<SeriesSqlRow>(UPSERT_SERIES, [
        series.code,
        series.name,
        series.intervalSeconds,
        series.intervals,
        series.gateClosureSeconds,
        series.priceTick,
        series.minPrice,
        series.maxPrice,
        series.k,
        JSON.stringify(series.carriers),
      ]);
      await appendPendingAudit((text, values) => client.query(text, values));
      return toSeries(rows[0]);
    });
  }

  /**
   * A participant's batch, all or nothing, in one transaction: share-lock the participant and
   * open the batch's auctions (`LOCK_AND_OPEN_AUCTIONS`), read their frozen terms →
   * `rules.prepare`; insert the rows (the statement trigger checks gates and totals) →
   * `rules.check`; the audit row. Refusals of the database become `AuctionGateClosedError` and
   * `AuctionLimitError`.
   */
  async submit(
    participantId: string,
    keys: readonly AuctionKey[],
    rules: AuctionSubmissionRules,
  ): Promise<{ inserted: AuctionOrderRow[]; existing: AuctionOrderRow[] }> {
    const codes = keys.map((k) => k.seriesCode);
    const starts = keys.map((k) => k.deliveryStart.toISOString());
    try {
      return await transaction(this.pool, { isolation: 'READ COMMITTED' }, async (client) => {
        const opened = await client.query<{
          found: boolean;
          suspended_reason: string | null;
          db_now: Date;
          series: AuctionSubmissionContext['series'];
        }>(LOCK_AND_OPEN_AUCTIONS, [participantId, codes, starts]);
        const auctions = await client.query<AuctionRow>(AUCTIONS_OF, [codes, starts]);
        const findExisting = async (clientOrderIds: readonly string[]) =>
          (
            await client.query<OrderSqlRow>(FIND_BY_CLIENT_ORDER_IDS, [
              participantId,
              clientOrderIds,
            ])
          ).rows.map(toOrder);
        const first = opened.rows[0];
        const rows = await rules.prepare({
          participantFound: first.found,
          suspendedReason: first.suspended_reason,
          now: first.db_now,
          series: first.series,
          auctions: auctions.rows.map(toTermsRow),
          findExisting,
          assets: async (assetIds) =>
            (await client.query<AssetSqlRow>(LOCK_ASSETS_FOR_ORDERS, [assetIds])).rows.map(toAsset),
        });
        const result = await client.query<{
          id: string;
          client_order_id: string;
          created_at: Date;
        }>(INSERT_AUCTION_ORDERS, [
          participantId,
          rows.map((r) => r.clientOrderId),
          rows.map((r) => r.seriesCode),
          rows.map((r) => r.deliveryStart.toISOString()),
          rows.map((r) => r.kind),
          rows.map((r) => JSON.stringify(r.terms)),
          rows.map((r) => r.assetId),
        ]);
        const byClientId = new Map(rows.map((r) => [r.clientOrderId, r]));
        const inserted: AuctionOrderRow[] = result.rows.map((row) => {
          const input = byClientId.get(row.client_order_id)!;
          return {
            id: row.id,
            participantId,
            clientOrderId: input.clientOrderId,
            seriesCode: input.seriesCode,
            deliveryStart: input.deliveryStart,
            kind: input.kind,
            terms: input.terms,
            assetId: input.assetId,
            status: 'OPEN',
            createdAt: row.created_at,
          };
        });
        const got = new Set(inserted.map((o) => o.clientOrderId));
        const taken = rows.map((r) => r.clientOrderId).filter((cid) => !got.has(cid));
        const existing = taken.length ? await findExisting(taken) : [];
        rules.check(inserted, existing);
        await appendPendingAudit((text, values) => client.query(text, values));
        return { inserted, existing };
      });
    } catch (error) {
      const pg = pgError(error);
      if (pg.code === GATE_CLOSED_STATE) throw new AuctionGateClosedError((error as Error).message);
      if (pg.code === CONSTRAINT_VIOLATION && pg.constraint?.startsWith('auction_')) {
        throw new AuctionLimitError(pg.constraint, (error as Error).message);
      }
      throw error;
    }
  }

  /** Cancels an OPEN order of this participant while its auction's gate is open. */
  async cancel(participantId: string, orderId: string): Promise<AuctionCancelOutcome> {
    try {
      return await transaction(this.pool, { isolation: 'READ COMMITTED' }, async (client) => {
        const found = await client.query<OrderSqlRow & { open: boolean }>(CANCEL_LOOK, [
          orderId,
          participantId,
        ]);
        if (!found.rows.length) return { kind: 'NOT_FOUND' };
        const order = toOrder(found.rows[0]);
        if (order.status !== 'OPEN') return { kind: 'NOT_OPEN', order };
        if (!found.rows[0].open) return { kind: 'GATE_CLOSED', order };
        const locked = await client.query<{ open: boolean }>(CANCEL_LOCK_AUCTION, [
          order.seriesCode,
          order.deliveryStart,
        ]);
        if (!locked.rows[0]?.open) return { kind: 'GATE_CLOSED', order };
        const updated = await client.query<OrderSqlRow>(CANCEL_ORDER, [orderId]);
        if (!updated.rows.length) return { kind: 'NOT_OPEN', order };
        await appendPendingAudit((text, values) => client.query(text, values));
        return { kind: 'CANCELLED', order: toOrder(updated.rows[0]) };
      });
    } catch (error) {
      if (pgError(error).code !== GATE_CLOSED_STATE) throw error;
      const order = await this.findById(orderId);
      if (!order) throw error;
      return { kind: 'GATE_CLOSED', order };
    }
  }

  async findById(id: string): Promise<AuctionOrderRow | null> {
    const { rows } = await this.pool.query<OrderSqlRow>(FIND_BY_ID, [id]);
    return rows.length ? toOrder(rows[0]) : null;
  }

  /** One page of orders, newest first. */
  async list(query: AuctionOrderListQuery): Promise<AuctionOrderRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (condition: (param: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    add((p) => `o.series_code = ${p}`, query.seriesCode);
    if (query.participantId !== undefined)
      add((p) => `o.participant_id = ${p}`, query.participantId);
    if (query.deliveryStart !== undefined)
      add((p) => `o.delivery_start = ${p}`, query.deliveryStart.toISOString());
    if (query.beforeId !== undefined) add((p) => `o.id < ${p}::bigint`, query.beforeId);
    if (query.gateClosedOnly) where.push(GATE_CLOSED_CONDITION);
    values.push(query.limit);
    const { rows } = await this.pool.query<OrderSqlRow>(
      listAuctionOrders(where, `$${values.length}`),
      values,
    );
    return rows.map(toOrder);
  }

  async auction(seriesCode: string, deliveryStart: Date): Promise<AuctionTermsRow | null> {
    const { rows } = await this.pool.query<AuctionRow>(AUCTION, [seriesCode, deliveryStart]);
    return rows.length ? toTermsRow(rows[0]) : null;
  }

  /**
   * The stored outcome of an auction, in one snapshot: the result (awards and order outcomes of
   * one participant when `participantId` is given) or the FAILED reason; null without an auction.
   */
  outcome(
    seriesCode: string,
    deliveryStart: Date,
    participantId: string | null,
  ): Promise<StoredAuctionOutcome | null> {
    return transaction(
      this.pool,
      { isolation: 'REPEATABLE READ', readOnly: true },
      async (client) => {
        const found = await client.query<AuctionRow>(AUCTION, [seriesCode, deliveryStart]);
        if (!found.rows.length) return null;
        const auction = toTermsRow(found.rows[0]);
        const failure = await client.query<{ reason: string; failed_at: Date }>(FAILURE_OF, [
          seriesCode,
          deliveryStart,
        ]);
        return {
          auction,
          result: await readOutcome(client, seriesCode, deliveryStart, participantId),
          failure: failure.rows.length
            ? { reason: failure.rows[0].reason, failedAt: failure.rows[0].failed_at }
            : null,
        };
      },
    );
  }

  /** The book, terms, result, journal and accounts of a cleared auction, in one snapshot. */
  proof(seriesCode: string, deliveryStart: Date): Promise<StoredAuctionProof | null> {
    return transaction(
      this.pool,
      { isolation: 'REPEATABLE READ', readOnly: true },
      async (client) => {
        const found = await client.query<AuctionRow>(AUCTION, [seriesCode, deliveryStart]);
        if (!found.rows.length) return null;
        const outcome = await readOutcome(client, seriesCode, deliveryStart, null);
        if (!outcome) return null;
        const book = await readAuctionBook(client, seriesCode, deliveryStart, STORED_BOOK);
        const journal = await client.query<{
          id: string;
          entry_count: number;
          debit_minor: string;
          prev_hash: string;
          hash: string;
          hash_version: number;
        }>(AUCTION_JOURNAL, [seriesCode, deliveryStart]);
        const j = journal.rows[0];
        const entries = j
          ? (
              await client.query<{
                line: number;
                account_id: string;
                kind: EntryKind;
                fill_seq: number | null;
                energy_wh: string;
                amount_minor: string;
              }>(JOURNAL_ENTRIES, [j.id])
            ).rows.map((row) => ({
              line: row.line,
              accountId: row.account_id,
              kind: row.kind,
              fillSeq: row.fill_seq,
              energyWh: BigInt(row.energy_wh),
              amountMinor: BigInt(row.amount_minor),
            }))
          : [];
        const accounts = await ledgerAccounts(client, [
          ...new Set(book.map((o) => o.participantId)),
        ]);
        return {
          auction: toTermsRow(found.rows[0]),
          book,
          outcome,
          journal: j
            ? {
                id: j.id,
                entryCount: j.entry_count,
                debitMinor: j.debit_minor,
                prevHash: j.prev_hash,
                hash: j.hash,
                hashVersion: j.hash_version,
              }
            : null,
          entries,
          accounts,
        };
      },
    );
  }
}

async function readOutcome(
  client: PoolClient,
  seriesCode: string,
  deliveryStart: Date,
  participantId: string | null,
): Promise<StoredAuctionOutcome['result']> {
  const key = [seriesCode, deliveryStart];
  const header = await client.query<{
    status: 'CLEARED' | 'NO_TRADE';
    solver: string;
    welfare: string;
    rounding_minor: string;
    accepted_blocks: string[];
    removed_blocks: string[];
    paradoxically_rejected: string[];
    fallback: boolean;
    input_hash: string;
    result_hash: string;
    cleared_at: Date;
  }>(RESULT_HEADER, key);
  if (!header.rows.length) return null;
  const h = header.rows[0];
  const prices = await client.query<{
    carrier: string;
    interval: number;
    price_ticks: string | null;
    price: string | null;
    low: string;
    high: string;
    exact: string;
    volume_wh: string;
    import_wh: string;
    export_wh: string;
  }>(RESULT_PRICES, key);
  const awards = await client.query<{
    line: number;
    party: AuctionAwardRow['party'];
    order_id: string | null;
    participant_id: string | null;
    carrier: string;
    interval: number;
    side: 'BUY' | 'SELL';
    quantity_wh: string;
    price_ticks: string;
    amount_minor: string;
  }>(RESULT_AWARDS, [...key, participantId]);
  const orders = await client.query<{
    order_id: string;
    kind: AuctionOrderKind;
    filled_wh: string | null;
    fraction: string | null;
    block_outcome: AuctionOrderResultRow['blockOutcome'];
    input_wh: string[] | null;
    charge_wh: string[] | null;
    discharge_wh: string[] | null;
    state_wh: string[] | null;
    shortfall_wh: string | null;
    storage_values: string[] | null;
    client_order_id: string;
    participant_id: string;
  }>(RESULT_ORDERS, [...key, participantId]);
  return {
    status: h.status,
    welfare: h.welfare,
    inputHash: h.input_hash,
    resultHash: h.result_hash,
    clearedAt: h.cleared_at,
    header: {
      solver: h.solver,
      roundingMinor: h.rounding_minor,
      acceptedBlocks: h.accepted_blocks,
      removedBlocks: h.removed_blocks,
      paradoxicallyRejected: h.paradoxically_rejected,
      fallback: h.fallback,
    },
    prices: prices.rows.map((p) => ({
      carrier: p.carrier,
      interval: p.interval,
      priceTicks: p.price_ticks,
      price: p.price,
      low: p.low,
      high: p.high,
      exact: p.exact,
      volumeWh: p.volume_wh,
      importWh: p.import_wh,
      exportWh: p.export_wh,
    })),
    awards: awards.rows.map((a) => ({
      line: a.line,
      party: a.party,
      orderId: a.order_id,
      participantId: a.participant_id,
      carrier: a.carrier,
      interval: a.interval,
      side: a.side,
      quantityWh: a.quantity_wh,
      priceTicks: a.price_ticks,
      amountMinor: a.amount_minor,
    })),
    orders: orders.rows.map((o) => ({
      orderId: o.order_id,
      kind: o.kind,
      filledWh: o.filled_wh,
      fraction: o.fraction,
      blockOutcome: o.block_outcome,
      inputWh: o.input_wh,
      chargeWh: o.charge_wh,
      dischargeWh: o.discharge_wh,
      stateWh: o.state_wh,
      storageValues: o.storage_values,
      shortfallWh: o.shortfall_wh,
      clientOrderId: o.client_order_id,
      participantId: o.participant_id,
    })),
  };
}

/** An auction's book (OPEN orders, or every order not cancelled once it is cleared), by id. */
export async function readAuctionBook(
  client: PoolClient,
  seriesCode: string,
  deliveryStart: Date,
  sql: string = OPEN_BOOK,
): Promise<AuctionBookRow[]> {
  const { rows } = await client.query<{
    id: string;
    participant_id: string;
    client_order_id: string;
    terms: StoredOrderTerms;
  }>(sql, [seriesCode, deliveryStart]);
  return rows.map((row) => ({
    id: row.id,
    participantId: row.participant_id,
    clientOrderId: row.client_order_id,
    terms: row.terms,
  }));
}

export function toTermsRow(row: AuctionRow): AuctionTermsRow {
  return {
    seriesCode: row.series_code,
    deliveryStart: row.delivery_start,
    gateClosureAt: row.gate_closure_at,
    intervalSeconds: row.interval_seconds,
    intervals: row.intervals,
    priceTick: row.price_tick,
    minPrice: row.min_price,
    maxPrice: row.max_price,
    k: row.k,
    carriers: row.carriers,
    state: row.state,
  };
}

function toSeries(row: SeriesSqlRow): AuctionSeriesRow {
  return {
    code: row.code,
    name: row.name,
    intervalSeconds: row.interval_seconds,
    intervals: row.intervals,
    gateClosureSeconds: row.gate_closure_seconds,
    priceTick: row.price_tick,
    minPrice: row.min_price,
    maxPrice: row.max_price,
    k: row.k,
    carriers: row.carriers,
  };
}

function toOrder(row: OrderSqlRow): AuctionOrderRow {
  return {
    id: row.id,
    participantId: row.participant_id,
    clientOrderId: row.client_order_id,
    seriesCode: row.series_code,
    deliveryStart: row.delivery_start,
    kind: row.kind,
    terms: row.terms,
    assetId: row.asset_id,
    status: row.status,
    createdAt: row.created_at,
  };
}

/**
 * Cancels, in the caller's transaction, the participant's OPEN auction orders in auctions whose
 * gate is still open (those locked first, in key order). Returns how many. Used by a suspension.
 */
export async function cancelOpenAuctionOrders(
  query: <T>(text: string, values: unknown[]) => Promise<T[]>,
  participantId: string,
): Promise<number> {
  const open = await query<{ series_code: string; delivery_start: Date }>(
    LOCK_OPEN_AUCTIONS_WITH_ORDERS_OF,
    [participantId],
  );
  if (!open.length) return 0;
  const [cancelled] = await query<{ n: number }>(CANCEL_OPEN_AUCTION_ORDERS_IN, [
    participantId,
    open.map((r) => r.series_code),
    open.map((r) => r.delivery_start.toISOString()),
  ]);
  return cancelled.n;
}

/**
 * The storage safety linkage on the integrated auction, in the caller's transaction (the
 * asset's state row already locked): at ALARM (`permille` null) every OPEN order of the asset
 * in auctions whose gate is open is cancelled; at WARNING those whose limits go beyond the
 * derated power (`deviceBeyondRatings`). The auctions are share-locked first, in key order, as a
 * cancellation does. Returns the cancelled orders' ids.
 */
export async function cancelAuctionOrdersOfAsset(
  client: PoolClient,
  asset: AssetRatings & { id: string },
  permille: number | null,
): Promise<string[]> {
  const open = await client.query<{ series_code: string; delivery_start: Date }>(
    LOCK_OPEN_AUCTIONS_WITH_ORDERS_OF_ASSET,
    [asset.id],
  );
  if (!open.rows.length) return [];
  const orders = await client.query<{
    id: string;
    interval_seconds: number;
    terms: StoredOrderTerms;
  }>(OPEN_AUCTION_ORDERS_OF_ASSET_IN, [
    asset.id,
    open.rows.map((r) => r.series_code),
    open.rows.map((r) => r.delivery_start.toISOString()),
  ]);
  const beyond = orders.rows.filter((order) => {
    if (permille === null) return true;
    const limits = deviceLimitsOf(order.terms);
    return (
      limits !== null &&
      deviceBeyondRatings(limits, asset, order.interval_seconds, permille) !== null
    );
  });
  if (!beyond.length) return [];
  const cancelled = await client.query<{ id: string }>(CANCEL_AUCTION_ORDERS_BY_ID, [
    beyond.map((order) => order.id),
  ]);
  return cancelled.rows.map((row) => row.id);
}

/** A stored STORAGE or CONVERSION order's limits, Wh; null for steps and blocks. */
export function deviceLimitsOf(terms: StoredOrderTerms): DeviceLimits | null {
  if (terms.kind === 'STORAGE') {
    return {
      kind: 'STORAGE',
      capacityWh: BigInt(terms.capacityWh),
      maxChargeWh: BigInt(terms.maxChargeWh),
      maxDischargeWh: BigInt(terms.maxDischargeWh),
    };
  }
  if (terms.kind === 'CONVERSION') {
    const max = terms.maxInputWh;
    return {
      kind: 'CONVERSION',
      maxInputWh: typeof max === 'string' ? BigInt(max) : max.map(BigInt),
    };
  }
  return null;
}
