import type {
  BookClearing,
  ClearingResult,
  CurveColumns,
  CurvePoint,
  Fill,
} from './clearing-result';
import { InvariantViolation } from './invariant';
import type { OrderBook } from './order-book';
import { rowsInIdOrder } from './row-order';

/** The bigint, order-id form of a columnar clearing of `book`. */
export function toClearingResult(book: OrderBook, clearing: BookClearing): ClearingResult {
  const ids = book.id;
  const filled = new Map<bigint, bigint>();
  const byId = rowsInIdOrder(book);
  for (let i = 0; i < byId.length; i++) {
    const row = byId[i];
    filled.set(ids[row], BigInt(clearing.filledWh[row]));
  }
  const columns = clearing.fills;
  const fills = new Array<Fill>(columns.length);
  for (let f = 0; f < columns.length; f++) {
    fills[f] = {
      buyOrderId: ids[columns.buyRow[f]],
      sellOrderId: ids[columns.sellRow[f]],
      quantityWh: BigInt(columns.quantityWh[f]),
      priceTicks: BigInt(columns.priceTicks[f]),
      amountMinor: BigInt(columns.amountMinor[f]),
    };
  }
  if (filled.size !== book.length) {
    throw new InvariantViolation('order ids of the book are not unique');
  }
  return {
    status: clearing.status,
    mechanism: clearing.mechanism,
    priceTicks: clearing.priceTicks === null ? null : BigInt(clearing.priceTicks),
    priceRange:
      clearing.priceRange === null
        ? null
        : {
            lowTicks: BigInt(clearing.priceRange.lowTicks),
            highTicks: BigInt(clearing.priceRange.highTicks),
          },
    volumeWh: BigInt(clearing.volumeWh),
    amountMinor: BigInt(clearing.amountMinor),
    bidCount: clearing.bidCount,
    offerCount: clearing.offerCount,
    filled,
    fills,
    demandCurve: curvePoints(clearing.demandCurve),
    supplyCurve: curvePoints(clearing.supplyCurve),
  };
}

function curvePoints(curve: CurveColumns): CurvePoint[] {
  const points = new Array<CurvePoint>(curve.length);
  for (let i = 0; i < curve.length; i++) {
    points[i] = {
      priceTicks: BigInt(curve.priceTicks[i]),
      quantityWh: BigInt(curve.quantityWh[i]),
    };
  }
  return points;
}
