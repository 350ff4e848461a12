import { checkProductSettings, type ProductSettingsInput } from './product-rules';
import { ELECTRICITY } from './spec-support';

const { maxParticipantQuantityWh: _wh, updatedAt: _at, ...SETTINGS } = ELECTRICITY;

function problems(changes: Partial<ProductSettingsInput>) {
  return checkProductSettings({ ...SETTINGS, ...changes }).problems;
}

describe('product settings', () => {
  it('accepts a sound product', () => {
    expect(problems({})).toEqual([]);
  });

  it('refuses values finer than 10^-8, whatever trailing zeros say', () => {
    expect(problems({ networkFee: '0.000000001' })).toEqual([
      { field: 'networkFee', message: 'networkFee may have at most 8 decimals' },
    ]);
    expect(problems({ networkFee: '0.0150000000000', k: '1.000000000' })).toEqual([]);
  });

  it('compares the grid exactly: tick, bounds and multiples', () => {
    expect(problems({ priceTick: '0' })).toContainEqual({
      field: 'priceTick',
      message: 'priceTick must be greater than 0',
    });
    expect(problems({ minPrice: '4', maxPrice: '4.0' })).toContainEqual({
      field: 'minPrice',
      message: 'minPrice 4 must be below maxPrice 4.0',
    });
    expect(problems({ minPrice: '-0.50005' })).toContainEqual({
      field: 'minPrice',
      message: 'minPrice -0.50005 is not a multiple of the tick 0.0001',
    });
  });

  it('keeps k in [0, 1] and the fee non-negative', () => {
    expect(problems({ k: '1.00000001' })).toEqual([
      { field: 'k', message: 'k must lie in [0, 1], got 1.00000001' },
    ]);
    expect(problems({ k: '0' })).toEqual([]);
    expect(problems({ networkFee: '-0.01' })).toEqual([
      { field: 'networkFee', message: 'networkFee must not be negative' },
    ]);
  });
});
