import type { ClearingWrite, FrozenBookRows } from '@parkex/db';
import {
  fillState,
  formatPrice,
  formatQuantity,
  journalDebitMinor,
  journalFeeMinor,
  journalHash,
  journalLines,
  JOURNAL_HASH_VERSION,
  type BookClearing,
  type CurveColumns,
  type PriceGrid,
} from '@parkex/market';

export interface SettlementContext {
  productCode: string;
  deliveryStart: Date;
  grid: PriceGrid;
  networkFee: string;
  accounts: { byParticipant: Map<string, string>; utility: string };
  inputHash: string;
  resultHash: string;
  matcherVersion: string;
  matcherId: string;
  timings: Record<string, number>;
}

/**
 * Turns a columnar clearing of the frozen book into the rows the matcher writes: the result
 * record, the fills, the filled orders' states and the settlement journal. Pure.
 */
export function settlementRows(
  book: FrozenBookRows,
  clearing: BookClearing,
  ctx: SettlementContext,
): ClearingWrite {
  const fills = {
    buyOrderId: [] as string[],
    sellOrderId: [] as string[],
    buyerId: [] as string[],
    sellerId: [] as string[],
    quantityWh: [] as string[],
    price: [] as string[],
    amountMinor: [] as string[],
  };
  const settlement = [];
  const f = clearing.fills;
  for (let i = 0; i < f.length; i++) {
    const buyRow = f.buyRow[i];
    const sellRow = f.sellRow[i];
    const buyer = book.participantId[buyRow];
    const seller = book.participantId[sellRow];
    fills.buyOrderId.push(book.id[buyRow]);
    fills.sellOrderId.push(book.id[sellRow]);
    fills.buyerId.push(buyer);
    fills.sellerId.push(seller);
    fills.quantityWh.push(String(f.quantityWh[i]));
    fills.price.push(formatPrice(f.priceTicks[i], ctx.grid));
    fills.amountMinor.push(String(f.amountMinor[i]));
    settlement.push({
      seq: i,
      buyerAccountId: account(ctx, buyer),
      sellerAccountId: account(ctx, seller),
      quantityWh: BigInt(f.quantityWh[i]),
      amountMinor: BigInt(f.amountMinor[i]),
    });
  }

  const orderStates: ClearingWrite['orderStates'] = { id: book.id, status: [], filledWh: [] };
  for (let row = 0; row < book.id.length; row++) {
    const wh = clearing.filledWh[row];
    orderStates.status.push(fillState(Number(book.quantityWh[row]), wh));
    orderStates.filledWh.push(String(wh));
  }

  const lines = journalLines(settlement, ctx.accounts.utility, ctx.networkFee);
  const feeMinor = journalFeeMinor(lines);
  // The journal's hash covers the clearing's hashes: it vouches for the clearing it settles.
  const header = {
    productCode: ctx.productCode,
    deliveryStart: ctx.deliveryStart.toISOString(),
    inputHash: ctx.inputHash,
    resultHash: ctx.resultHash,
  };

  return {
    record: {
      status: clearing.status,
      price: clearing.priceTicks === null ? null : formatPrice(clearing.priceTicks, ctx.grid),
      volumeWh: String(clearing.volumeWh),
      amountMinor: String(clearing.amountMinor),
      feeMinor: feeMinor.toString(),
      bidCount: clearing.bidCount,
      offerCount: clearing.offerCount,
      inputHash: ctx.inputHash,
      resultHash: ctx.resultHash,
      demandCurve: curve(clearing.demandCurve, ctx.grid),
      supplyCurve: curve(clearing.supplyCurve, ctx.grid),
      matcherVersion: ctx.matcherVersion,
      matcherId: ctx.matcherId,
      timings: ctx.timings,
    },
    fills,
    orderStates,
    journal: lines.length
      ? {
          accountId: lines.map((line) => line.accountId),
          kind: lines.map((line) => line.kind),
          fillSeq: lines.map((line) => line.fillSeq),
          energyWh: lines.map((line) => line.energyWh.toString()),
          amountMinor: lines.map((line) => line.amountMinor.toString()),
          debitMinor: journalDebitMinor(lines).toString(),
          hashVersion: JOURNAL_HASH_VERSION,
          hash: (prevHash: string) => journalHash(JOURNAL_HASH_VERSION, prevHash, header, lines),
        }
      : undefined,
  };
}

function account(ctx: SettlementContext, participantId: string): string {
  const id = ctx.accounts.byParticipant.get(participantId);
  if (!id) throw new Error(`participant ${participantId} has no ledger account`);
  return id;
}

/** A step curve as `{ price, quantity }` decimal strings (currency/kWh, kWh) for charts. */
function curve(points: CurveColumns, grid: PriceGrid): { price: string; quantity: string }[] {
  const out = [];
  for (let i = 0; i < points.length; i++) {
    out.push({
      price: formatPrice(points.priceTicks[i], grid),
      quantity: formatQuantity(points.quantityWh[i]),
    });
  }
  return out;
}
