import { assetFitsDevice, deviceBeyondRatings } from './devices';

// 100 kW charge, 50 kW discharge, 200 kWh: 25 and 12.5 kWh in a quarter hour
const battery = {
  kind: 'BATTERY',
  energyCapacityWh: 200_000n,
  chargePowerW: 100_000n,
  dischargePowerW: 50_000n,
};
const storage = (maxChargeWh: bigint, maxDischargeWh: bigint, capacityWh = 200_000n) => ({
  kind: 'STORAGE' as const,
  capacityWh,
  maxChargeWh,
  maxDischargeWh,
});

describe('integrated-auction devices and their assets', () => {
  it('match storages to batteries and heat tanks, conversions to CHPs, heat pumps, boilers, electrolysers', () => {
    expect(assetFitsDevice('BATTERY', 'STORAGE')).toBe(true);
    expect(assetFitsDevice('HEAT_TANK', 'STORAGE')).toBe(true);
    expect(assetFitsDevice('PV', 'STORAGE')).toBe(false);
    expect(assetFitsDevice('HEAT_PUMP', 'CONVERSION')).toBe(true);
    expect(assetFitsDevice('ELECTROLYSER', 'CONVERSION')).toBe(true);
    expect(assetFitsDevice('BATTERY', 'CONVERSION')).toBe(false);
  });

  it('keep a storage within power per interval and capacity, at the bound', () => {
    expect(deviceBeyondRatings(storage(25_000n, 12_500n), battery, 900, 1000)).toBeNull();
    expect(deviceBeyondRatings(storage(25_001n, 12_500n), battery, 900, 1000)).toEqual({
      field: 'maxCharge',
      wh: 25_001n,
      limitWh: 25_000n,
    });
    expect(deviceBeyondRatings(storage(1n, 12_501n), battery, 900, 1000)?.field).toBe(
      'maxDischarge',
    );
    expect(deviceBeyondRatings(storage(1n, 1n, 200_001n), battery, 900, 1000)?.field).toBe(
      'capacity',
    );
  });

  it('derate at WARNING: half the power gives half the energy', () => {
    expect(deviceBeyondRatings(storage(12_500n, 6_250n), battery, 900, 500)).toBeNull();
    expect(deviceBeyondRatings(storage(12_501n, 1n), battery, 900, 500)?.limitWh).toBe(12_500n);
  });

  it('keep every interval of a conversion’s input within the charge (input) power', () => {
    const pump = { ...battery, kind: 'HEAT_PUMP' };
    const conversion = (maxInputWh: bigint | bigint[]) => ({
      kind: 'CONVERSION' as const,
      maxInputWh,
    });
    expect(deviceBeyondRatings(conversion([25_000n, 0n]), pump, 900, 1000)).toBeNull();
    expect(deviceBeyondRatings(conversion([1n, 25_001n]), pump, 900, 1000)).toEqual({
      field: 'maxInput',
      wh: 25_001n,
      limitWh: 25_000n,
    });
    expect(deviceBeyondRatings(conversion(25_001n), pump, 900, 1000)?.field).toBe('maxInput');
  });
});
