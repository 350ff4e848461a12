import { divideRounded, summarize, type Need, type Statement } from './summary';

/**
 * One interval: a plant needs 10 kWh, a PV has 8 kWh. They trade 6 kWh at 0.1500 with a fee of
 * 0.0150: the plant pays 0.90 + 0.09, the PV gets 0.90.
 */
describe('summary', () => {
  const needs: Need[] = [
    { tenant: 'plant', product: 'electricity', side: 'BUY', index: 0, quantityWh: 6000 },
    { tenant: 'plant', product: 'electricity', side: 'BUY', index: 0, quantityWh: 4000 },
    { tenant: 'pv', product: 'electricity', side: 'SELL', index: 0, quantityWh: 8000 },
    { tenant: 'pv', product: 'storage', side: 'BUY', index: 0, quantityWh: 1000 },
    { tenant: 'battery', product: 'storage', side: 'SELL', index: 0, quantityWh: 5000 },
  ];
  const statements: Statement[] = [
    {
      tenant: 'plant',
      product: 'electricity',
      index: 0,
      netEnergyWh: 6000n,
      netAmountCents: -99n,
      feesCents: -9n,
    },
    {
      tenant: 'pv',
      product: 'electricity',
      index: 0,
      netEnergyWh: -6000n,
      netAmountCents: 90n,
      feesCents: 0n,
    },
    {
      tenant: 'pv',
      product: 'storage',
      index: 0,
      netEnergyWh: 1000n,
      netAmountCents: -2n,
      feesCents: 0n,
    },
    {
      tenant: 'battery',
      product: 'storage',
      index: 0,
      netEnergyWh: -1000n,
      netAmountCents: 2n,
      feesCents: 0n,
    },
  ];
  const summary = summarize({
    tenants: [
      { key: 'plant', name: 'Plant' },
      { key: 'pv', name: 'PV' },
      { key: 'battery', name: 'Battery' },
    ],
    needs,
    statements,
    clearings: [
      { product: 'electricity', index: 0, priceTicks: 1500, volumeWh: 6000n },
      { product: 'storage', index: 0, priceTicks: 20, volumeWh: 1000n },
    ],
    products: ['electricity', 'heat', 'storage'],
  });

  it('compares each tenant with the grid: tariff for what it buys, feed-in for what it sells', () => {
    const [plant, pv, battery] = summary.tenants;
    // Grid only: 10 kWh × 0.25 = 2.50. With ParkEx: 0.99 + 4 kWh × 0.25 = 1.99.
    expect(plant).toMatchObject({
      baselineCents: 250n,
      actualCents: 199n,
      savedCents: 51n,
      boughtWh: 6000n,
    });
    // Grid only: −8 kWh × 0.07 = −0.56. With ParkEx: −0.90 − 2 kWh × 0.07 = −1.04.
    expect(pv).toMatchObject({
      baselineCents: -56n,
      actualCents: -104n,
      savedCents: 48n,
      soldWh: 6000n,
      storageRentCents: -2n,
    });
    expect(battery).toMatchObject({ savedCents: 0n, storageRentCents: 2n });
    expect(summary.savedCents).toBe(99n);
    expect(summary.storageRentCents).toBe(0n);
    expect(summary.feesCents).toBe(9n);
  });

  it('reports volume, volume-weighted price and the share of demand per product', () => {
    const [electricity, heat, storage] = summary.products;
    expect(electricity).toMatchObject({
      intervals: 1,
      traded: 1,
      tradedWh: 6000n,
      averagePriceTicks: 1500,
      demandWh: 10_000n,
    });
    expect(heat).toMatchObject({ intervals: 0, traded: 0, averagePriceTicks: null });
    expect(storage.averagePriceTicks).toBe(20);
  });

  it('rounds a division half away from zero', () => {
    expect(divideRounded(5n, 2n)).toBe(3n);
    expect(divideRounded(-5n, 2n)).toBe(-3n);
    expect(divideRounded(7n, 3n)).toBe(2n);
  });
});
