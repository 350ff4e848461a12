import type { ParkBalance } from '../day-ahead/balance';
import { formatPark } from './report';

const balance = (costCents: bigint, peakImportWh: number): ParkBalance => ({
  importWh: [peakImportWh, 1_000],
  exportWh: [0, 0],
  boilerWh: [0, 500],
  peakImportWh,
  chpGasWh: 2_000n,
  costCents,
});

describe('the park comparison in the summary', () => {
  it('shows cost and peak import with and without the auction, and the saving', () => {
    const text = formatPark({
      without: balance(20_280n, 67_755),
      with: balance(18_311n, 61_350),
      dayAhead: {
        status: 'CLEARED',
        dispatch: null,
        awardedWh: new Map(),
        assetWh: new Map(),
        awards: 136,
        blocks: [{ tenant: 'bakery', outcome: 'ACCEPTED' }],
        welfare: '979.6542',
      },
      dayAheadOrders: 136,
      importLimitWh: 55_000,
    });
    expect(text).toMatch(
      /park cost outside the park, EUR\s+202\.80\s+183\.11\s+-19\.69 \(-9\.7 %\)/,
    );
    expect(text).toMatch(
      /peak grid import \(quarter-hour\)\s+271\.0 kW\s+245\.4 kW\s+-25\.6 kW \(-9\.5 %\)/,
    );
    expect(text).toContain('grid import limit 220.0 kW; blocks: bakery ACCEPTED');
    expect(text).toContain(
      'The integrated auction saved the park 19.69 EUR (9.7 %) and lowered its peak import by 25.6 kW (9.5 %).',
    );
  });

  it('without the auction run: no "with" column', () => {
    const text = formatPark({
      without: balance(100n, 4_000),
      with: null,
      dayAhead: null,
      dayAheadOrders: 0,
      importLimitWh: 55_000,
    });
    expect(text).toContain('Day-ahead auction: not run (--no-auction).');
    expect(text).not.toContain('saved the park');
  });
});
