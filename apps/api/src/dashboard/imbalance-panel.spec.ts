/**
 * The imbalance panel's arithmetic (apps/api/dashboard/imbalance-panel.js, a browser module
 * without a build step, so loaded here untyped): one row per interval, its last revision's
 * shortfall and surplus, the amounts of every revision added up, exactly.
 */
interface Row {
  deliveryStart: string;
  revision: number;
  shortfallWh: bigint;
  surplusWh: bigint;
  amountMinor: bigint;
  readings: number;
  estimated: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { intervalRows } = require('../../dashboard/imbalance-panel.js') as {
  intervalRows: (revisions: unknown[]) => Row[];
};

const revision = (deliveryStart: string, revision: number, more: Record<string, unknown>) => ({
  deliveryStart,
  revision,
  shortfall: '0',
  surplus: '0',
  amount: '0',
  readings: 2,
  estimated: 0,
  ...more,
});

describe('the imbalance panel', () => {
  it('shows each interval once, in time order, with all its revisions’ amounts', () => {
    const rows = intervalRows([
      revision('2026-12-02T10:15:00Z', 1, {
        shortfall: '1.2',
        surplus: '0.4',
        amount: '-0.03',
        readings: 3,
      }),
      revision('2026-12-02T10:00:00Z', 0, { shortfall: '2', surplus: '1.5', amount: '0.39' }),
      revision('2026-12-02T10:15:00.000Z', 0, {
        shortfall: '1.2',
        amount: '0.3',
        readings: 2,
        estimated: 1,
      }),
    ]);
    expect(rows).toEqual([
      {
        deliveryStart: '2026-12-02T10:00:00Z',
        revision: 0,
        shortfallWh: 2000n,
        surplusWh: 1500n,
        amountMinor: 39n,
        readings: 2,
        estimated: 0,
      },
      {
        deliveryStart: '2026-12-02T10:15:00Z',
        revision: 1,
        shortfallWh: 1200n,
        surplusWh: 400n,
        amountMinor: 27n,
        readings: 3,
        estimated: 0,
      },
    ]);
    expect(intervalRows([])).toEqual([]);
  });
});
