import {
  BOOK_SIDE_LIMIT_WH,
  compilePriceGrid,
  MAX_QUANTITY_WH,
  validatePriceGrid,
  type Ratio,
} from '@parkex/market';
import {
  MAX_AUCTION_INTERVALS,
  MAX_AUCTION_ORDERS,
  MAX_BLOCK_DEPTH,
  MAX_BLOCK_ORDERS,
  MAX_CARRIERS,
  MAX_CONVERSION_OUTPUTS,
  MAX_DEVICE_ORDERS,
  MAX_NAME_LENGTH,
  MAX_OUTPUT_RATIO,
  MAX_RATIO_TERM,
} from './limits';
import type {
  Auction,
  AuctionOrder,
  AuctionTerms,
  BlockOrder,
  ConversionOrder,
  StorageOrder,
} from './model';

export const AUCTION_REJECTION_CODES = [
  /** intervals, carriers, grid, k or a grid connection out of bounds */
  'INVALID_TERMS',
  'TOO_MANY_ORDERS',
  'NAME_INVALID',
  'DUPLICATE_ID',
  'DUPLICATE_SEQ',
  'UNKNOWN_CARRIER',
  'INTERVAL_OUT_OF_RANGE',
  /** a block's profile is empty, all zero, or reaches past the auction's last interval */
  'PROFILE_OUT_OF_RANGE',
  'PRICE_OUT_OF_RANGE',
  'QUANTITY_OUT_OF_RANGE',
  /** a minimum acceptance or output ratio ≤ 0, above its bound, or with terms too large */
  'RATIO_OUT_OF_RANGE',
  'EFFICIENCY_OUT_OF_RANGE',
  /** initial or final state of charge below 0 or above the capacity */
  'STATE_OUT_OF_RANGE',
  /** the minimum final state of charge cannot be reached even charging fully every interval */
  'STORAGE_INFEASIBLE',
  /** no output, an output twice, or an output that is the input */
  'CONVERSION_INVALID',
  /** a parent that is unknown, not a block, another participant's, or too deep */
  'PARENT_INVALID',
  'PARENT_CYCLE',
  /** a carrier-interval's total of one side above BOOK_SIDE_LIMIT_WH */
  'BOOK_LIMIT',
] as const;

export type AuctionRejectionCode = (typeof AUCTION_REJECTION_CODES)[number];

export interface AuctionRejection {
  readonly code: AuctionRejectionCode;
  readonly message: string;
  /** The order's index in `Auction.orders`; absent for the terms. */
  readonly index?: number;
}

export type AuctionCheck =
  { readonly ok: true } | { readonly ok: false; readonly rejections: AuctionRejection[] };

/** At most this many rejections are reported; the first is the earliest in order. */
export const MAX_REPORTED_REJECTIONS = 100;

/**
 * Checks an auction before it is solved: every bound of `limits.ts`, every order against the
 * terms, the block families (parents and cycles) and the books' totals. Returns all rejections
 * (at most `MAX_REPORTED_REJECTIONS`), terms first, then in order index.
 */
export function validateAuction(auction: Auction): AuctionCheck {
  const rejections: AuctionRejection[] = [];
  const add = (code: AuctionRejectionCode, message: string, index?: number) => {
    if (rejections.length < MAX_REPORTED_REJECTIONS) {
      rejections.push(index === undefined ? { code, message } : { code, message, index });
    }
  };
  const terms = checkTerms(auction.terms, add);
  if (!terms) return { ok: false, rejections };
  checkCounts(auction.orders, add);
  if (rejections.length > 0) return { ok: false, rejections };

  const ids = new Map<string, number>();
  const seqs = new Set<bigint>();
  auction.orders.forEach((order, index) => {
    if (!isName(order.id) || !isName(order.participant)) {
      add(
        'NAME_INVALID',
        `order id and participant must be 1 to ${MAX_NAME_LENGTH} characters`,
        index,
      );
    } else if (ids.has(order.id)) {
      add('DUPLICATE_ID', `order id ${order.id} is used twice`, index);
    } else ids.set(order.id, index);
    if (seqs.has(order.seq))
      add('DUPLICATE_SEQ', `order ${order.id}: seq ${order.seq} is used twice`, index);
    seqs.add(order.seq);
    checkOrder(order, index, terms, add);
  });
  checkBlockFamilies(auction.orders, ids, add);
  checkBookTotals(auction.orders, terms, add);
  return rejections.length === 0 ? { ok: true } : { ok: false, rejections };
}

/** The most input of a conversion in interval `t`. */
export function maxInputAt(order: ConversionOrder, t: number): bigint {
  return typeof order.maxInputWh === 'bigint' ? order.maxInputWh : order.maxInputWh[t];
}

type Add = (code: AuctionRejectionCode, message: string, index?: number) => void;

interface CheckedTerms {
  readonly intervals: number;
  readonly carriers: ReadonlySet<string>;
  readonly minTicks: bigint;
  readonly maxTicks: bigint;
}

function checkTerms(terms: AuctionTerms, add: Add): CheckedTerms | null {
  const bad = (message: string) => {
    add('INVALID_TERMS', message);
    return null;
  };
  if (
    !Number.isSafeInteger(terms.intervals) ||
    terms.intervals < 1 ||
    terms.intervals > MAX_AUCTION_INTERVALS
  ) {
    return bad(
      `intervals must be a whole number from 1 to ${MAX_AUCTION_INTERVALS}, got ${terms.intervals}`,
    );
  }
  if (terms.carriers.length < 1 || terms.carriers.length > MAX_CARRIERS) {
    return bad(`an auction has 1 to ${MAX_CARRIERS} carriers, got ${terms.carriers.length}`);
  }
  const grid = validatePriceGrid(terms.grid);
  if (!grid.ok) return bad(grid.rejection.message);
  const { minTicks, maxTicks } = compilePriceGrid(terms.grid);
  if (!isRatioIn(terms.k, 0n, 1n)) return bad(`k must be a fraction from 0 to 1`);
  const carriers = new Set<string>();
  for (const carrier of terms.carriers) {
    if (!isName(carrier.code))
      return bad(`a carrier code must be 1 to ${MAX_NAME_LENGTH} characters`);
    if (carriers.has(carrier.code)) return bad(`carrier ${carrier.code} is listed twice`);
    carriers.add(carrier.code);
    const connection = carrier.connection;
    if (connection === null) continue;
    for (const [name, limit] of [
      ['import', connection.importLimitWh],
      ['export', connection.exportLimitWh],
    ] as const) {
      if (!isQuantity(limit, 0n)) {
        return bad(
          `${carrier.code}: the ${name} limit must be 0 to ${MAX_QUANTITY_WH} Wh, got ${limit}`,
        );
      }
    }
    for (const [name, price] of [
      ['import', connection.importPriceTicks],
      ['export', connection.exportPriceTicks],
    ] as const) {
      if (!isPrice(price, minTicks, maxTicks)) {
        return bad(
          `${carrier.code}: the ${name} price ${price} is outside [${minTicks}, ${maxTicks}] ticks`,
        );
      }
    }
    if (connection.exportPriceTicks > connection.importPriceTicks) {
      // buying from the grid to sell back to it would be money for nothing
      return bad(`${carrier.code}: the export price is above the import price`);
    }
  }
  return { intervals: terms.intervals, carriers, minTicks, maxTicks };
}

function checkCounts(orders: readonly AuctionOrder[], add: Add): void {
  if (orders.length > MAX_AUCTION_ORDERS) {
    add(
      'TOO_MANY_ORDERS',
      `an auction takes at most ${MAX_AUCTION_ORDERS} orders, got ${orders.length}`,
    );
    return;
  }
  const blocks = orders.filter((order) => order.kind === 'BLOCK').length;
  if (blocks > MAX_BLOCK_ORDERS) {
    add(
      'TOO_MANY_ORDERS',
      `an auction takes at most ${MAX_BLOCK_ORDERS} block orders, got ${blocks}`,
    );
  }
  const devices = orders.filter((o) => o.kind === 'CONVERSION' || o.kind === 'STORAGE').length;
  if (devices > MAX_DEVICE_ORDERS) {
    add(
      'TOO_MANY_ORDERS',
      `an auction takes at most ${MAX_DEVICE_ORDERS} conversion and storage orders, got ${devices}`,
    );
  }
}

function checkOrder(order: AuctionOrder, index: number, terms: CheckedTerms, add: Add): void {
  const carrier = (code: string | null) => {
    if (code === null || terms.carriers.has(code)) return true;
    add('UNKNOWN_CARRIER', `order ${order.id}: the auction has no carrier ${code}`, index);
    return false;
  };
  const price = (ticks: bigint, what: string) => {
    if (isPrice(ticks, terms.minTicks, terms.maxTicks)) return;
    add(
      'PRICE_OUT_OF_RANGE',
      `order ${order.id}: ${what} ${ticks} is outside [${terms.minTicks}, ${terms.maxTicks}] ticks`,
      index,
    );
  };
  const quantity = (wh: bigint, what: string, min: bigint) => {
    if (isQuantity(wh, min)) return true;
    add(
      'QUANTITY_OUT_OF_RANGE',
      `order ${order.id}: ${what} must be ${min} to ${MAX_QUANTITY_WH} Wh, got ${wh}`,
      index,
    );
    return false;
  };
  switch (order.kind) {
    case 'STEP':
      carrier(order.carrier);
      if (!isInterval(order.interval, terms.intervals)) {
        add(
          'INTERVAL_OUT_OF_RANGE',
          `order ${order.id}: interval ${order.interval} is not in 0 … ${terms.intervals - 1}`,
          index,
        );
      }
      price(order.priceTicks, 'the price');
      quantity(order.quantityWh, 'the quantity', 1n);
      return;
    case 'BLOCK':
      checkBlock(order, index, terms, add, carrier, price, quantity);
      return;
    case 'CONVERSION':
      checkConversion(order, index, terms, add, carrier, quantity);
      return;
    case 'STORAGE':
      checkStorage(order, index, terms, add, carrier, quantity);
      return;
  }
}

type CarrierCheck = (code: string | null) => boolean;
type PriceCheck = (ticks: bigint, what: string) => void;
type QuantityCheck = (wh: bigint, what: string, min: bigint) => boolean;

function checkBlock(
  order: BlockOrder,
  index: number,
  terms: CheckedTerms,
  add: Add,
  carrier: CarrierCheck,
  price: PriceCheck,
  quantity: QuantityCheck,
): void {
  carrier(order.carrier);
  price(order.priceTicks, 'the price');
  const last = order.firstInterval + order.profileWh.length - 1;
  if (
    !isInterval(order.firstInterval, terms.intervals) ||
    order.profileWh.length === 0 ||
    last >= terms.intervals
  ) {
    add(
      'PROFILE_OUT_OF_RANGE',
      `order ${order.id}: a profile of ${order.profileWh.length} intervals from interval ${order.firstInterval} does not fit the auction's ${terms.intervals}`,
      index,
    );
  } else if (
    order.profileWh.every((wh, t) => quantity(wh, `the quantity of profile step ${t}`, 0n))
  ) {
    if (order.profileWh.every((wh) => wh === 0n)) {
      add(
        'PROFILE_OUT_OF_RANGE',
        `order ${order.id}: the profile is zero in every interval`,
        index,
      );
    }
  }
  if (!isRatioIn(order.minAcceptance, 0n, 1n) || order.minAcceptance.num === 0n) {
    add(
      'RATIO_OUT_OF_RANGE',
      `order ${order.id}: the minimum acceptance must be above 0 and at most 1`,
      index,
    );
  }
  if (order.exclusiveGroup !== null && !isName(order.exclusiveGroup)) {
    add(
      'NAME_INVALID',
      `order ${order.id}: an exclusive group is named by 1 to ${MAX_NAME_LENGTH} characters`,
      index,
    );
  }
}

function checkConversion(
  order: ConversionOrder,
  index: number,
  terms: CheckedTerms,
  add: Add,
  carrier: CarrierCheck,
  quantity: QuantityCheck,
): void {
  carrier(order.input);
  if (order.outputs.length === 0 || order.outputs.length > MAX_CONVERSION_OUTPUTS) {
    add(
      'CONVERSION_INVALID',
      `order ${order.id}: a conversion has 1 to ${MAX_CONVERSION_OUTPUTS} outputs`,
      index,
    );
  }
  const seen = new Set<string>();
  for (const output of order.outputs) {
    if (!carrier(output.carrier)) continue;
    if (output.carrier === order.input) {
      add(
        'CONVERSION_INVALID',
        `order ${order.id}: ${output.carrier} is both its input and an output`,
        index,
      );
    } else if (seen.has(output.carrier)) {
      add('CONVERSION_INVALID', `order ${order.id}: ${output.carrier} is an output twice`, index);
    }
    seen.add(output.carrier);
    if (!isRatioIn(output.ratio, 0n, MAX_OUTPUT_RATIO) || output.ratio.num === 0n) {
      add(
        'RATIO_OUT_OF_RANGE',
        `order ${order.id}: the ratio of ${output.carrier} must be above 0 and at most ${MAX_OUTPUT_RATIO}, with terms up to ${MAX_RATIO_TERM}`,
        index,
      );
    }
  }
  if (typeof order.maxInputWh === 'bigint') {
    quantity(order.maxInputWh, 'the maximum input', 0n);
  } else if (order.maxInputWh.length !== terms.intervals) {
    add(
      'INTERVAL_OUT_OF_RANGE',
      `order ${order.id}: ${order.maxInputWh.length} maximum inputs for ${terms.intervals} intervals`,
      index,
    );
  } else {
    order.maxInputWh.every((wh, t) => quantity(wh, `the maximum input of interval ${t}`, 0n));
  }
  if (!isPrice(order.costTicks, 0n, maxAbs(terms))) {
    add(
      'PRICE_OUT_OF_RANGE',
      `order ${order.id}: the cost ${order.costTicks} is outside [0, ${maxAbs(terms)}] ticks`,
      index,
    );
  }
}

function checkStorage(
  order: StorageOrder,
  index: number,
  terms: CheckedTerms,
  add: Add,
  carrier: CarrierCheck,
  quantity: QuantityCheck,
): void {
  carrier(order.carrier);
  const sized =
    quantity(order.capacityWh, 'the capacity', 1n) &&
    quantity(order.maxChargeWh, 'the maximum charge', 0n) &&
    quantity(order.maxDischargeWh, 'the maximum discharge', 0n);
  for (const [what, ratio] of [
    ['charge', order.chargeEfficiency],
    ['discharge', order.dischargeEfficiency],
  ] as const) {
    if (!isRatioIn(ratio, 0n, 1n) || ratio.num === 0n) {
      add(
        'EFFICIENCY_OUT_OF_RANGE',
        `order ${order.id}: the ${what} efficiency must be above 0 and at most 1`,
        index,
      );
    }
  }
  if (!isPrice(order.dischargeCostTicks, 0n, maxAbs(terms))) {
    add(
      'PRICE_OUT_OF_RANGE',
      `order ${order.id}: the discharge cost ${order.dischargeCostTicks} is outside [0, ${maxAbs(terms)}] ticks`,
      index,
    );
  }
  if (!sized) return;
  for (const [what, wh] of [
    ['initial', order.initialWh],
    ['minimum final', order.minFinalWh],
  ] as const) {
    if (typeof wh !== 'bigint' || wh < 0n || wh > order.capacityWh) {
      add(
        'STATE_OUT_OF_RANGE',
        `order ${order.id}: the ${what} state of charge ${wh} Wh is outside [0, ${order.capacityWh}]`,
        index,
      );
      return;
    }
  }
  // the most it can hold at the end: initial + every interval's full charge × efficiency
  const { num, den } = order.chargeEfficiency;
  if (isRatioIn(order.chargeEfficiency, 0n, 1n)) {
    const reachable = order.initialWh * den + BigInt(terms.intervals) * order.maxChargeWh * num;
    if (reachable < order.minFinalWh * den) {
      add(
        'STORAGE_INFEASIBLE',
        `order ${order.id}: ${order.minFinalWh} Wh at the end cannot be reached from ${order.initialWh} Wh charging at most ${order.maxChargeWh} Wh per interval`,
        index,
      );
    }
  }
}

/** Parents must be earlier-known blocks of the same participant, without cycles, not too deep. */
function checkBlockFamilies(
  orders: readonly AuctionOrder[],
  ids: ReadonlyMap<string, number>,
  add: Add,
): void {
  const parentOf = (block: BlockOrder): BlockOrder | null => {
    const at = block.parentId === null ? undefined : ids.get(block.parentId);
    const parent = at === undefined ? undefined : orders[at];
    return parent?.kind === 'BLOCK' ? parent : null;
  };
  orders.forEach((order, index) => {
    if (order.kind !== 'BLOCK' || order.parentId === null) return;
    const parent = parentOf(order);
    if (parent === null) {
      add(
        'PARENT_INVALID',
        `order ${order.id}: its parent ${order.parentId} is not a block of the auction`,
        index,
      );
      return;
    }
    if (parent.participant !== order.participant) {
      add(
        'PARENT_INVALID',
        `order ${order.id}: its parent ${parent.id} belongs to another participant`,
        index,
      );
      return;
    }
    const chain = new Set<string>([order.id]);
    for (let block: BlockOrder | null = parent; block !== null; block = parentOf(block)) {
      if (chain.has(block.id)) {
        add('PARENT_CYCLE', `order ${order.id}: its parents lead back to ${block.id}`, index);
        return;
      }
      chain.add(block.id);
      if (chain.size > MAX_BLOCK_DEPTH) {
        add(
          'PARENT_INVALID',
          `order ${order.id}: more than ${MAX_BLOCK_DEPTH} generations of blocks`,
          index,
        );
        return;
      }
    }
  });
}

/** Each carrier-interval's bids and offers (steps and block profiles) total at most the book bound. */
function checkBookTotals(orders: readonly AuctionOrder[], terms: CheckedTerms, add: Add): void {
  const totals = new Map<string, bigint>();
  const plus = (carrier: string, t: number, side: string, wh: bigint, index: number) => {
    const key = `${carrier} ${t} ${side}`;
    const total = (totals.get(key) ?? 0n) + wh;
    totals.set(key, total);
    if (total > BOOK_SIDE_LIMIT_WH && total - wh <= BOOK_SIDE_LIMIT_WH) {
      add(
        'BOOK_LIMIT',
        `the ${side} side of ${carrier} in interval ${t} exceeds ${BOOK_SIDE_LIMIT_WH} Wh`,
        index,
      );
    }
  };
  orders.forEach((order, index) => {
    if (order.kind === 'STEP' && isInterval(order.interval, terms.intervals)) {
      plus(order.carrier, order.interval, order.side, order.quantityWh, index);
    } else if (order.kind === 'BLOCK') {
      order.profileWh.forEach((wh, i) =>
        plus(order.carrier, order.firstInterval + i, order.side, wh, index),
      );
    }
  });
}

function isName(text: unknown): text is string {
  return typeof text === 'string' && text.length >= 1 && text.length <= MAX_NAME_LENGTH;
}

function isInterval(t: number, intervals: number): boolean {
  return Number.isSafeInteger(t) && t >= 0 && t < intervals;
}

function isPrice(ticks: unknown, min: bigint, max: bigint): boolean {
  return typeof ticks === 'bigint' && ticks >= min && ticks <= max;
}

function isQuantity(wh: unknown, min: bigint): boolean {
  return typeof wh === 'bigint' && wh >= min && wh <= MAX_QUANTITY_WH;
}

/** A fraction in lowest terms or not, with a positive denominator, terms within the bound, in [lo, hi]. */
function isRatioIn(ratio: Ratio, lo: bigint, hi: bigint): boolean {
  const { num, den } = ratio ?? {};
  if (typeof num !== 'bigint' || typeof den !== 'bigint' || den <= 0n) return false;
  if (num < 0n ? -num > MAX_RATIO_TERM : num > MAX_RATIO_TERM) return false;
  if (den > MAX_RATIO_TERM) return false;
  return num >= lo * den && num <= hi * den;
}

function maxAbs(terms: CheckedTerms): bigint {
  const min = terms.minTicks < 0n ? -terms.minTicks : terms.minTicks;
  const max = terms.maxTicks < 0n ? -terms.maxTicks : terms.maxTicks;
  return min > max ? min : max;
}
