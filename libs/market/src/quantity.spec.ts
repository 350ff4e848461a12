import { MAX_QUANTITY_WH, formatQuantity, parseQuantity } from './quantity';

function rejection(text: string) {
  const result = parseQuantity(text);
  if (result.ok) throw new Error(`expected ${text} to be rejected`);
  return result.rejection;
}

describe('parseQuantity', () => {
  it.each([
    ['1.5', 1500n],
    ['0.001', 1n],
    ['2.5000', 2500n],
    ['500', 500000n],
    ['1000000000', MAX_QUANTITY_WH],
  ])('%s kWh → %p Wh', (text, wh) => {
    expect(parseQuantity(text)).toEqual({ ok: true, value: wh });
  });

  it('rejects more than 3 significant decimals', () => {
    expect(rejection('0.0005')).toEqual({
      code: 'TOO_MANY_DECIMALS',
      message:
        'quantity 0.0005 kWh has more than 3 decimal places (the smallest unit is 1 Wh = 0.001 kWh)',
    });
    expect(rejection('1.0001').code).toBe('TOO_MANY_DECIMALS');
  });

  it('rejects zero and negative quantities', () => {
    expect(rejection('0').code).toBe('QUANTITY_NOT_POSITIVE');
    expect(rejection('0.000').code).toBe('QUANTITY_NOT_POSITIVE');
    expect(rejection('-1').code).toBe('QUANTITY_NOT_POSITIVE');
    expect(rejection('-0').code).toBe('QUANTITY_NOT_POSITIVE');
  });

  it('rejects quantities above the maximum', () => {
    expect(rejection('1000000000.001')).toEqual({
      code: 'QUANTITY_TOO_LARGE',
      message: 'quantity 1000000000.001 kWh is too large: the maximum is 1000000000 kWh',
    });
    expect(rejection('1' + '0'.repeat(40)).code).toBe('QUANTITY_TOO_LARGE');
  });

  it('rejects malformed text', () => {
    for (const text of ['', '1e3', 'NaN', '1,5', ' 1']) {
      expect(rejection(text).code).toBe('INVALID_DECIMAL');
    }
  });
});

describe('formatQuantity', () => {
  it.each([
    [1500n, '1.5'],
    [1n, '0.001'],
    [0n, '0'],
    [1000n, '1'],
    [123456789n, '123456.789'],
    [2500, '2.5'],
  ])('%p Wh → %s kWh', (wh, text) => {
    expect(formatQuantity(wh)).toBe(text);
  });

  it('round-trips', () => {
    for (const wh of [1n, 999n, 1000n, 1001n, MAX_QUANTITY_WH]) {
      expect(parseQuantity(formatQuantity(wh))).toEqual({ ok: true, value: wh });
    }
  });
});
