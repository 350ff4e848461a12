import { deviceAssets, deviceKind } from './assets';
import type { AuctionOrderInput } from './orders';

const base = { clientOrderId: 'x', series: 'S', deliveryStart: '2026-12-01T00:00:00Z' };
const storage = (carrier: 'ELECTRICITY' | 'HEAT', maxCharge: string): AuctionOrderInput => ({
  ...base,
  storage: {
    carrier,
    capacity: '500',
    initial: '250',
    finalMin: '250',
    maxCharge,
    maxDischarge: '62.5',
    chargeEfficiency: '0.95',
    dischargeEfficiency: '0.95',
    dischargeCost: '0',
  },
});

describe('assets behind the day-ahead device orders', () => {
  it('names the kind by order: battery, heat tank, CHP on fuel, heat pump on electricity', () => {
    expect(deviceKind(storage('ELECTRICITY', '1'))).toBe('BATTERY');
    expect(deviceKind(storage('HEAT', '1'))).toBe('HEAT_TANK');
    const conversion = (input: 'ELECTRICITY' | null): AuctionOrderInput => ({
      ...base,
      conversion: { input, outputs: [], maxInput: ['1'], cost: '0' },
    });
    expect(deviceKind(conversion(null))).toBe('CHP');
    expect(deviceKind(conversion('ELECTRICITY'))).toBe('HEAT_PUMP');
    expect(
      deviceKind({
        ...base,
        step: { carrier: 'HEAT', interval: 0, side: 'BUY', price: '1', quantity: '1' },
      }),
    ).toBeNull();
  });

  it('rates an asset for its largest order in one interval, rounded up to the watt', () => {
    // 62.5 kWh in a 4-second interval: 56,250 kW; 62.501 kWh: 56,250.9 kW
    const assets = deviceAssets(
      [storage('ELECTRICITY', '62.5'), storage('ELECTRICITY', '62.501')],
      4,
    );
    expect(assets.get('BATTERY')).toEqual({
      kind: 'BATTERY',
      energyCapacity: '500.000',
      chargePower: '56250.900',
      dischargePower: '56250.000',
    });
  });
});
