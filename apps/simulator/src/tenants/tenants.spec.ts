import { priceContext, type Season } from '../market/reference-price';
import {
  ELECTRICITY_ASK_FLOOR,
  ELECTRICITY_BID_CAP,
  HEAT_ASK_FLOOR,
  HEAT_BID_CAP,
  STORAGE_ASK_HIGH,
  STORAGE_ASK_LOW,
} from '../market/tariffs';
import { battery } from './battery';
import { chp } from './chp';
import { consumer, FLEXIBLE_BIDS } from './consumer';
import { pv } from './pv';
import type { IntervalContext, OrderIntent, ProductKey, Side } from './types';

const at = (hour: number, index = 0, season: Season = 'summer'): IntervalContext => ({
  index,
  hour,
  prices: priceContext(season, hour),
});
const total = (orders: OrderIntent[], product: ProductKey, side: Side) =>
  orders
    .filter((o) => o.product === product && o.side === side)
    .reduce((s, o) => s + o.quantityWh, 0);

describe('tenant models', () => {
  const plant = consumer({
    key: 'plant',
    name: 'Plant',
    kind: 'industry',
    description: '',
    electricityWh: [25_000, 0],
    heatWh: [12_345, 0],
    premium: 200,
  });

  it('a plant bids its load, electricity and heat, and nothing else', () => {
    const orders = plant.orders(at(10));
    expect(total(orders, 'electricity', 'BUY')).toBe(25_000);
    expect(total(orders, 'heat', 'BUY')).toBe(12_345);
    expect(orders.every((o) => o.side === 'BUY')).toBe(true);
    expect(plant.orders(at(10, 1))).toEqual([]);
  });

  it('a plant bids around the reference price, never above the tariff less the fee', () => {
    for (let hour = 0; hour < 24; hour++) {
      const context = at(hour);
      const orders = plant.orders(context);
      const electricity = orders.filter((o) => o.product === 'electricity');
      expect(Math.max(...electricity.map((o) => o.priceTicks))).toBeLessThanOrEqual(
        ELECTRICITY_BID_CAP,
      );
      expect(Math.min(...electricity.map((o) => o.priceTicks))).toBeGreaterThanOrEqual(
        ELECTRICITY_ASK_FLOOR,
      );
      const mostly = electricity.filter(
        (o) => o.priceTicks >= context.prices.electricity.reference,
      );
      expect(mostly.reduce((s, o) => s + o.quantityWh, 0)).toBeGreaterThan(12_500);
      for (const o of orders.filter((o) => o.product === 'heat')) {
        expect(o.priceTicks).toBeLessThanOrEqual(HEAT_BID_CAP);
      }
    }
  });

  it('EV charging never bids above the reference (flexible load)', () => {
    const hub = consumer({
      key: 'ev',
      name: 'EV',
      kind: 'ev',
      description: '',
      electricityWh: [9000],
      bids: FLEXIBLE_BIDS,
    });
    const context = at(9);
    const orders = hub.orders(context);
    expect(total(orders, 'electricity', 'BUY')).toBe(9000);
    expect(orders.every((o) => o.priceTicks <= context.prices.electricity.reference)).toBe(true);
    expect(orders.some((o) => o.priceTicks < context.prices.electricity.reference)).toBe(true);
  });

  const roof = pv({ key: 'pv', name: 'PV', description: '', outputWh: [0, 80_000, 80_000] });

  it('PV offers its whole output, never below the feed-in floor, and nothing at night', () => {
    expect(roof.orders(at(2, 0))).toEqual([]);
    const noon = roof.orders(at(13, 1));
    expect(total(noon, 'electricity', 'SELL')).toBe(80_000);
    for (const o of noon.filter((o) => o.product === 'electricity')) {
      expect(o.priceTicks).toBeGreaterThanOrEqual(ELECTRICITY_ASK_FLOOR);
      expect(o.priceTicks).toBeLessThanOrEqual(ELECTRICITY_BID_CAP);
    }
  });

  it('PV rents battery capacity when the park is cheap, not at the evening peak', () => {
    const noon = roof.orders(at(13, 1));
    const storage = noon.filter((o) => o.product === 'storage');
    expect(storage).toHaveLength(1);
    expect(storage[0]).toMatchObject({ side: 'BUY', quantityWh: 16_000 });
    expect(storage[0].priceTicks).toBeGreaterThan(STORAGE_ASK_LOW);
    expect(roof.orders(at(20, 2)).filter((o) => o.product === 'storage')).toEqual([]);
  });

  it('the CHP sells its electricity and heat output', () => {
    const unit = chp({
      key: 'chp',
      name: 'CHP',
      description: '',
      electricityWh: [30_000],
      heatWh: [42_000],
    });
    const orders = unit.orders(at(7));
    expect(total(orders, 'electricity', 'SELL')).toBe(30_000);
    expect(total(orders, 'heat', 'SELL')).toBe(42_000);
    expect(orders.every((o) => o.side === 'SELL')).toBe(true);
    for (const o of orders.filter((o) => o.product === 'heat')) {
      expect(o.priceTicks).toBeGreaterThanOrEqual(HEAT_ASK_FLOOR);
    }
  });

  it('the battery offers its capacity every interval at its two prices', () => {
    const store = battery({ key: 'bat', name: 'Battery', description: '', capacityWh: 500_000 });
    for (const hour of [0, 12, 20]) {
      expect(store.orders(at(hour))).toEqual([
        {
          product: 'storage',
          side: 'SELL',
          priceTicks: STORAGE_ASK_LOW,
          quantityWh: 250_000,
          block: 's1',
        },
        {
          product: 'storage',
          side: 'SELL',
          priceTicks: STORAGE_ASK_HIGH,
          quantityWh: 250_000,
          block: 's2',
        },
      ]);
    }
  });
});
