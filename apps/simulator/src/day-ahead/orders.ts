import { ticksToPrice, whToKwh } from '../market/decimal';
import { ELECTRICITY_NETWORK_FEE, HEAT_NETWORK_FEE, PRICE_DECIMALS } from '../market/tariffs';
import {
  smoothedForecast,
  CHP_ELECTRICITY_RATIO,
  CHP_HEAT_RATIO,
  OUTSIDE,
  type DayAheadPlan,
  type StorageSpec,
} from './plan';

/** The demo's day-ahead series: one auction over the run's quarter-hours (demo intervals). */
export const DEMO_AUCTION_SERIES = 'DEMO_DA';

/**
 * Inflexible loads pay up to this (ticks): 1 EUR/kWh, the worth of keeping production running,
 * far above every flexible use (a heat pump's electricity is worth at most the boiler's heat
 * price × its COP), so where the grid connection's limit binds the auction runs the battery
 * and the CHP rather than leave a process load unserved.
 */
export const LOAD_BID = 10_000;
/** PV takes any price (what the park does not take the grid buys at the feed-in price). */
export const PV_ASK = 0;

export type Carrier = 'ELECTRICITY' | 'HEAT';

/** `submitAuctionOrders`' input; exactly one of step, block, conversion, storage. */
export interface AuctionOrderInput {
  clientOrderId: string;
  series: string;
  deliveryStart: string;
  /** The asset a storage or conversion order comes from (`run/day-ahead.ts` registers it). */
  assetId?: string;
  step?: {
    carrier: Carrier;
    interval: number;
    side: 'BUY' | 'SELL';
    price: string;
    quantity: string;
  };
  block?: {
    carrier: Carrier;
    side: 'BUY' | 'SELL';
    price: string;
    firstInterval: number;
    quantities: string[];
  };
  conversion?: {
    input: Carrier | null;
    outputs: { carrier: Carrier; ratio: string }[];
    maxInput: string[];
    cost: string;
  };
  storage?: {
    carrier: Carrier;
    capacity: string;
    initial: string;
    finalMin: string;
    maxCharge: string;
    maxDischarge: string;
    chargeEfficiency: string;
    dischargeEfficiency: string;
    dischargeCost: string;
  };
}

const price = (ticks: number) => ticksToPrice(ticks, PRICE_DECIMALS);

/** The series' settings: the demo's tick, fees and tariffs; the park's grid connection. */
export function auctionSeriesInput(options: {
  intervalSeconds: number;
  intervals: number;
  gateClosureSeconds: number;
  importLimitWh: number | null;
}) {
  return {
    code: DEMO_AUCTION_SERIES,
    name: `Demo day-ahead (${options.intervals} × ${options.intervalSeconds} s, one per simulated quarter-hour)`,
    carriers: ['ELECTRICITY', 'HEAT'],
    intervalSeconds: options.intervalSeconds,
    intervals: options.intervals,
    gateClosureSeconds: options.gateClosureSeconds,
    priceTick: price(1),
    minPrice: '-0.5',
    maxPrice: '4',
    k: '0.5',
    networkFees: [
      { carrier: 'ELECTRICITY', fee: price(ELECTRICITY_NETWORK_FEE) },
      { carrier: 'HEAT', fee: price(HEAT_NETWORK_FEE) },
    ],
    grid: [
      {
        carrier: 'ELECTRICITY',
        importLimit: options.importLimitWh === null ? null : whToKwh(options.importLimitWh),
        importPrice: price(OUTSIDE.importTicks),
        exportPrice: price(OUTSIDE.exportTicks),
      },
    ],
  };
}

/** Hundredths → exact decimal text: 312 → "3.12". */
export function hundredths(value: number): string {
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`not a COP: ${value}`);
  return `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`;
}

function storage(carrier: Carrier, s: StorageSpec): NonNullable<AuctionOrderInput['storage']> {
  return {
    carrier,
    capacity: whToKwh(s.capacityWh),
    initial: whToKwh(s.initialWh),
    finalMin: whToKwh(s.initialWh),
    maxCharge: whToKwh(s.maxChargeWh),
    maxDischarge: whToKwh(s.maxDischargeWh),
    chargeEfficiency: hundredths(s.chargeEfficiencyPercent),
    dischargeEfficiency: hundredths(s.dischargeEfficiencyPercent),
    dischargeCost: price(s.dischargeCostTicks),
  };
}

/**
 * Every tenant's day-ahead orders, by tenant key, on its forecast (PV and `forecastLoads`:
 * `smoothedForecast`; heat: the hourly profile; other loads: their plan): loads as steps per quarter-hour (the bakery
 * and the electroplating plant as one all-or-nothing block each), heat loads as steps at the
 * boiler's price, PV as steps, the heat pump as conversions of electricity into heat (one per
 * COP of the day: the ratio is exact), the CHP as a conversion of gas at the gas price with
 * fixed electricity and heat ratios, the battery and the heat tank as storages that end the day
 * where they began.
 */
export function dayAheadOrders(
  plan: DayAheadPlan,
  base: { series: string; deliveryStart: string; prefix: string },
): Map<string, AuctionOrderInput[]> {
  const byTenant = new Map<string, AuctionOrderInput[]>();
  const add = (tenant: string, name: string, order: Partial<AuctionOrderInput>) => {
    let list = byTenant.get(tenant);
    if (!list) byTenant.set(tenant, (list = []));
    list.push({
      clientOrderId: `${base.prefix}-${tenant}-${name}`,
      series: base.series,
      deliveryStart: base.deliveryStart,
      ...order,
    });
  };
  const steps = (
    tenant: string,
    carrier: Carrier,
    side: 'BUY' | 'SELL',
    ticks: number,
    profile: readonly number[],
  ) =>
    profile.forEach((wh, interval) => {
      if (wh > 0 && interval < plan.count) {
        add(tenant, `${carrier[0]}${side[0]}${interval}`, {
          step: { carrier, interval, side, price: price(ticks), quantity: whToKwh(wh) },
        });
      }
    });

  for (const load of plan.loads) {
    const profile = plan.forecastLoads.includes(load.tenantKey)
      ? smoothedForecast(load.electricityWh.slice(0, plan.count))
      : load.electricityWh.slice(0, plan.count);
    if (plan.blocks.includes(load.tenantKey)) {
      const first = profile.findIndex((wh) => wh > 0);
      if (first < 0) continue;
      let last = profile.length - 1;
      while (profile[last] <= 0) last--;
      add(load.tenantKey, 'block', {
        block: {
          carrier: 'ELECTRICITY',
          side: 'BUY',
          price: price(LOAD_BID),
          firstInterval: first,
          quantities: profile.slice(first, last + 1).map(whToKwh),
        },
      });
    } else {
      steps(load.tenantKey, 'ELECTRICITY', 'BUY', LOAD_BID, profile);
    }
  }
  for (const heat of plan.heatLoads) {
    steps(heat.tenantKey, 'HEAT', 'BUY', OUTSIDE.boilerHeatTicks, heat.heatWh);
  }
  for (const pv of plan.pv) {
    const forecast = smoothedForecast(pv.outputWh.slice(0, plan.count));
    steps(pv.tenantKey, 'ELECTRICITY', 'SELL', PV_ASK, forecast);
  }

  const { heatPump, chp } = plan;
  const cops = [...new Set(heatPump.copHundredths.slice(0, plan.count))].sort((a, b) => a - b);
  for (const cop of cops) {
    add(heatPump.ownerKey, `hp${cop}`, {
      conversion: {
        input: 'ELECTRICITY',
        outputs: [{ carrier: 'HEAT', ratio: hundredths(cop) }],
        maxInput: heatPump.copHundredths
          .slice(0, plan.count)
          .map((c) => (c === cop ? whToKwh(heatPump.maxInputWh) : '0')),
        cost: '0',
      },
    });
  }
  add(chp.ownerKey, 'chp', {
    conversion: {
      input: null,
      outputs: [
        { carrier: 'ELECTRICITY', ratio: CHP_ELECTRICITY_RATIO },
        { carrier: 'HEAT', ratio: CHP_HEAT_RATIO },
      ],
      maxInput: [whToKwh(chp.maxFuelWh)],
      cost: price(OUTSIDE.gasTicks),
    },
  });
  add(plan.battery.ownerKey, 'battery', { storage: storage('ELECTRICITY', plan.battery) });
  add(plan.heatTank.ownerKey, 'heat-tank', { storage: storage('HEAT', plan.heatTank) });
  return byTenant;
}
