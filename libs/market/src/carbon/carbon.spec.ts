import { ratio } from '../ratio';
import {
  carbonReport,
  chpFactors,
  parkIntensity,
  poolFactor,
  purchaseFrom,
  supplyFactor,
  type CarbonFactors,
  type FactorVersion,
  type MeteredImport,
  type Supply,
} from '.';

/** 2039-01-10T12:00:00Z */
const T1 = 2_178_273_600_000;
const T2 = T1 + 900_000;

const none = {
  mgPerKwh: null,
  electricalEfficiency: null,
  thermalEfficiency: null,
  referenceElectricalEfficiency: null,
  referenceThermalEfficiency: null,
  efficiency: null,
};
const PV: FactorVersion = {
  ...none,
  assetKind: 'PV',
  fuel: 'SUN',
  validFromMs: 0,
  mgPerKwh: 0n,
  renewable: true,
};
const CHP_GAS: FactorVersion = {
  ...none,
  assetKind: 'CHP',
  fuel: 'NATURAL_GAS',
  validFromMs: 0,
  mgPerKwh: 201_000n,
  electricalEfficiency: ratio(7n, 20n),
  thermalEfficiency: ratio(1n, 2n),
  referenceElectricalEfficiency: ratio(7n, 20n),
  referenceThermalEfficiency: ratio(4n, 5n),
  renewable: false,
};
const HEAT_PUMP: FactorVersion = {
  ...none,
  assetKind: 'HEAT_PUMP',
  fuel: 'ELECTRICITY',
  validFromMs: 0,
  efficiency: ratio(16n, 5n),
  renewable: false,
};

/** Grid 380 g/kWh by default, 400 g/kWh uploaded for T1; heat 280 g/kWh. */
const FACTORS: CarbonFactors = {
  versions: [PV, CHP_GAS, HEAT_PUMP],
  defaults: [
    { name: 'GRID_ELECTRICITY', validFromMs: 0, mgPerKwh: 380_000n },
    { name: 'HEAT', validFromMs: 0, mgPerKwh: 280_000n },
  ],
  grid: new Map([[T1, 400_000n]]),
};

const pv = { kind: 'ASSET', assetKind: 'PV', fuel: 'SUN' } as const;
const chp = { kind: 'ASSET', assetKind: 'CHP', fuel: 'NATURAL_GAS' } as const;

describe('emission factors', () => {
  it('shares a CHP fuel factor by the efficiency method, exactly', () => {
    const { electricity, heat } = chpFactors(
      201_000n,
      ratio(7n, 20n),
      ratio(1n, 2n),
      ratio(7n, 20n),
      ratio(4n, 5n),
    );
    // d = 0.35/0.35 + 0.5/0.8 = 13/8; f_el = F/(0.35·13/8), f_th = F/(0.8·13/8)
    expect(electricity).toEqual(ratio(201_000n * 160n, 91n));
    expect(heat).toEqual(ratio(201_000n * 10n, 13n));
    // η_el·f_el + η_th·f_th = F: the fuel's emissions are shared out, no more, no less
    const shared =
      (7n * electricity.num * 2n * heat.den + 1n * heat.num * 20n * electricity.den) /
      (40n * electricity.den * heat.den);
    expect(shared).toBe(201_000n);
  });

  it('gives each supply its factor, the reference factor where no rule applies', () => {
    expect(supplyFactor(FACTORS, pv, 'ELECTRICITY', T1)).toEqual({
      factor: ratio(0n, 1n),
      renewable: true,
    });
    expect(supplyFactor(FACTORS, chp, 'HEAT', T1).factor).toEqual(ratio(2_010_000n, 13n));
    // heat pump: the grid's factor of the interval over the COP
    expect(
      supplyFactor(
        FACTORS,
        { kind: 'ASSET', assetKind: 'HEAT_PUMP', fuel: 'ELECTRICITY' },
        'HEAT',
        T1,
      ).factor,
    ).toEqual(ratio(125_000n, 1n));
    // a battery discharges at the grid's factor; a seller without an asset too
    const battery = { kind: 'ASSET', assetKind: 'BATTERY', fuel: 'STORED' } as const;
    expect(supplyFactor(FACTORS, battery, 'ELECTRICITY', T2).factor).toEqual(ratio(380_000n, 1n));
    expect(supplyFactor(FACTORS, { kind: 'DEFAULT' }, 'HEAT', T2)).toEqual({
      factor: ratio(280_000n, 1n),
      renewable: false,
    });
    // PV selling heat, a CHP on an unconfigured fuel: the carrier's reference factor
    expect(supplyFactor(FACTORS, pv, 'HEAT', T1).factor).toEqual(ratio(280_000n, 1n));
    expect(
      supplyFactor(FACTORS, { ...chp, fuel: 'HEATING_OIL' }, 'ELECTRICITY', T1).factor,
    ).toEqual(ratio(400_000n, 1n));
  });

  it('takes the version valid at the interval', () => {
    const later: FactorVersion = { ...PV, validFromMs: T2, mgPerKwh: 40_000n, renewable: false };
    const factors = { ...FACTORS, versions: [PV, later] };
    expect(supplyFactor(factors, pv, 'ELECTRICITY', T1).factor).toEqual(ratio(0n, 1n));
    expect(supplyFactor(factors, pv, 'ELECTRICITY', T2)).toEqual({
      factor: ratio(40_000n, 1n),
      renewable: false,
    });
  });
});

describe('carbon report: the hand-computed case', () => {
  // The bakery buys 2 kWh of PV electricity and 1 kWh of CHP heat in T1 (grid 400 g/kWh), and
  // 1 kWh of CHP electricity in T2 (grid 380 g/kWh, the default); its meters read 3 kWh and 1 kWh
  // of heat in T1, 1.5 kWh in T2.
  const bakery = 'bakery';
  const metered: MeteredImport[] = [
    { participantId: bakery, startMs: T1, carrier: 'ELECTRICITY', importWh: 3000n },
    { participantId: bakery, startMs: T1, carrier: 'HEAT', importWh: 1000n },
    { participantId: bakery, startMs: T2, carrier: 'ELECTRICITY', importWh: 1500n },
  ];
  const bought = (
    startMs: number,
    carrier: 'ELECTRICITY' | 'HEAT',
    wh: bigint,
    supply: Supply = pv,
  ) =>
    purchaseFrom(
      { participantId: bakery, startMs, carrier, quantityWh: wh },
      supplyFactor(FACTORS, supply, carrier, startMs),
    );
  const purchases = [
    bought(T1, 'ELECTRICITY', 2000n, pv),
    bought(T1, 'HEAT', 1000n, chp),
    bought(T2, 'ELECTRICITY', 1000n, chp),
  ];

  it('computes location-based, market-based, renewable share and avoided emissions', () => {
    const report = carbonReport(FACTORS, metered, purchases);
    // electricity: LB 3·400 + 1.5·380 = 1770 g; MB 1·400 (T1 residual) + 353.4066 (CHP, 1 kWh
    // at 201·160/91 g) + 0.5·380 (T2 residual) = 943.4066 g; avoided 826.5934 g
    expect(report.lines[0]).toEqual({
      carrier: 'ELECTRICITY',
      consumptionWh: 4500n,
      parkPurchasesWh: 3000n,
      residualWh: 1500n,
      renewableWh: 2000n,
      renewableShareBp: 4444n,
      locationBasedG: 1770n,
      marketBasedG: 943n,
      avoidedG: 827n,
    });
    // heat: LB 1·280 = 280 g; MB 1 kWh at 201·10/13 = 154.6154 g; avoided 125.3846 g
    expect(report.lines[1]).toEqual({
      carrier: 'HEAT',
      consumptionWh: 1000n,
      parkPurchasesWh: 1000n,
      residualWh: 0n,
      renewableWh: 0n,
      renewableShareBp: 0n,
      locationBasedG: 280n,
      marketBasedG: 155n,
      avoidedG: 125n,
    });
    // total: MB 1098.0220 g, avoided 951.9780 g, renewable 2/5.5
    expect(report.total).toEqual({
      carrier: null,
      consumptionWh: 5500n,
      parkPurchasesWh: 4000n,
      residualWh: 1500n,
      renewableWh: 2000n,
      renewableShareBp: 3636n,
      locationBasedG: 2050n,
      marketBasedG: 1098n,
      avoidedG: 952n,
    });
  });

  it("gives the park's carbon intensity per interval", () => {
    const points = parkIntensity(FACTORS, [T1, T2, T2 + 900_000], metered, purchases);
    expect(points).toEqual([
      // 400 g over 3 kWh
      {
        startMs: T1,
        consumptionWh: 3000n,
        emissionsG: 400n,
        intensityMgPerKwh: 133_333n,
        gridMgPerKwh: 400_000n,
      },
      // 543.4066 g over 1.5 kWh = 362.2711 g/kWh
      {
        startMs: T2,
        consumptionWh: 1500n,
        emissionsG: 543n,
        intensityMgPerKwh: 362_271n,
        gridMgPerKwh: 380_000n,
      },
      {
        startMs: T2 + 900_000,
        consumptionWh: 0n,
        emissionsG: 0n,
        intensityMgPerKwh: null,
        gridMgPerKwh: 380_000n,
      },
    ]);
  });

  it('claims purchases beyond the metered import only for the metered part', () => {
    // 2 kWh of CHP electricity bought, 1 kWh metered: 1 kWh at 201·160/91 g = 353.4066 g
    const report = carbonReport(
      FACTORS,
      [{ participantId: bakery, startMs: T1, carrier: 'ELECTRICITY', importWh: 1000n }],
      [bought(T1, 'ELECTRICITY', 2000n, chp), bought(T2, 'ELECTRICITY', 500n, pv)],
    );
    expect(report.lines[0]).toEqual({
      carrier: 'ELECTRICITY',
      consumptionWh: 1000n,
      parkPurchasesWh: 2500n,
      residualWh: 0n,
      renewableWh: 0n,
      renewableShareBp: 0n,
      locationBasedG: 400n,
      marketBasedG: 353n,
      avoidedG: 47n,
    });
    // nothing metered: nothing claimed, whatever was bought
    expect(carbonReport(FACTORS, [], [bought(T1, 'ELECTRICITY', 2000n, chp)]).total).toMatchObject({
      marketBasedG: 0n,
      avoidedG: 0n,
      renewableShareBp: null,
    });
  });

  it('caps the renewable part at the metered import', () => {
    const report = carbonReport(
      FACTORS,
      [{ participantId: bakery, startMs: T1, carrier: 'ELECTRICITY', importWh: 1000n }],
      [bought(T1, 'ELECTRICITY', 2000n, pv)],
    );
    expect(report.lines[0]).toMatchObject({
      residualWh: 0n,
      renewableWh: 1000n,
      renewableShareBp: 10_000n,
      marketBasedG: 0n,
      avoidedG: 400n,
    });
  });
});

describe('the integrated auction pool', () => {
  it('gives every buyer the quantity-weighted factor and renewable share of what was sold', () => {
    const grid = supplyFactor(FACTORS, { kind: 'DEFAULT' }, 'ELECTRICITY', T1);
    const pool = poolFactor(
      [
        { quantityWh: 1000n, supply: supplyFactor(FACTORS, pv, 'ELECTRICITY', T1) },
        { quantityWh: 1000n, supply: grid },
      ],
      grid,
    );
    expect(pool).toEqual({ factor: ratio(200_000n, 1n), renewableShare: ratio(1n, 2n) });
    expect(poolFactor([], grid)).toEqual({ factor: grid.factor, renewableShare: ratio(0n, 1n) });
    const report = carbonReport(
      FACTORS,
      [{ participantId: 'b', startMs: T1, carrier: 'ELECTRICITY', importWh: 500n }],
      [
        {
          participantId: 'b',
          startMs: T1,
          carrier: 'ELECTRICITY',
          quantityWh: 500n,
          factor: pool.factor,
          renewableWh: ratio(500n * pool.renewableShare.num, pool.renewableShare.den),
        },
      ],
    );
    expect(report.lines[0]).toMatchObject({
      marketBasedG: 100n,
      renewableWh: 250n,
      avoidedG: 100n,
    });
  });

  it('keeps thirds exact until the one rounding', () => {
    const third = ratio(1_000_000n, 3n); // 333.33… g/kWh
    const starts = [1, 2, 3].map((i) => T1 + i * 900_000);
    const report = carbonReport(
      FACTORS,
      starts.map((startMs) => ({
        participantId: 'b',
        startMs,
        carrier: 'ELECTRICITY' as const,
        importWh: 1500n,
      })),
      [1, 2, 3].map((i) => ({
        participantId: 'b',
        startMs: T1 + i * 900_000,
        carrier: 'ELECTRICITY' as const,
        quantityWh: 1500n, // 500 g each, exactly
        factor: third,
        renewableWh: ratio(0n, 1n),
      })),
    );
    expect(report.lines[0].marketBasedG).toBe(1500n);
  });
});
