import { buildDayAheadPlan } from '../park';
import { parseLocalDate } from '../profiles/calendar';
import { loadParkData } from '../profiles/park-data';
import { auctionSeriesInput, dayAheadOrders, hundredths, LOAD_BID } from './orders';
import { copHundredths, smoothedForecast, type DayAheadPlan } from './plan';

const storage = (ownerKey: string) => ({
  ownerKey,
  capacityWh: 100_000,
  initialWh: 50_000,
  maxChargeWh: 25_000,
  maxDischargeWh: 20_000,
  chargeEfficiencyPercent: 95,
  dischargeEfficiencyPercent: 90,
  dischargeCostTicks: 200,
});

const plan: DayAheadPlan = {
  count: 4,
  forecastLoads: [],
  loads: [
    { tenantKey: 'metal', electricityWh: [10_000, 0, 12_345, 8_000] },
    { tenantKey: 'bakery', electricityWh: [0, 6_500, 0, 7_000] },
  ],
  heatLoads: [{ tenantKey: 'office', heatWh: [4_000, 4_000, 0, 0] }],
  pv: [{ tenantKey: 'pv', outputWh: [0, 5_000, 9_000, 0] }],
  blocks: ['bakery'],
  heatPump: { ownerKey: 'office', maxInputWh: 15_000, copHundredths: [312, 312, 405, 312] },
  chp: { ownerKey: 'chp', maxFuelWh: 78_947, heatLedElectricityWh: [0, 0, 0, 0] },
  battery: storage('battery'),
  heatTank: storage('chp'),
};
const base = { series: 'DEMO_DA', deliveryStart: '2026-01-01T00:00:00.000Z', prefix: 'r1-da' };

describe('day-ahead orders from the park profiles', () => {
  const orders = dayAheadOrders(plan, base);

  it('bids loads as steps per quarter-hour with energy, and process loads as one block', () => {
    expect(orders.get('metal')!.map((o) => o.step)).toEqual([
      { carrier: 'ELECTRICITY', interval: 0, side: 'BUY', price: '1.0000', quantity: '10' },
      { carrier: 'ELECTRICITY', interval: 2, side: 'BUY', price: '1.0000', quantity: '12.345' },
      { carrier: 'ELECTRICITY', interval: 3, side: 'BUY', price: '1.0000', quantity: '8' },
    ]);
    expect(LOAD_BID).toBe(10_000);
    expect(orders.get('bakery')).toEqual([
      {
        series: base.series,
        deliveryStart: base.deliveryStart,
        clientOrderId: 'r1-da-bakery-block',
        block: {
          carrier: 'ELECTRICITY',
          side: 'BUY',
          price: '1.0000',
          firstInterval: 1,
          quantities: ['6.5', '0', '7'],
        },
      },
    ]);
    expect(
      orders.get('pv')!.map((o) => [o.step!.side, o.step!.interval, o.step!.quantity]),
    ).toEqual([
      // its forecast: [0, 5, 9, 0] kWh smoothed
      ['SELL', 0, '2.5'],
      ['SELL', 1, '4.667'],
      ['SELL', 2, '4.667'],
      ['SELL', 3, '4.5'],
    ]);
  });

  it('offers the heat pump as conversions, one per COP with its exact ratio', () => {
    const pumps = orders.get('office')!.filter((o) => o.conversion);
    expect(pumps.map((o) => o.conversion)).toEqual([
      {
        input: 'ELECTRICITY',
        outputs: [{ carrier: 'HEAT', ratio: '3.12' }],
        maxInput: ['15', '15', '0', '15'],
        cost: '0',
      },
      {
        input: 'ELECTRICITY',
        outputs: [{ carrier: 'HEAT', ratio: '4.05' }],
        maxInput: ['0', '0', '15', '0'],
        cost: '0',
      },
    ]);
    expect(orders.get('office')!.filter((o) => o.step)).toHaveLength(2);
  });

  it('offers the CHP on gas at the gas price with fixed ratios, battery and tank as storages', () => {
    const chp = orders.get('chp')!;
    expect(chp[0].conversion).toEqual({
      input: null,
      outputs: [
        { carrier: 'ELECTRICITY', ratio: '0.38' },
        { carrier: 'HEAT', ratio: '0.532' },
      ],
      maxInput: ['78.947'],
      cost: '0.0850',
    });
    expect(chp[1].storage).toMatchObject({ carrier: 'HEAT', capacity: '100', initial: '50' });
    expect(orders.get('battery')![0].storage).toEqual({
      carrier: 'ELECTRICITY',
      capacity: '100',
      initial: '50',
      finalMin: '50',
      maxCharge: '25',
      maxDischarge: '20',
      chargeEfficiency: '0.95',
      dischargeEfficiency: '0.90',
      dischargeCost: '0.0200',
    });
    const ids = [...orders.values()].flat().map((o) => o.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('exact COPs: hundredths from the outside temperature, within 1.5–5', () => {
    expect(copHundredths(0)).toBe(313); // 0.45 × 313.15 / 45
    expect(copHundredths(10)).toBe(403); // 0.45 × 313.15 / 35
    expect(copHundredths(-30)).toBe(188); // 0.45 × 313.15 / 75
    expect(copHundredths(-60)).toBe(150);
    expect(copHundredths(40)).toBe(500);
    expect(hundredths(313)).toBe('3.13');
    expect(hundredths(150)).toBe('1.50');
    expect(hundredths(405)).toBe('4.05');
    expect(() => hundredths(0)).toThrow();
  });

  it('forecasts a profile by the mean of each quarter-hour and its neighbours', () => {
    expect(smoothedForecast([0, 3, 6, 9, 30])).toEqual([2, 3, 6, 15, 20]);
    expect(smoothedForecast([])).toEqual([]);
    const bids = dayAheadOrders({ ...plan, forecastLoads: ['metal'] }, base).get('metal')!;
    expect(bids.map((o) => [o.step!.interval, o.step!.quantity])).toEqual([
      [0, '5'],
      [1, '7.448'],
      [2, '6.782'],
      [3, '10.173'],
    ]);
  });

  it('the series: the run’s quarter-hours, the grid connection’s limit and tariffs', () => {
    expect(
      auctionSeriesInput({
        intervalSeconds: 4,
        intervals: 12,
        gateClosureSeconds: 23,
        importLimitWh: 55_000,
      }),
    ).toMatchObject({
      intervalSeconds: 4,
      intervals: 12,
      gateClosureSeconds: 23,
      grid: [
        { carrier: 'ELECTRICITY', importLimit: '55', importPrice: '0.2500', exportPrice: '0.0700' },
      ],
    });
  });

  it('builds the real park’s plan from the data: COPs from the weather of the day', () => {
    const real = buildDayAheadPlan(loadParkData(), {
      date: parseLocalDate('2025-04-22'),
      startQuarter: 24,
      count: 12,
    });
    expect(real.heatPump.copHundredths).toHaveLength(12);
    for (const cop of real.heatPump.copHundredths) {
      expect(cop).toBeGreaterThanOrEqual(150);
      expect(cop).toBeLessThanOrEqual(500);
    }
    const all = [...dayAheadOrders(real, base).values()].flat();
    expect(all.filter((o) => o.block).length).toBe(2);
    expect(all.filter((o) => o.storage).length).toBe(2);
    expect(all.filter((o) => o.conversion?.input === null).length).toBe(1);
  });
});
