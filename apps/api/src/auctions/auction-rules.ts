import {
  MAX_AUCTION_INTERVALS,
  MAX_CONVERSION_OUTPUTS,
  MAX_NAME_LENGTH,
  validateAuction,
  type AuctionRejectionCode,
} from '@parkex/auction';
import {
  engineOrder,
  engineTerms,
  ratioText,
  type AuctionOrderRow,
  type AuctionSeriesRow,
  type AuctionTermsRow,
  type StoredCarrier,
  type StoredOrderTerms,
} from '@parkex/db';
import {
  canonicalDecimal,
  parseDecimal,
  parseFeePerKwh,
  parseK,
  parsePrice,
  parseScaled,
  ratio,
  validatePriceGrid,
  type PriceGrid,
} from '@parkex/market';
import { toAppError, type OrderProblem } from '@parkex/api/orders/order-rules';
import { badInput, type ErrorCode } from '../common/app-error';
import { MAX_ORDERS_PER_CALL } from '../graphql/list-bounds';
import type { AuctionOrderInput } from './dto/auction-order.input';
import type { AuctionSeriesInput } from './dto/auction-series.input';

/**
 * The rules of the integrated auction's inputs, as pure functions: a series' settings, and a
 * batch of orders parsed into the engine's units and checked by the engine's own validation
 * (`validateAuction`), every problem naming its order and field (`orders[3].block.quantities`).
 */

export const MAX_CLIENT_ORDER_ID_LENGTH = 100;
/**
 * Most Wh per order and interval: 10^10 Wh (10 GWh). With at most 100,000 orders per auction
 * (the database's bound), no carrier-interval side can pass the engine's 10^15 Wh.
 */
export const MAX_AUCTION_ORDER_WH = 10_000_000_000n;
/** A problem of a batch: the order rules' shape (`orders[i].field`, code, reason, message). */
export type AuctionProblem = OrderProblem;

/** The one error a refused batch gets, as for `submitOrders`. */
export const problemsError = toAppError;

// ---------------------------------------------------------------------------------------------
// Series

/** The operator's series settings, checked and in stored form; BAD_USER_INPUT names the field. */
export function checkSeries(input: AuctionSeriesInput): AuctionSeriesRow {
  const fail = (field: string, reason: string, message: string): never => {
    throw badInput(message, { field: `input.${field}`, reason });
  };
  if (!/^[A-Z][A-Z0-9_]{0,31}$/.test(input.code)) {
    fail('code', 'INVALID_CODE', 'code must be 1 to 32 of A-Z, 0-9 and _, starting with a letter');
  }
  if (input.name.trim().length < 1 || input.name.length > 100) {
    fail('name', 'INVALID_NAME', 'name must be 1 to 100 characters');
  }
  if (input.carriers.length < 1 || new Set(input.carriers).size !== input.carriers.length) {
    fail('carriers', 'INVALID_CARRIERS', 'carriers must name at least one carrier, each once');
  }
  if (
    !Number.isInteger(input.intervalSeconds) ||
    input.intervalSeconds < 1 ||
    input.intervalSeconds > 86_400
  ) {
    fail('intervalSeconds', 'OUT_OF_RANGE', 'intervalSeconds must be 1 to 86400');
  }
  if (
    !Number.isInteger(input.intervals) ||
    input.intervals < 1 ||
    input.intervals > MAX_AUCTION_INTERVALS
  ) {
    fail('intervals', 'OUT_OF_RANGE', `intervals must be 1 to ${MAX_AUCTION_INTERVALS}`);
  }
  if (
    !Number.isInteger(input.gateClosureSeconds) ||
    input.gateClosureSeconds < 0 ||
    input.gateClosureSeconds > 2_678_400
  ) {
    fail('gateClosureSeconds', 'OUT_OF_RANGE', 'gateClosureSeconds must be 0 to 2678400 (31 days)');
  }
  const grid = validatePriceGrid({
    priceTick: input.priceTick,
    minPrice: input.minPrice,
    maxPrice: input.maxPrice,
  });
  if (!grid.ok) fail('priceTick', grid.rejection.code, grid.rejection.message);
  const priceGrid = grid.ok ? grid.value : (undefined as never);
  if (priceGrid.minPrice === priceGrid.maxPrice) {
    fail('maxPrice', 'PRICE_OUT_OF_RANGE', 'maxPrice must be above minPrice');
  }
  const k = parseK(input.k);
  if (!k.ok) fail('k', k.rejection.code, k.rejection.message);
  const carriers: StoredCarrier[] = input.carriers.map((carrier) => ({
    carrier,
    fee: '0',
    grid: null,
  }));
  const byCode = new Map(carriers.map((c) => [c.carrier, c]));
  input.networkFees.forEach((entry, i) => {
    const carrier = byCode.get(entry.carrier);
    if (!carrier)
      fail(
        `networkFees[${i}].carrier`,
        'UNKNOWN_CARRIER',
        `${entry.carrier} is not a carrier of the series`,
      );
    const fee = parseFeePerKwh(entry.fee);
    if (!fee.ok) fail(`networkFees[${i}].fee`, fee.rejection.code, fee.rejection.message);
    carrier!.fee = fee.ok ? fee.value : '0';
  });
  input.grid.forEach((entry, i) => {
    const carrier = byCode.get(entry.carrier);
    if (!carrier)
      fail(
        `grid[${i}].carrier`,
        'UNKNOWN_CARRIER',
        `${entry.carrier} is not a carrier of the series`,
      );
    const limit = (text: string | null | undefined, field: string) => {
      if (text === null || text === undefined) return '0';
      const wh = parseScaled(text, 3);
      if (!wh.ok || wh.value < 0n || wh.value > MAX_AUCTION_ORDER_WH * 100_000n) {
        fail(
          `grid[${i}].${field}`,
          'QUANTITY_OUT_OF_RANGE',
          `${field} must be a quantity of kWh (at most 3 decimals) from 0 to 10^12 kWh`,
        );
      }
      return String(wh.ok ? wh.value : 0n);
    };
    const price = (text: string | null | undefined, field: string, needed: boolean) => {
      if (text === null || text === undefined) {
        if (needed)
          fail(
            `grid[${i}].${field}`,
            'PRICE_REQUIRED',
            `${field} is required with a limit above 0`,
          );
        return null;
      }
      const ticks = parsePrice(text, priceGrid);
      if (!ticks.ok) fail(`grid[${i}].${field}`, ticks.rejection.code, ticks.rejection.message);
      return canonicalDecimal(text);
    };
    const importLimitWh = limit(entry.importLimit, 'importLimit');
    const exportLimitWh = limit(entry.exportLimit, 'exportLimit');
    carrier!.grid = {
      importLimitWh,
      importPrice: price(entry.importPrice, 'importPrice', importLimitWh !== '0'),
      exportLimitWh,
      exportPrice: price(entry.exportPrice, 'exportPrice', exportLimitWh !== '0'),
    };
  });
  const series: AuctionSeriesRow = {
    code: input.code,
    name: input.name,
    intervalSeconds: input.intervalSeconds,
    intervals: input.intervals,
    gateClosureSeconds: input.gateClosureSeconds,
    priceTick: priceGrid.priceTick,
    minPrice: priceGrid.minPrice,
    maxPrice: priceGrid.maxPrice,
    k: canonicalDecimal(input.k),
    carriers,
  };
  // the engine's own check of the terms (export price above import price, …)
  const check = validateAuction({
    terms: engineTerms({
      ...series,
      seriesCode: series.code,
      deliveryStart: new Date(0),
      gateClosureAt: new Date(0),
      state: 'OPEN',
    }),
    orders: [],
  });
  if (!check.ok) fail('grid', check.rejections[0].code, check.rejections[0].message);
  return series;
}

// ---------------------------------------------------------------------------------------------
// Orders

/** An order parsed into stored terms, with where it came from. */
export interface ParsedAuctionOrder {
  index: number;
  clientOrderId: string;
  seriesCode: string;
  deliveryStart: Date;
  terms: StoredOrderTerms;
  /** The asset a STORAGE or CONVERSION order comes from (checked by `auction-assets.ts`). */
  assetId: string | null;
}

type Problems = AuctionProblem[];

export function orderProblem(
  index: number,
  input: AuctionOrderInput,
  field: string,
  reason: string,
  message: string,
  code: ErrorCode = 'BAD_USER_INPUT',
): AuctionProblem {
  return {
    index,
    clientOrderId: input.clientOrderId,
    field: field === '' ? `orders[${index}]` : `orders[${index}].${field}`,
    code,
    reason,
    message: `order ${index} (clientOrderId ${JSON.stringify(input.clientOrderId)}): ${message}`,
  };
}

/** What needs nothing but the batch: its size, clientOrderIds, exactly one kind per order. */
export function checkAuctionBatch(inputs: readonly AuctionOrderInput[]): Problems {
  if (inputs.length === 0 || inputs.length > MAX_ORDERS_PER_CALL) {
    return [
      {
        index: -1,
        field: 'orders',
        code: 'BAD_USER_INPUT',
        reason: 'BATCH_SIZE',
        message: `submitAuctionOrders takes 1 to ${MAX_ORDERS_PER_CALL} orders per call, got ${inputs.length}`,
      },
    ];
  }
  const problems: Problems = [];
  const first = new Map<string, number>();
  inputs.forEach((input, index) => {
    const cid = input.clientOrderId;
    if (cid.length < 1 || cid.length > MAX_CLIENT_ORDER_ID_LENGTH || cid.trim() === '') {
      problems.push(
        orderProblem(
          index,
          input,
          'clientOrderId',
          'INVALID_CLIENT_ORDER_ID',
          `clientOrderId must be 1 to ${MAX_CLIENT_ORDER_ID_LENGTH} characters and not blank`,
        ),
      );
    } else if (first.has(cid)) {
      problems.push(
        orderProblem(
          index,
          input,
          'clientOrderId',
          'DUPLICATE_CLIENT_ORDER_ID',
          `clientOrderId is also used by order ${first.get(cid)} of this batch`,
        ),
      );
    } else first.set(cid, index);
    const kinds = [input.step, input.block, input.conversion, input.storage].filter(
      (k) => k != null,
    );
    if (kinds.length !== 1) {
      problems.push(
        orderProblem(
          index,
          input,
          '',
          'ONE_KIND',
          'give exactly one of step, block, conversion, storage',
        ),
      );
    }
  });
  return problems;
}

/**
 * Parses each order into the engine's units against its auction's frozen terms (`auctions`, by
 * `auctionKey`). Orders whose auction is missing get the problem `missing(input)` names.
 */
export function parseAuctionOrders(
  inputs: readonly AuctionOrderInput[],
  auctions: ReadonlyMap<string, AuctionTermsRow>,
  missing: (input: AuctionOrderInput) => { reason: string; message: string; code: ErrorCode },
): { orders: ParsedAuctionOrder[]; problems: Problems } {
  const orders: ParsedAuctionOrder[] = [];
  const problems: Problems = [];
  inputs.forEach((input, index) => {
    const auction = auctions.get(auctionKey(input.series, input.deliveryStart));
    if (!auction) {
      const why = missing(input);
      problems.push(orderProblem(index, input, 'deliveryStart', why.reason, why.message, why.code));
      return;
    }
    const parsed = parseTerms(input, auction);
    if ('problem' in parsed) {
      problems.push(
        orderProblem(
          index,
          input,
          parsed.problem.field,
          parsed.problem.reason,
          parsed.problem.message,
        ),
      );
      return;
    }
    orders.push({
      index,
      clientOrderId: input.clientOrderId,
      seriesCode: auction.seriesCode,
      deliveryStart: auction.deliveryStart,
      terms: parsed.terms,
      assetId: input.assetId ?? null,
    });
  });
  return { orders, problems };
}

interface FieldProblem {
  field: string;
  reason: string;
  message: string;
}

class Refusal extends Error {
  constructor(readonly problem: FieldProblem) {
    super(problem.message);
  }
}

function refuse(field: string, reason: string, message: string): never {
  throw new Refusal({ field, reason, message });
}

function wh(text: string, field: string, positive = false): string {
  const parsed = parseScaled(text, 3, { what: field, unit: 'kWh' });
  if (!parsed.ok) refuse(field, parsed.rejection.code, parsed.rejection.message);
  const value = parsed.ok ? parsed.value : 0n;
  if (value < 0n || (positive && value === 0n)) {
    refuse(
      field,
      'QUANTITY_OUT_OF_RANGE',
      `${field} must be ${positive ? 'more than' : 'at least'} 0 kWh, got ${text}`,
    );
  }
  if (value > MAX_AUCTION_ORDER_WH) {
    refuse(
      field,
      'QUANTITY_OUT_OF_RANGE',
      `${field} ${text} kWh is above the most per order and interval, 10000000 kWh`,
    );
  }
  return String(value);
}

function ticks(text: string, grid: PriceGrid, field: string): string {
  const parsed = parsePrice(text, grid);
  if (!parsed.ok) refuse(field, parsed.rejection.code, parsed.rejection.message);
  return String(parsed.ok ? parsed.value : 0n);
}

function exactRatio(text: string, field: string): string {
  const parsed = parseDecimal(text, { what: field, maxScale: 6 });
  if (!parsed.ok) refuse(field, parsed.rejection.code, parsed.rejection.message);
  const { coefficient, scale } = parsed.ok ? parsed.value : { coefficient: 0n, scale: 0 };
  if (coefficient <= 0n)
    refuse(field, 'RATIO_OUT_OF_RANGE', `${field} must be more than 0, got ${text}`);
  return ratioText(ratio(coefficient, 10n ** BigInt(scale)));
}

function interval(value: number, auction: AuctionTermsRow, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= auction.intervals) {
    refuse(
      field,
      'INTERVAL_OUT_OF_RANGE',
      `${field} must be 0 to ${auction.intervals - 1}, got ${value}`,
    );
  }
  return value;
}

function name(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (value.length < 1 || value.length > MAX_NAME_LENGTH) {
    refuse(field, 'NAME_INVALID', `${field} must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  return value;
}

function parseTerms(
  input: AuctionOrderInput,
  auction: AuctionTermsRow,
): { terms: StoredOrderTerms } | { problem: FieldProblem } {
  const grid: PriceGrid = {
    priceTick: auction.priceTick,
    minPrice: auction.minPrice,
    maxPrice: auction.maxPrice,
  };
  try {
    if (input.step) {
      const s = input.step;
      return {
        terms: {
          kind: 'STEP',
          carrier: s.carrier,
          interval: interval(s.interval, auction, 'step.interval'),
          side: s.side,
          priceTicks: ticks(s.price, grid, 'step.price'),
          quantityWh: wh(s.quantity, 'step.quantity', true),
        },
      };
    }
    if (input.block) {
      const b = input.block;
      if (b.quantities.length < 1 || b.quantities.length > auction.intervals) {
        refuse(
          'block.quantities',
          'PROFILE_OUT_OF_RANGE',
          `block.quantities must have 1 to ${auction.intervals} values`,
        );
      }
      return {
        terms: {
          kind: 'BLOCK',
          carrier: b.carrier,
          side: b.side,
          priceTicks: ticks(b.price, grid, 'block.price'),
          firstInterval: interval(b.firstInterval, auction, 'block.firstInterval'),
          profileWh: b.quantities.map((q, i) => wh(q, `block.quantities[${i}]`)),
          minAcceptance: exactRatio(b.minAcceptanceRatio ?? '1', 'block.minAcceptanceRatio'),
          parentClientOrderId: name(b.parentClientOrderId, 'block.parentClientOrderId'),
          exclusiveGroup: name(b.exclusiveGroup, 'block.exclusiveGroup'),
        },
      };
    }
    if (input.conversion) {
      const c = input.conversion;
      if (c.outputs.length < 1 || c.outputs.length > MAX_CONVERSION_OUTPUTS) {
        refuse(
          'conversion.outputs',
          'CONVERSION_INVALID',
          `conversion.outputs must have 1 to ${MAX_CONVERSION_OUTPUTS} outputs`,
        );
      }
      if (c.maxInput.length !== 1 && c.maxInput.length !== auction.intervals) {
        refuse(
          'conversion.maxInput',
          'QUANTITY_OUT_OF_RANGE',
          `conversion.maxInput must have one value or one per interval (${auction.intervals})`,
        );
      }
      const maxInput = c.maxInput.map((q, i) => wh(q, `conversion.maxInput[${i}]`));
      return {
        terms: {
          kind: 'CONVERSION',
          input: c.input ?? null,
          outputs: c.outputs.map((o, i) => ({
            carrier: o.carrier,
            ratio: exactRatio(o.ratio, `conversion.outputs[${i}].ratio`),
          })),
          maxInputWh: maxInput.length === 1 ? maxInput[0] : maxInput,
          costTicks: ticks(c.cost, grid, 'conversion.cost'),
        },
      };
    }
    const s = input.storage!;
    return {
      terms: {
        kind: 'STORAGE',
        carrier: s.carrier,
        capacityWh: wh(s.capacity, 'storage.capacity', true),
        initialWh: wh(s.initial, 'storage.initial'),
        minFinalWh: wh(s.finalMin, 'storage.finalMin'),
        maxChargeWh: wh(s.maxCharge, 'storage.maxCharge'),
        maxDischargeWh: wh(s.maxDischarge, 'storage.maxDischarge'),
        chargeEfficiency: exactRatio(s.chargeEfficiency, 'storage.chargeEfficiency'),
        dischargeEfficiency: exactRatio(s.dischargeEfficiency, 'storage.dischargeEfficiency'),
        dischargeCostTicks: ticks(s.dischargeCost ?? '0', grid, 'storage.dischargeCost'),
      },
    };
  } catch (error) {
    if (error instanceof Refusal) return { problem: error.problem };
    throw error;
  }
}

/** The field of an order that an engine rejection points at, by order kind. */
const REJECTION_FIELDS: Record<
  StoredOrderTerms['kind'],
  Partial<Record<AuctionRejectionCode, string>>
> = {
  STEP: {
    UNKNOWN_CARRIER: 'step.carrier',
    INTERVAL_OUT_OF_RANGE: 'step.interval',
    PRICE_OUT_OF_RANGE: 'step.price',
    QUANTITY_OUT_OF_RANGE: 'step.quantity',
    BOOK_LIMIT: 'step.quantity',
  },
  BLOCK: {
    UNKNOWN_CARRIER: 'block.carrier',
    INTERVAL_OUT_OF_RANGE: 'block.firstInterval',
    PROFILE_OUT_OF_RANGE: 'block.quantities',
    PRICE_OUT_OF_RANGE: 'block.price',
    QUANTITY_OUT_OF_RANGE: 'block.quantities',
    RATIO_OUT_OF_RANGE: 'block.minAcceptanceRatio',
    NAME_INVALID: 'block.exclusiveGroup',
    PARENT_INVALID: 'block.parentClientOrderId',
    PARENT_CYCLE: 'block.parentClientOrderId',
    BOOK_LIMIT: 'block.quantities',
  },
  CONVERSION: {
    UNKNOWN_CARRIER: 'conversion.outputs',
    CONVERSION_INVALID: 'conversion.outputs',
    RATIO_OUT_OF_RANGE: 'conversion.outputs',
    QUANTITY_OUT_OF_RANGE: 'conversion.maxInput',
    PRICE_OUT_OF_RANGE: 'conversion.cost',
  },
  STORAGE: {
    UNKNOWN_CARRIER: 'storage.carrier',
    QUANTITY_OUT_OF_RANGE: 'storage.capacity',
    STATE_OUT_OF_RANGE: 'storage.initial',
    STORAGE_INFEASIBLE: 'storage.finalMin',
    EFFICIENCY_OUT_OF_RANGE: 'storage.chargeEfficiency',
    RATIO_OUT_OF_RANGE: 'storage.chargeEfficiency',
    PRICE_OUT_OF_RANGE: 'storage.dischargeCost',
  },
};

/**
 * The engine's validation of the batch's orders of one auction, with the participant's existing
 * OPEN blocks that the batch names as parents: each rejection becomes a problem of its order's
 * field. Parents must be blocks of the same participant and auction (in the batch or before).
 */
export function validateWithEngine(
  auction: AuctionTermsRow,
  participantId: string,
  orders: readonly ParsedAuctionOrder[],
  inputs: readonly AuctionOrderInput[],
  existingParents: readonly AuctionOrderRow[],
): Problems {
  const batchId = (cid: string) => `batch ${cid}`;
  const idOf = new Map<string, string>();
  for (const o of orders) idOf.set(o.clientOrderId, batchId(o.clientOrderId));
  const parents = existingParents.filter(
    (p) =>
      p.kind === 'BLOCK' &&
      p.status === 'OPEN' &&
      p.seriesCode === auction.seriesCode &&
      p.deliveryStart.getTime() === auction.deliveryStart.getTime() &&
      !idOf.has(p.clientOrderId),
  );
  for (const p of parents) idOf.set(p.clientOrderId, `order ${p.id}`);
  const parentOf = (terms: StoredOrderTerms) =>
    terms.kind === 'BLOCK' && terms.parentClientOrderId !== null
      ? (idOf.get(terms.parentClientOrderId) ?? `unknown ${terms.parentClientOrderId}`)
      : null;
  let seq = 0;
  const engineOrders = [
    ...orders.map((o) => ({
      ...engineOrder(String(++seq), participantId, o.terms, parentOf(o.terms)),
      id: batchId(o.clientOrderId),
    })),
    ...parents.map((p) => ({
      ...engineOrder(String(++seq), participantId, p.terms, parentOf(p.terms)),
      id: `order ${p.id}`,
    })),
  ];
  const check = validateAuction({ terms: engineTerms(auction), orders: engineOrders });
  if (check.ok) return [];
  const problems: Problems = [];
  for (const rejection of check.rejections) {
    if (rejection.index === undefined || rejection.index >= orders.length) continue;
    const order = orders[rejection.index];
    const field =
      REJECTION_FIELDS[order.terms.kind][rejection.code] ?? order.terms.kind.toLowerCase();
    problems.push(
      orderProblem(order.index, inputs[order.index], field, rejection.code, rejection.message),
    );
  }
  return problems;
}

/** Stored terms equal (a clientOrderId used again with the same order is that order). */
export function sameOrder(a: ParsedAuctionOrder, stored: AuctionOrderRow): boolean {
  return (
    a.seriesCode === stored.seriesCode &&
    a.deliveryStart.getTime() === stored.deliveryStart.getTime() &&
    a.assetId === stored.assetId &&
    canonicalJson(a.terms) === canonicalJson(stored.terms)
  );
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)),
        )
      : v,
  );
}

export function auctionKey(seriesCode: string, deliveryStart: Date): string {
  return `${seriesCode}@${deliveryStart.getTime()}`;
}
