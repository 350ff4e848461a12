import {
  formatImbalance,
  lateRevision,
  settlementComplete,
  summarizeImbalance,
  type SettlementRevision,
} from './imbalance';

const T0 = '2026-12-02T03:00:00.000Z';
const T1 = '2026-12-02T03:00:04.000Z';
type Line = SettlementRevision['lines'][number];
const line = (revision: number, overrides: Partial<Line>): Line => ({
  revision,
  kind: 'NEW',
  participantId: '1',
  estimated: false,
  imbalance: '0',
  amount: '0',
  ...overrides,
});

/**
 * Two intervals of DEMO_ELECTRICITY: at T0 the bakery (1) took 2 kWh more than it bought, the PV
 * (2) delivered 1.5 kWh more than it sold. At T1 the bakery's reading was late: revision 0
 * estimated it, revision 1 reversed that and settled a 0.4 kWh surplus.
 */
const settlements: SettlementRevision[] = [
  {
    productCode: 'DEMO_ELECTRICITY',
    deliveryStart: T0,
    revision: 0,
    lines: [
      line(0, { participantId: '1', imbalance: '2', amount: '-0.5' }),
      line(0, { participantId: '2', imbalance: '-1.5', amount: '0.11' }),
    ],
  },
  {
    productCode: 'DEMO_ELECTRICITY',
    deliveryStart: T1,
    revision: 0,
    lines: [
      line(0, { participantId: '1', estimated: true }),
      line(0, { participantId: '2', imbalance: '0.25', amount: '-0.06' }),
    ],
  },
  {
    productCode: 'DEMO_ELECTRICITY',
    deliveryStart: '2026-12-02T03:00:04Z',
    revision: 1,
    lines: [
      line(1, { participantId: '1', kind: 'REVERSAL', estimated: true }),
      line(1, { participantId: '1', imbalance: '-0.4', amount: '0.03' }),
    ],
  },
];
const tenants = [
  { id: '1', name: 'Industrial bakery' },
  { id: '2', name: 'Rooftop PV' },
];
const expected = [
  { productCode: 'DEMO_ELECTRICITY', deliveryStart: T0 },
  { productCode: 'DEMO_ELECTRICITY', deliveryStart: T1 },
];
const late = { productCode: 'DEMO_ELECTRICITY', deliveryStart: T1, participantId: '1' };

describe('the imbalance part of the summary', () => {
  it('adds up the lines in force per tenant and the amounts over every revision', () => {
    const summary = summarizeImbalance({ tenants, settlements, expected, late, readings: 4 });
    expect(summary.tenants).toEqual([
      {
        name: 'Industrial bakery',
        shortfallWh: 2000n,
        surplusWh: 400n,
        amountCents: -47n,
        estimated: 0,
      },
      { name: 'Rooftop PV', shortfallWh: 250n, surplusWh: 1500n, amountCents: 5n, estimated: 0 },
    ]);
    expect(summary).toMatchObject({ expected: 2, settled: 2, corrections: 1 });
    expect(summary.late).toEqual({
      tenant: 'Industrial bakery',
      productCode: 'DEMO_ELECTRICITY',
      deliveryStart: T1,
      revision: 1,
    });
    const text = formatImbalance(summary);
    expect(text).toMatch(/Industrial bakery\s+2\.000\s+0\.400\s+-0\.47/);
    expect(text).toMatch(/Rooftop PV\s+0\.250\s+1\.500\s+0\.05/);
    expect(text).toMatch(/park total\s+2\.250\s+1\.900\s+-0\.42/);
    expect(text).toMatch(/estimated at revision 0, settled with the reading at revision 1/);
    expect(text).not.toMatch(/Incomplete|Not settled/);
    expect(text).toMatch(/Meters: 4 readings over 2 product-intervals/);
  });

  it('knows when everything the meters reported is settled', () => {
    expect(settlementComplete(expected, settlements, late)).toBe(true);
    expect(lateRevision(settlements, late)).toBe(1);
    // before the late reading's revision
    expect(settlementComplete(expected, settlements.slice(0, 2), late)).toBe(false);
    expect(settlementComplete(expected, settlements.slice(0, 2), null)).toBe(true);
    // the matcher settled the interval only after the late reading was in
    const inTime: SettlementRevision = {
      ...settlements[1],
      lines: [line(0, { participantId: '1', imbalance: '-0.4', amount: '0.03' })],
    };
    expect(lateRevision([settlements[0], inTime], late)).toBe(0);
    expect(settlementComplete(expected, [settlements[0], inTime], late)).toBe(true);
    expect(
      formatImbalance(
        summarizeImbalance({ tenants, settlements: [settlements[0], inTime], expected, late }),
      ),
    ).toMatch(/revision 0\), so no correction was needed/);
    // before the second interval's metering window closed
    expect(settlementComplete(expected, settlements.slice(0, 1), null)).toBe(false);
  });

  it('says so when the settlement has not happened yet instead of printing zeros', () => {
    const text = formatImbalance(
      summarizeImbalance({
        tenants,
        settlements: [],
        expected,
        late,
        timedOut: 'the imbalance settlement was not complete 30 s after the last metering window',
      }),
    );
    expect(text).toMatch(/Not settled yet: none of the 2 metered product-intervals/);
    expect(text).toMatch(/not complete 30 s after/);
    expect(text).not.toMatch(/park total/);
  });

  it('flags a partial settlement, an estimate and a late reading not yet re-settled', () => {
    const text = formatImbalance(
      summarizeImbalance({ tenants, settlements: settlements.slice(0, 2), expected, late }),
    );
    expect(text).toMatch(/Industrial bakery\s+2\.000\s+0\.000\s+-0\.50\s+1/);
    expect(text).toMatch(/not re-settled yet/);
    expect(text).toMatch(/estimated: lines settled without a reading/);
    const partial = formatImbalance(
      summarizeImbalance({ tenants, settlements: settlements.slice(0, 1), expected, late: null }),
    );
    expect(partial).toMatch(/Incomplete: 1 of 2 metered product-intervals are not settled yet/);
  });

  it('says when no reading went in', () => {
    const text = formatImbalance(
      summarizeImbalance({ tenants, settlements: [], expected: [], late: null }),
    );
    expect(text).toMatch(/No meter readings went in/);
  });
});
