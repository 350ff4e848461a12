import type { ImbalanceTermsInput } from './dto/imbalance-terms.input';
import { checkImbalanceTerms } from './imbalance-terms-rules';

const terms = (overrides: Partial<ImbalanceTermsInput> = {}): ImbalanceTermsInput => ({
  productCode: 'ELECTRICITY',
  meteringWindowSeconds: 86_400,
  correctionWindowSeconds: 2_678_400,
  importTariff: '0.250',
  feedInTariff: '0.07',
  ...overrides,
});

describe('checkImbalanceTerms', () => {
  it('gives canonical tariffs and no series by default', () => {
    expect(checkImbalanceTerms(terms())).toEqual({
      problems: [],
      terms: {
        meteringWindowSeconds: 86_400,
        correctionWindowSeconds: 2_678_400,
        importTariff: '0.25',
        feedInTariff: '0.07',
        auctionSeries: null,
      },
    });
  });

  it('accepts the bounds and no tariffs at all', () => {
    const edge = terms({
      meteringWindowSeconds: 2_678_400,
      correctionWindowSeconds: 31_622_400,
      importTariff: null,
      feedInTariff: null,
    });
    expect(checkImbalanceTerms(edge).problems).toEqual([]);
    const zero = terms({ meteringWindowSeconds: 0, correctionWindowSeconds: 0 });
    expect(checkImbalanceTerms(zero).problems).toEqual([]);
    expect(checkImbalanceTerms(terms({ feedInTariff: '0.25' })).problems).toEqual([]);
  });

  it.each([
    [{ meteringWindowSeconds: -1 }, 'meteringWindowSeconds'],
    [
      { meteringWindowSeconds: 2_678_401, correctionWindowSeconds: 2_678_401 },
      'meteringWindowSeconds',
    ],
    [{ correctionWindowSeconds: 31_622_401 }, 'correctionWindowSeconds'],
    [{ correctionWindowSeconds: 86_399 }, 'correctionWindowSeconds'],
    [{ importTariff: null }, 'importTariff'],
    [{ feedInTariff: null }, 'feedInTariff'],
    [{ feedInTariff: '0.2500001' }, 'feedInTariff'],
    [{ importTariff: '0.000000001' }, 'importTariff'],
    [{ importTariff: '1000000.1' }, 'importTariff'],
  ] as [Partial<ImbalanceTermsInput>, string][])('refuses %j (field %s)', (overrides, field) => {
    expect(checkImbalanceTerms(terms(overrides)).problems[0]?.field).toBe(field);
  });
});
