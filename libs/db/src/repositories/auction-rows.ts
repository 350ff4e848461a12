import {
  hashAuction,
  type Auction,
  type AuctionClearing,
  type AuctionOrder,
  type AuctionTerms,
  type ClearedAuction,
} from '@parkex/auction';
import {
  compilePriceGrid,
  formatPrice,
  formatScaled,
  networkFeeMinor,
  parseK,
  parsePrice,
  ratio,
  type EntryKind,
  type JournalHeader,
  type JournalLine,
  type PriceGrid,
  type Ratio,
} from '@parkex/market';

/**
 * Between the auction tables and the engine's model (`@parkex/auction`): stored terms and orders
 * to an `Auction`, a clearing to the rows the matcher writes, and those rows back to the
 * `ClearedAuction` a verification checks. Integers travel as decimal text, ratios as `num/den`.
 */

/** A carrier of a series or auction as stored (`carriers` jsonb). */
export interface StoredCarrier {
  carrier: string;
  /** Network fee, currency per kWh of energy bought (decimal text). */
  fee: string;
  grid: {
    importLimitWh: string;
    importPrice: string | null;
    exportLimitWh: string;
    exportPrice: string | null;
  } | null;
}

/** An auction's frozen terms as stored. */
export interface AuctionTermsRow {
  seriesCode: string;
  deliveryStart: Date;
  gateClosureAt: Date;
  intervalSeconds: number;
  intervals: number;
  priceTick: string;
  minPrice: string;
  maxPrice: string;
  k: string;
  carriers: StoredCarrier[];
  state: 'OPEN' | 'CLEARED' | 'FAILED';
}

/** An order's terms in the engine's units, as stored in `auction_order.terms`. */
export type StoredOrderTerms =
  | {
      kind: 'STEP';
      carrier: string;
      interval: number;
      side: 'BUY' | 'SELL';
      priceTicks: string;
      quantityWh: string;
    }
  | {
      kind: 'BLOCK';
      carrier: string;
      side: 'BUY' | 'SELL';
      priceTicks: string;
      firstInterval: number;
      profileWh: string[];
      minAcceptance: string;
      parentClientOrderId: string | null;
      exclusiveGroup: string | null;
    }
  | {
      kind: 'CONVERSION';
      input: string | null;
      outputs: { carrier: string; ratio: string }[];
      maxInputWh: string | string[];
      costTicks: string;
    }
  | {
      kind: 'STORAGE';
      carrier: string;
      capacityWh: string;
      initialWh: string;
      minFinalWh: string;
      maxChargeWh: string;
      maxDischargeWh: string;
      chargeEfficiency: string;
      dischargeEfficiency: string;
      dischargeCostTicks: string;
    };

/** An order of an auction's book as stored. */
export interface AuctionBookRow {
  id: string;
  participantId: string;
  clientOrderId: string;
  terms: StoredOrderTerms;
}

export const ratioText = (r: Ratio): string => `${r.num}/${r.den}`;

export function parseRatioText(text: string): Ratio {
  const match = /^(-?\d+)\/(\d+)$/.exec(text);
  if (!match) throw new Error(`not a ratio: ${JSON.stringify(text)}`);
  return ratio(BigInt(match[1]), BigInt(match[2]));
}

export function gridOf(
  terms: Pick<AuctionTermsRow, 'priceTick' | 'minPrice' | 'maxPrice'>,
): PriceGrid {
  return { priceTick: terms.priceTick, minPrice: terms.minPrice, maxPrice: terms.maxPrice };
}

function ticks(text: string | null, grid: PriceGrid, what: string): bigint {
  if (text === null) return 0n;
  const parsed = parsePrice(text, grid);
  if (!parsed.ok) throw new Error(`${what}: ${parsed.rejection.message}`);
  return parsed.value;
}

/** The engine's terms of a stored auction. */
export function engineTerms(row: AuctionTermsRow): AuctionTerms {
  const grid = gridOf(row);
  const k = parseK(row.k);
  if (!k.ok) throw new Error(`auction k: ${k.rejection.message}`);
  return {
    intervals: row.intervals,
    carriers: row.carriers.map((c) => ({
      code: c.carrier,
      connection:
        c.grid === null
          ? null
          : {
              importLimitWh: BigInt(c.grid.importLimitWh),
              importPriceTicks: ticks(c.grid.importPrice, grid, `${c.carrier} import price`),
              exportLimitWh: BigInt(c.grid.exportLimitWh),
              exportPriceTicks: ticks(c.grid.exportPrice, grid, `${c.carrier} export price`),
            },
    })),
    grid,
    k: k.value,
  };
}

/** One order in the engine's model: its id is the order's id, its time priority too. */
export function engineOrder(
  id: string,
  participant: string,
  terms: StoredOrderTerms,
  parentId: string | null,
): AuctionOrder {
  const base = { id, participant, seq: BigInt(id) };
  switch (terms.kind) {
    case 'STEP':
      return {
        ...base,
        kind: 'STEP',
        carrier: terms.carrier,
        interval: terms.interval,
        side: terms.side,
        priceTicks: BigInt(terms.priceTicks),
        quantityWh: BigInt(terms.quantityWh),
      };
    case 'BLOCK':
      return {
        ...base,
        kind: 'BLOCK',
        carrier: terms.carrier,
        side: terms.side,
        priceTicks: BigInt(terms.priceTicks),
        firstInterval: terms.firstInterval,
        profileWh: terms.profileWh.map(BigInt),
        minAcceptance: parseRatioText(terms.minAcceptance),
        parentId,
        exclusiveGroup: terms.exclusiveGroup,
      };
    case 'CONVERSION':
      return {
        ...base,
        kind: 'CONVERSION',
        input: terms.input,
        outputs: terms.outputs.map((o) => ({ carrier: o.carrier, ratio: parseRatioText(o.ratio) })),
        maxInputWh:
          typeof terms.maxInputWh === 'string'
            ? BigInt(terms.maxInputWh)
            : terms.maxInputWh.map(BigInt),
        costTicks: BigInt(terms.costTicks),
      };
    case 'STORAGE':
      return {
        ...base,
        kind: 'STORAGE',
        carrier: terms.carrier,
        capacityWh: BigInt(terms.capacityWh),
        initialWh: BigInt(terms.initialWh),
        minFinalWh: BigInt(terms.minFinalWh),
        maxChargeWh: BigInt(terms.maxChargeWh),
        maxDischargeWh: BigInt(terms.maxDischargeWh),
        chargeEfficiency: parseRatioText(terms.chargeEfficiency),
        dischargeEfficiency: parseRatioText(terms.dischargeEfficiency),
        dischargeCostTicks: BigInt(terms.dischargeCostTicks),
      };
  }
}

/** An engine order's terms as stored (the inverse of `engineOrder`; a parent by its id). */
export function storedOrderTerms(order: AuctionOrder): StoredOrderTerms {
  switch (order.kind) {
    case 'STEP':
      return {
        kind: 'STEP',
        carrier: order.carrier,
        interval: order.interval,
        side: order.side,
        priceTicks: String(order.priceTicks),
        quantityWh: String(order.quantityWh),
      };
    case 'BLOCK':
      return {
        kind: 'BLOCK',
        carrier: order.carrier,
        side: order.side,
        priceTicks: String(order.priceTicks),
        firstInterval: order.firstInterval,
        profileWh: order.profileWh.map(String),
        minAcceptance: ratioText(order.minAcceptance),
        parentClientOrderId: order.parentId,
        exclusiveGroup: order.exclusiveGroup,
      };
    case 'CONVERSION':
      return {
        kind: 'CONVERSION',
        input: order.input,
        outputs: order.outputs.map((o) => ({ carrier: o.carrier, ratio: ratioText(o.ratio) })),
        maxInputWh:
          typeof order.maxInputWh === 'bigint'
            ? String(order.maxInputWh)
            : order.maxInputWh.map(String),
        costTicks: String(order.costTicks),
      };
    case 'STORAGE':
      return {
        kind: 'STORAGE',
        carrier: order.carrier,
        capacityWh: String(order.capacityWh),
        initialWh: String(order.initialWh),
        minFinalWh: String(order.minFinalWh),
        maxChargeWh: String(order.maxChargeWh),
        maxDischargeWh: String(order.maxDischargeWh),
        chargeEfficiency: ratioText(order.chargeEfficiency),
        dischargeEfficiency: ratioText(order.dischargeEfficiency),
        dischargeCostTicks: String(order.dischargeCostTicks),
      };
  }
}

/**
 * The auction as the engine clears it: the frozen terms and the book's orders in id order. A
 * block whose parent (named by the participant's clientOrderId) is not in the book — cancelled
 * before the gate — cannot be accepted, so it leaves the book with its descendants.
 */
export function engineAuction(terms: AuctionTermsRow, book: readonly AuctionBookRow[]): Auction {
  const idOf = new Map(book.map((row) => [`${row.participantId} ${row.clientOrderId}`, row.id]));
  const present = new Set(book.map((row) => row.id));
  const parentOf = new Map<string, string | null>();
  for (const row of book) {
    if (row.terms.kind !== 'BLOCK' || row.terms.parentClientOrderId === null) continue;
    parentOf.set(row.id, idOf.get(`${row.participantId} ${row.terms.parentClientOrderId}`) ?? null);
  }
  // drop orphans generation by generation (a family is at most a few generations deep)
  for (let changed = true; changed;) {
    changed = false;
    for (const [id, parent] of parentOf) {
      if (present.has(id) && (parent === null || !present.has(parent))) {
        present.delete(id);
        changed = true;
      }
    }
  }
  const orders = book
    .filter((row) => present.has(row.id))
    .map((row) => engineOrder(row.id, row.participantId, row.terms, parentOf.get(row.id) ?? null));
  return { terms: engineTerms(terms), orders };
}

export function auctionInputHash(auction: Auction): string {
  return hashAuction(auction);
}

/** One carrier-interval of a result (`auction_price`). */
export interface AuctionPriceRow {
  carrier: string;
  interval: number;
  priceTicks: string | null;
  price: string | null;
  low: string;
  high: string;
  exact: string;
  volumeWh: string;
  importWh: string;
  exportWh: string;
}

/** One award line (`auction_award`). */
export interface AuctionAwardRow {
  line: number;
  party: 'ORDER' | 'GRID' | 'BALANCING';
  orderId: string | null;
  participantId: string | null;
  carrier: string;
  interval: number;
  side: 'BUY' | 'SELL';
  quantityWh: string;
  priceTicks: string;
  amountMinor: string;
}

/** One order's outcome (`auction_order_result`). */
export interface AuctionOrderResultRow {
  orderId: string;
  kind: AuctionOrder['kind'];
  filledWh: string | null;
  fraction: string | null;
  blockOutcome: 'ACCEPTED' | 'PARTIALLY_ACCEPTED' | 'REJECTED' | 'PARADOXICALLY_REJECTED' | null;
  inputWh: string[] | null;
  chargeWh: string[] | null;
  dischargeWh: string[] | null;
  stateWh: string[] | null;
  storageValues: string[] | null;
  /** Storage only: how far below its minimum final state it ends (Wh). */
  shortfallWh: string | null;
}

/** The stored result's header (`auction_result`) as the engine's result needs it. */
export interface AuctionResultHeader {
  solver: string;
  roundingMinor: string;
  acceptedBlocks: string[];
  removedBlocks: string[];
  paradoxicallyRejected: string[];
  fallback: boolean;
}

export interface AuctionResultRows {
  header: AuctionResultHeader;
  prices: AuctionPriceRow[];
  awards: AuctionAwardRow[];
  orders: AuctionOrderResultRow[];
}

const text = (values: readonly bigint[]) => values.map(String);

/** The rows of a clearing, in a fixed order (carriers and intervals, award lines, orders). */
export function resultRows(auction: Auction, clearing: ClearedAuction): AuctionResultRows {
  const { terms } = auction;
  const grid = terms.grid;
  const prices: AuctionPriceRow[] = [];
  terms.carriers.forEach((carrier, c) => {
    const flows = clearing.quantities.grid.get(carrier.code);
    for (let t = 0; t < terms.intervals; t++) {
      const published = clearing.prices.priceTicks[c][t];
      prices.push({
        carrier: carrier.code,
        interval: t,
        priceTicks: published === null ? null : String(published),
        price: published === null ? null : formatPrice(published, grid),
        low: ratioText(clearing.prices.low[c][t]),
        high: ratioText(clearing.prices.high[c][t]),
        exact: ratioText(clearing.prices.exact[c][t]),
        volumeWh: String(clearing.quantities.volumeWh[c][t]),
        importWh: String(flows?.importWh[t] ?? 0n),
        exportWh: String(flows?.exportWh[t] ?? 0n),
      });
    }
  });
  const awards: AuctionAwardRow[] = clearing.awards.lines.map((line, i) => ({
    line: i,
    party: line.party.kind,
    orderId: line.party.kind === 'ORDER' ? line.party.orderId : null,
    participantId: line.party.kind === 'ORDER' ? line.party.participant : null,
    carrier: line.carrier,
    interval: line.interval,
    side: line.side,
    quantityWh: String(line.quantityWh),
    priceTicks: String(line.priceTicks),
    amountMinor: String(line.amountMinor),
  }));
  const paradoxical = new Set(clearing.paradoxicallyRejected);
  const orders: AuctionOrderResultRow[] = auction.orders.map((order) => {
    const row: AuctionOrderResultRow = {
      orderId: order.id,
      kind: order.kind,
      filledWh: null,
      fraction: null,
      blockOutcome: null,
      inputWh: null,
      chargeWh: null,
      dischargeWh: null,
      stateWh: null,
      storageValues: null,
      shortfallWh: null,
    };
    switch (order.kind) {
      case 'STEP':
        row.filledWh = String(clearing.quantities.steps.get(order.id)!);
        break;
      case 'BLOCK': {
        const fraction = clearing.quantities.blocks.get(order.id)!;
        row.fraction = ratioText(fraction);
        row.blockOutcome =
          fraction.num === 0n
            ? paradoxical.has(order.id)
              ? 'PARADOXICALLY_REJECTED'
              : 'REJECTED'
            : fraction.num === fraction.den
              ? 'ACCEPTED'
              : 'PARTIALLY_ACCEPTED';
        break;
      }
      case 'CONVERSION':
        row.inputWh = text(clearing.quantities.conversions.get(order.id)!);
        break;
      case 'STORAGE': {
        const schedule = clearing.quantities.storages.get(order.id)!;
        row.chargeWh = text(schedule.chargeWh);
        row.dischargeWh = text(schedule.dischargeWh);
        row.stateWh = schedule.stateWh.map(ratioText);
        row.shortfallWh = String(schedule.shortfallWh);
        row.storageValues = (clearing.prices.storageValues.get(order.id) ?? []).map(ratioText);
        break;
      }
    }
    return row;
  });
  return {
    header: {
      solver: clearing.solver,
      roundingMinor: String(clearing.awards.roundingMinor),
      acceptedBlocks: [...clearing.acceptedBlocks],
      removedBlocks: [...clearing.removedBlocks],
      paradoxicallyRejected: [...clearing.paradoxicallyRejected],
      fallback: clearing.fallback,
    },
    prices,
    awards,
    orders,
  };
}

/** The stored rows as the engine's result (what `verifyAuction` and `hashAuctionResult` take). */
export function clearedFromRows(auction: Auction, rows: AuctionResultRows): ClearedAuction {
  const { terms } = auction;
  const T = terms.intervals;
  const matrix = <V>(fill: V) => terms.carriers.map(() => new Array<V>(T).fill(fill));
  const carrierIndex = new Map(terms.carriers.map((c, i) => [c.code, i]));
  const priceTicks = matrix<bigint | null>(null);
  const low = matrix<Ratio>({ num: 0n, den: 1n });
  const high = matrix<Ratio>({ num: 0n, den: 1n });
  const exact = matrix<Ratio>({ num: 0n, den: 1n });
  const volumeWh = matrix<bigint>(0n);
  const grid = new Map<string, { importWh: bigint[]; exportWh: bigint[] }>();
  for (const carrier of terms.carriers) {
    if (carrier.connection !== null) {
      grid.set(carrier.code, {
        importWh: new Array<bigint>(T).fill(0n),
        exportWh: new Array<bigint>(T).fill(0n),
      });
    }
  }
  for (const row of rows.prices) {
    const c = carrierIndex.get(row.carrier);
    if (c === undefined || row.interval >= T) continue;
    const t = row.interval;
    priceTicks[c][t] = row.priceTicks === null ? null : BigInt(row.priceTicks);
    low[c][t] = parseRatioText(row.low);
    high[c][t] = parseRatioText(row.high);
    exact[c][t] = parseRatioText(row.exact);
    volumeWh[c][t] = BigInt(row.volumeWh);
    const flows = grid.get(row.carrier);
    if (flows) {
      flows.importWh[t] = BigInt(row.importWh);
      flows.exportWh[t] = BigInt(row.exportWh);
    }
  }
  const steps = new Map<string, bigint>();
  const blocks = new Map<string, Ratio>();
  const conversions = new Map<string, bigint[]>();
  const storages = new Map<
    string,
    { chargeWh: bigint[]; dischargeWh: bigint[]; stateWh: Ratio[]; shortfallWh: bigint }
  >();
  const storageValues = new Map<string, Ratio[]>();
  for (const row of rows.orders) {
    switch (row.kind) {
      case 'STEP':
        steps.set(row.orderId, BigInt(row.filledWh ?? '0'));
        break;
      case 'BLOCK':
        blocks.set(row.orderId, parseRatioText(row.fraction ?? '0/1'));
        break;
      case 'CONVERSION':
        conversions.set(row.orderId, (row.inputWh ?? []).map(BigInt));
        break;
      case 'STORAGE':
        storages.set(row.orderId, {
          chargeWh: (row.chargeWh ?? []).map(BigInt),
          dischargeWh: (row.dischargeWh ?? []).map(BigInt),
          stateWh: (row.stateWh ?? []).map(parseRatioText),
          shortfallWh: BigInt(row.shortfallWh ?? '0'),
        });
        storageValues.set(row.orderId, (row.storageValues ?? []).map(parseRatioText));
        break;
    }
  }
  const lines = rows.awards.map((row) => ({
    party:
      row.party === 'ORDER'
        ? { kind: 'ORDER' as const, orderId: row.orderId!, participant: row.participantId! }
        : { kind: row.party },
    carrier: row.carrier,
    interval: row.interval,
    side: row.side,
    quantityWh: BigInt(row.quantityWh),
    priceTicks: BigInt(row.priceTicks),
    amountMinor: BigInt(row.amountMinor),
  }));
  const cleared: AuctionClearing = {
    status: 'CLEARED',
    solver: rows.header.solver,
    welfare: 0,
    prices: { priceTicks, low, high, exact, storageValues },
    quantities: { steps, blocks, conversions, storages, grid, volumeWh },
    awards: { lines, roundingMinor: BigInt(rows.header.roundingMinor) },
    acceptedBlocks: rows.header.acceptedBlocks,
    removedBlocks: rows.header.removedBlocks,
    paradoxicallyRejected: rows.header.paradoxicallyRejected,
    fallback: rows.header.fallback,
    timings: { selectMs: 0, priceMs: 0 },
  };
  return cleared;
}

/**
 * The welfare of a result in currency, exactly, rounded half up to 4 decimals: value of accepted
 * bids − cost of accepted offers − conversion costs − storage wear − grid import cost + grid
 * export value, from the award lines and the order terms.
 */
export function welfareText(auction: Auction, cleared: ClearedAuction): string {
  const byId = new Map(auction.orders.map((o) => [o.id, o]));
  let ticksWh = 0n;
  for (const line of cleared.awards.lines) {
    const sign = line.side === 'BUY' ? 1n : -1n;
    if (line.party.kind === 'GRID') {
      const carrier = auction.terms.carriers.find((c) => c.code === line.carrier)!;
      const connection = carrier.connection!;
      // the grid sells imports at its import price and buys exports at its export price
      ticksWh +=
        line.side === 'SELL'
          ? -connection.importPriceTicks * line.quantityWh
          : connection.exportPriceTicks * line.quantityWh;
      continue;
    }
    if (line.party.kind !== 'ORDER') continue;
    const order = byId.get(line.party.orderId)!;
    switch (order.kind) {
      case 'STEP':
      case 'BLOCK':
        ticksWh += sign * order.priceTicks * line.quantityWh;
        break;
      case 'CONVERSION':
        // an input line carries the cost per kWh of input
        if (order.input !== null && line.carrier === order.input && line.side === 'BUY')
          ticksWh -= order.costTicks * line.quantityWh;
        break;
      case 'STORAGE':
        if (line.side === 'SELL') ticksWh -= order.dischargeCostTicks * line.quantityWh;
        break;
    }
  }
  // conversions with external fuel pay their cost on the input, which has no line
  for (const order of auction.orders) {
    if (order.kind !== 'CONVERSION' || order.input !== null) continue;
    for (const input of cleared.quantities.conversions.get(order.id) ?? []) {
      ticksWh -= order.costTicks * input;
    }
  }
  const tick = compilePriceGrid(auction.terms.grid);
  // currency = ticksWh × tick / 1000, to 4 decimals, an exact half up
  const numerator = ticksWh * tick.tickUnits * 10_000n;
  const denominator = 1000n * 10n ** BigInt(tick.scale);
  const rounded = floorDiv(2n * numerator + denominator, 2n * denominator);
  return formatScaled(rounded, 4);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** The journal header of an auction: its series marked as an auction (no product code has a space). */
export function auctionJournalHeader(
  seriesCode: string,
  deliveryStart: Date,
  inputHash: string,
  resultHash: string,
): JournalHeader {
  return {
    productCode: `auction ${seriesCode}`,
    deliveryStart: deliveryStart.toISOString(),
    inputHash,
    resultHash,
  };
}

/**
 * The journal of an auction's result: one line per award line (`fillSeq` = its line number) at
 * its amount — an order's owner, the grid connection and the balancing line (the utility) —
 * received energy debited (> 0 Wh, amount < 0), delivered energy credited; then each buyer's
 * network fee per carrier on its total bought Wh (rounded once, as for product-intervals), the
 * utility's credit of all fees in one line, and the utility's rounding line (the award amounts'
 * rounding), so that the journal sums to zero.
 */
export function auctionJournalLines(
  awards: readonly AuctionAwardRow[],
  fees: ReadonlyMap<string, string>,
  accounts: { byParticipant: ReadonlyMap<string, string>; utility: string },
): JournalLine[] {
  const lines: JournalLine[] = [];
  const push = (
    accountId: string,
    kind: EntryKind,
    fillSeq: number | null,
    energyWh: bigint,
    amountMinor: bigint,
  ) => lines.push({ line: lines.length, accountId, kind, fillSeq, energyWh, amountMinor });
  const account = (participantId: string) => {
    const id = accounts.byParticipant.get(participantId);
    if (!id) throw new Error(`participant ${participantId} has no ledger account`);
    return id;
  };
  const bought = new Map<string, { participant: string; carrier: string; wh: bigint }>();
  let balance = 0n;
  for (const award of awards) {
    const quantity = BigInt(award.quantityWh);
    const amount = BigInt(award.amountMinor);
    const owner = award.party === 'ORDER' ? account(award.participantId!) : accounts.utility;
    const signed = award.side === 'BUY' ? -amount : amount;
    push(owner, 'ENERGY', award.line, award.side === 'BUY' ? quantity : -quantity, signed);
    balance += signed;
    if (award.party === 'ORDER' && award.side === 'BUY') {
      const key = `${award.participantId} ${award.carrier}`;
      const entry = bought.get(key) ?? {
        participant: award.participantId!,
        carrier: award.carrier,
        wh: 0n,
      };
      entry.wh += quantity;
      bought.set(key, entry);
    }
  }
  let feeTotal = 0n;
  for (const { participant, carrier, wh } of bought.values()) {
    const fee = networkFeeMinor(wh, fees.get(carrier) ?? '0');
    if (fee === 0n) continue;
    push(account(participant), 'NETWORK_FEE', null, 0n, -fee);
    feeTotal += fee;
  }
  if (feeTotal !== 0n) push(accounts.utility, 'NETWORK_FEE', null, 0n, feeTotal);
  if (balance !== 0n) push(accounts.utility, 'ENERGY', null, 0n, -balance);
  return lines;
}
