import { fillAmountMinor, type PriceGrid } from '@parkex/market';
import type { Auction } from './model';
import { shareWh } from './rational';
import type { AuctionQuantities } from './clear-auction';

/**
 * Who an award line settles with: an order's owner, the park's grid connection or the park's
 * balancing line (both the utility's).
 */
export type AwardParty =
  | { readonly kind: 'ORDER'; readonly orderId: string; readonly participant: string }
  | { readonly kind: 'GRID' }
  | { readonly kind: 'BALANCING' };

/**
 * One line of the result: `BUY` takes energy from the park's balance of the carrier in the
 * interval and pays `amountMinor`; `SELL` delivers it and is paid.
 */
export interface AwardLine {
  readonly party: AwardParty;
  readonly carrier: string;
  readonly interval: number;
  readonly side: 'BUY' | 'SELL';
  readonly quantityWh: bigint;
  readonly priceTicks: bigint;
  readonly amountMinor: bigint;
}

export interface Awards {
  readonly lines: readonly AwardLine[];
  /**
   * What the balancing line receives (> 0) or pays (< 0) so that the result is zero-sum: the
   * sum of the lines' roundings to the minor unit.
   */
  readonly roundingMinor: bigint;
}

/**
 * Award lines in whole Wh at their carrier's price of the interval, each amount rounded as a
 * per-interval fill is (`fillAmountMinor`). Where the rounded quantities of a carrier-interval do
 * not balance, the difference goes to the grid connection (a connected carrier) or the
 * balancing line; the amounts' rounding goes to the balancing line. The lines are in a fixed
 * order: by order, then grid, then balancing, each by carrier and interval.
 */
export function awardLines(
  auction: Auction,
  quantities: AuctionQuantities,
  prices: readonly (readonly bigint[])[],
  grid: PriceGrid,
): Awards {
  const { terms } = auction;
  const carrierIndex = new Map(terms.carriers.map((carrier, i) => [carrier.code, i]));
  const net = terms.carriers.map(() => new Array<bigint>(terms.intervals).fill(0n));
  const lines: AwardLine[] = [];
  const line = (
    party: AwardParty,
    carrier: string,
    interval: number,
    side: 'BUY' | 'SELL',
    quantityWh: bigint,
  ) => {
    if (quantityWh === 0n) return;
    const c = carrierIndex.get(carrier)!;
    const priceTicks = prices[c][interval];
    net[c][interval] += side === 'BUY' ? quantityWh : -quantityWh;
    lines.push({
      party,
      carrier,
      interval,
      side,
      quantityWh,
      priceTicks,
      amountMinor: fillAmountMinor(quantityWh, priceTicks, grid),
    });
  };

  for (const order of auction.orders) {
    const party: AwardParty = { kind: 'ORDER', orderId: order.id, participant: order.participant };
    switch (order.kind) {
      case 'STEP':
        line(party, order.carrier, order.interval, order.side, quantities.steps.get(order.id)!);
        break;
      case 'BLOCK': {
        const fraction = quantities.blocks.get(order.id)!;
        order.profileWh.forEach((wh, i) =>
          line(party, order.carrier, order.firstInterval + i, order.side, shareWh(fraction, wh)),
        );
        break;
      }
      case 'CONVERSION':
        quantities.conversions.get(order.id)!.forEach((input, t) => {
          if (order.input !== null) line(party, order.input, t, 'BUY', input);
          for (const output of order.outputs) {
            line(party, output.carrier, t, 'SELL', shareWh(output.ratio, input));
          }
        });
        break;
      case 'STORAGE': {
        const { chargeWh, dischargeWh } = quantities.storages.get(order.id)!;
        chargeWh.forEach((wh, t) => line(party, order.carrier, t, 'BUY', wh));
        dischargeWh.forEach((wh, t) => line(party, order.carrier, t, 'SELL', wh));
        break;
      }
    }
  }
  for (const [carrier, { importWh, exportWh }] of quantities.grid) {
    importWh.forEach((wh, t) => line({ kind: 'GRID' }, carrier, t, 'SELL', wh));
    exportWh.forEach((wh, t) => line({ kind: 'GRID' }, carrier, t, 'BUY', wh));
  }
  // the rounding residual of each carrier-interval
  terms.carriers.forEach((carrier, c) => {
    const party: AwardParty =
      carrier.connection === null ? { kind: 'BALANCING' } : { kind: 'GRID' };
    for (let t = 0; t < terms.intervals; t++) {
      const residual = net[c][t];
      if (residual > 0n) line(party, carrier.code, t, 'SELL', residual);
      if (residual < 0n) line(party, carrier.code, t, 'BUY', -residual);
    }
  });
  let roundingMinor = 0n;
  for (const award of lines)
    roundingMinor += award.side === 'BUY' ? award.amountMinor : -award.amountMinor;
  return { lines, roundingMinor };
}
