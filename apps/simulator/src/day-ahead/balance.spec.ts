import {
  baselineDispatch,
  chpHeatWh,
  dispatchFromAwards,
  parkBalance,
  type Dispatch,
} from './balance';
import type { DayAheadPlan } from './plan';

const storage = (ownerKey: string) => ({
  ownerKey,
  capacityWh: 100_000,
  initialWh: 50_000,
  maxChargeWh: 25_000,
  maxDischargeWh: 25_000,
  chargeEfficiencyPercent: 95,
  dischargeEfficiencyPercent: 95,
  dischargeCostTicks: 200,
});

const plan: DayAheadPlan = {
  count: 2,
  forecastLoads: [],
  loads: [
    { tenantKey: 'metal', electricityWh: [50_000, 20_000] },
    { tenantKey: 'bakery', electricityWh: [10_000, 0] },
  ],
  heatLoads: [
    { tenantKey: 'office', heatWh: [30_000, 5_000] },
    { tenantKey: 'metal', heatWh: [10_000, 0] },
  ],
  pv: [{ tenantKey: 'pv', outputWh: [0, 40_000] }],
  blocks: ['bakery'],
  heatPump: { ownerKey: 'office', maxInputWh: 5_000, copHundredths: [400, 300] },
  chp: { ownerKey: 'chp', maxFuelWh: 78_947, heatLedElectricityWh: [3_800, 0] },
  battery: storage('battery'),
  heatTank: storage('chp'),
};

describe('the park at its grid connection', () => {
  it('without the auction: CHP heat-led, heat pump for its owner, storages idle', () => {
    const d = baselineDispatch(plan);
    // heat pump: min(30 kWh, 5 kWh × 4) = 20 kWh of heat for 5 kWh; then 5 kWh heat for 1.667
    expect(d).toEqual({
      electricityWh: [5_000 - 3_800, 1_667],
      heatWh: [20_000 + 5_320, 5_000],
      chpElectricityWh: [3_800, 0],
    });
    expect(chpHeatWh(3_800)).toBe(5_320);
    expect(chpHeatWh(1)).toBe(1); // 1.4 rounded half up
  });

  it('imports, exports, boilers, gas and the outside cost, exactly', () => {
    const balance = parkBalance(plan, baselineDispatch(plan));
    expect(balance.importWh).toEqual([61_200, 0]);
    expect(balance.exportWh).toEqual([0, 18_333]);
    expect(balance.boilerWh).toEqual([40_000 - 25_320, 0]);
    expect(balance.peakImportWh).toBe(61_200);
    expect(balance.chpGasWh).toBe(10_000n);
    // 61.2 × 0.25 − 18.333 × 0.07 + 14.68 × 0.095 + 10 × 0.085 = 15.3 − 1.28331 + 1.3946 + 0.85
    expect(balance.costCents).toBe(1626n);
  });

  it('with the auction: the awards of conversions and storages are the dispatch', () => {
    const d: Dispatch = dispatchFromAwards(2, [
      // heat pump: takes electricity, delivers heat
      {
        chp: false,
        flows: [
          { carrier: 'ELECTRICITY', quantitiesWh: [5_000, 0] },
          { carrier: 'HEAT', quantitiesWh: [-20_000, 0] },
        ],
      },
      // CHP: delivers both
      {
        chp: true,
        flows: [
          { carrier: 'ELECTRICITY', quantitiesWh: [-7_600, 0] },
          { carrier: 'HEAT', quantitiesWh: [-10_640, 0] },
        ],
      },
      // battery: discharges into the peak, charges from the PV
      { chp: false, flows: [{ carrier: 'ELECTRICITY', quantitiesWh: [-25_000, 25_000] }] },
    ]);
    expect(d).toEqual({
      electricityWh: [5_000 - 7_600 - 25_000, 25_000],
      heatWh: [30_640, 0],
      chpElectricityWh: [7_600, 0],
    });
    const balance = parkBalance(plan, d);
    expect(balance.importWh).toEqual([32_400, 5_000]);
    expect(balance.peakImportWh).toBe(32_400);
    expect(balance.boilerWh).toEqual([9_360, 5_000]);
    expect(balance.chpGasWh).toBe(20_000n);
    // (32.4 + 5) × 0.25 + (9.36 + 5) × 0.095 + 20 × 0.085 = 9.35 + 1.3642 + 1.7
    expect(balance.costCents).toBe(1241n);
  });
});
