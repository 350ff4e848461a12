import { ratio } from '@parkex/market';
import type { Auction, AuctionOrder } from './model';

/**
 * Examples shared by the engine's specs and the determinism check's child process: two
 * intervals with a heat pump, a battery and a block, so that every check has something to look at.
 */
const KWH = 1000n;

let seq = 0n;
const step = (
  id: string,
  carrier: string,
  interval: number,
  side: 'BUY' | 'SELL',
  priceTicks: bigint,
  kwh: bigint,
): AuctionOrder => ({
  kind: 'STEP',
  id,
  participant: id,
  seq: ++seq,
  carrier,
  interval,
  side,
  priceTicks,
  quantityWh: kwh * KWH,
});

/** Two intervals: heat pump, battery, a block; every kind of check has something to look at. */
export const exampleAuction: Auction = {
  terms: {
    intervals: 2,
    carriers: [
      {
        code: 'ELECTRICITY',
        connection: {
          importLimitWh: 500n * KWH,
          importPriceTicks: 90n,
          exportLimitWh: 500n * KWH,
          exportPriceTicks: 10n,
        },
      },
      { code: 'HEAT', connection: null },
    ],
    grid: { priceTick: '1', minPrice: '-500', maxPrice: '3000' },
    k: ratio(1n, 2n),
  },
  orders: [
    step('pv', 'ELECTRICITY', 0, 'SELL', 0n, 100n),
    step('load-0', 'ELECTRICITY', 0, 'BUY', 200n, 20n),
    step('load-1', 'ELECTRICITY', 1, 'BUY', 200n, 100n),
    step('heat-0', 'HEAT', 0, 'BUY', 40n, 150n),
    step('boiler-0', 'HEAT', 0, 'SELL', 30n, 200n),
    {
      kind: 'CONVERSION',
      id: 'heat-pump',
      participant: 'heat-pump',
      seq: ++seq,
      input: 'ELECTRICITY',
      outputs: [{ carrier: 'HEAT', ratio: ratio(3n, 1n) }],
      maxInputWh: 40n * KWH,
      costTicks: 0n,
    },
    {
      kind: 'STORAGE',
      id: 'battery',
      participant: 'battery',
      seq: ++seq,
      carrier: 'ELECTRICITY',
      capacityWh: 100n * KWH,
      initialWh: 0n,
      minFinalWh: 0n,
      maxChargeWh: 100n * KWH,
      maxDischargeWh: 100n * KWH,
      chargeEfficiency: ratio(9n, 10n),
      dischargeEfficiency: ratio(9n, 10n),
      dischargeCostTicks: 1n,
    },
    {
      kind: 'BLOCK',
      id: 'shift',
      participant: 'factory',
      seq: ++seq,
      carrier: 'ELECTRICITY',
      side: 'BUY',
      priceTicks: 150n,
      firstInterval: 0,
      profileWh: [10n * KWH, 10n * KWH],
      minAcceptance: ratio(1n, 1n),
      parentId: null,
      exclusiveGroup: null,
    },
  ],
};
