import { demoProducts, orderInput } from './run/products';
import { buildPark, intervalContext, localTime, PARK, type RunWindow } from './park';
import { parseLocalDate } from './profiles/calendar';
import { loadParkData } from './profiles/park-data';
import { ELECTRICITY_ASK_FLOOR, ELECTRICITY_BID_CAP, HEAT_BID_CAP } from './market/tariffs';
import type { OrderIntent } from './tenants/types';

/** The whole park over a day, on the real profile files of data/. */
describe('the demo park', () => {
  const window: RunWindow = { date: parseLocalDate('2025-04-22'), startQuarter: 0, count: 96 };
  const park = buildPark(loadParkData(), window);
  const day: { tenant: string; index: number; orders: OrderIntent[] }[] = [];
  for (let index = 0; index < window.count; index++) {
    const context = intervalContext(window, index);
    for (const tenant of park)
      day.push({ tenant: tenant.key, index, orders: tenant.orders(context) });
  }
  const energy = (tenant: string, product: string, side: string) =>
    day
      .filter((d) => d.tenant === tenant)
      .flatMap((d) => d.orders)
      .filter((o) => o.product === product && o.side === side)
      .reduce((s, o) => s + o.quantityWh, 0) / 1000;

  it('has about a dozen tenants with unique keys', () => {
    expect(park.length).toBeGreaterThanOrEqual(10);
    expect(new Set(park.map((t) => t.key)).size).toBe(park.length);
    expect(park.map((t) => t.kind)).toEqual(
      expect.arrayContaining(['industry', 'pv', 'chp', 'battery', 'ev', 'heat', 'office']),
    );
  });

  it('never lets a tenant both buy and sell one product in one interval (no self-cross)', () => {
    for (const { orders } of day) {
      for (const product of ['electricity', 'heat', 'storage']) {
        expect(
          new Set(orders.filter((o) => o.product === product).map((o) => o.side)).size,
        ).toBeLessThanOrEqual(1);
      }
    }
  });

  it('sends exact decimals within the products and the tariff bounds', () => {
    const [electricity, heat, storage] = demoProducts(4);
    const products = { electricity, heat, storage };
    for (const { tenant, index, orders } of day) {
      for (const intent of orders) {
        const input = orderInput(
          intent,
          new Date(Date.UTC(2030, 0, 1)),
          `${tenant}-${index}-${intent.block}`,
        );
        expect(input.quantity).toMatch(/^\d+(\.\d{1,3})?$/);
        expect(Number(input.quantity)).toBeGreaterThan(0);
        expect(input.price).toMatch(/^-?\d+\.\d{4}$/);
        const product = products[intent.product];
        expect(Number(input.price)).toBeGreaterThanOrEqual(Number(product.minPrice));
        expect(Number(input.price)).toBeLessThanOrEqual(Number(product.maxPrice));
        if (intent.product === 'electricity') {
          expect(intent.priceTicks).toBeGreaterThanOrEqual(ELECTRICITY_ASK_FLOOR);
          expect(intent.priceTicks).toBeLessThanOrEqual(ELECTRICITY_BID_CAP);
        }
        if (intent.product === 'heat' && intent.side === 'BUY') {
          expect(intent.priceTicks).toBeLessThanOrEqual(HEAT_BID_CAP);
        }
      }
    }
  });

  it('uses plausible amounts of energy for a spring workday', () => {
    const perDay = (mwh: number) => (mwh * 1000) / 365;
    expect(energy('metal', 'electricity', 'BUY')).toBeGreaterThan(perDay(PARK.metalMWh) * 0.5);
    expect(energy('metal', 'electricity', 'BUY')).toBeLessThan(perDay(PARK.metalMWh) * 2);
    expect(energy('office', 'electricity', 'BUY')).toBeGreaterThan(perDay(PARK.officeMWh) * 0.5);
    // A sunny April day in Potsdam: 4–7 kWh per kWp.
    expect(energy('pv-hall', 'electricity', 'SELL') / PARK.pvHallKWp).toBeGreaterThan(4);
    expect(energy('pv-hall', 'electricity', 'SELL') / PARK.pvHallKWp).toBeLessThan(7);
    expect(energy('chp', 'heat', 'SELL')).toBeCloseTo(
      energy('chp', 'electricity', 'SELL') * PARK.chpHeatRatio,
      -1,
    );
    expect(energy('canteen', 'heat', 'BUY')).toBeGreaterThan(0);
    // Workplace charging happens by day.
    const night = day.filter((d) => d.tenant === 'ev' && localTime(window, d.index).hour < 5);
    const nightKWh = night.flatMap((d) => d.orders).reduce((s, o) => s + o.quantityWh, 0) / 1000;
    expect(nightKWh).toBeLessThan(energy('ev', 'electricity', 'BUY') * 0.05);
    expect(energy('ev', 'electricity', 'BUY')).toBeCloseTo(PARK.chargePoints * 0.96 * 23.3, -1);
  });

  it('PV sells nothing at night', () => {
    const night = day.filter(
      (d) => d.tenant.startsWith('pv') && localTime(window, d.index).hour < 4,
    );
    expect(night.flatMap((d) => d.orders)).toEqual([]);
  });
});
