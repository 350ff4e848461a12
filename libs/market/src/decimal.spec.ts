import {
  divideRoundHalfAwayFromZero,
  formatFixed,
  formatScaled,
  gcd,
  parseDecimal,
  rescale,
} from './decimal';

describe('parseDecimal', () => {
  it.each([
    ['0', 0n, 0],
    ['12.34', 1234n, 2],
    ['-0.5', -5n, 1],
    ['1.50', 15n, 1],
    ['-0', 0n, 0],
    ['007.0100', 701n, 2],
  ])('reads %s exactly', (text, coefficient, scale) => {
    expect(parseDecimal(text)).toEqual({ ok: true, value: { coefficient, scale } });
  });

  it.each([
    '',
    ' 1',
    '1 ',
    '+1',
    '1.',
    '.5',
    '1e3',
    '1E-2',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    '1,5',
    '--1',
    '١',
  ])('rejects %j as INVALID_DECIMAL', (text) => {
    const result = parseDecimal(text, { what: 'price' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.rejection.code).toBe('INVALID_DECIMAL');
      expect(result.rejection.message).toMatch(/^price /);
    }
  });

  it('explains exponent notation and non-numbers', () => {
    const exponent = parseDecimal('1e3');
    const nan = parseDecimal('NaN');
    expect(!exponent.ok && exponent.rejection.message).toMatch(/exponent notation/);
    expect(!nan.ok && nan.rejection.message).toMatch(/not a number/);
  });

  it('rejects non-strings and over-long text', () => {
    expect(parseDecimal(1.5).ok).toBe(false);
    expect(parseDecimal('1'.repeat(65)).ok).toBe(false);
    expect(parseDecimal('1'.repeat(64)).ok).toBe(true);
  });

  it('counts only significant decimals against maxScale', () => {
    expect(parseDecimal('1.2300', { maxScale: 2 }).ok).toBe(true);
    const tooFine = parseDecimal('1.234', { maxScale: 2, what: 'quantity' });
    expect(tooFine.ok).toBe(false);
    if (!tooFine.ok) expect(tooFine.rejection.code).toBe('TOO_MANY_DECIMALS');
  });
});

describe('formatting', () => {
  it.each([
    [0n, 4, '0'],
    [4215n, 4, '0.4215'],
    [-125n, 1, '-12.5'],
    [1200n, 2, '12'],
    [1050n, 2, '10.5'],
    [100n, 0, '100'],
    [-1n, 3, '-0.001'],
  ])('formatScaled(%p, %p) = %s', (units, scale, text) => {
    expect(formatScaled(units, scale)).toBe(text);
  });

  it.each([
    [1230n, 2, '12.30'],
    [-5n, 2, '-0.05'],
    [0n, 2, '0.00'],
    [7n, 0, '7'],
  ])('formatFixed(%p, %p) = %s', (units, scale, text) => {
    expect(formatFixed(units, scale)).toBe(text);
  });

  it('rescales up only', () => {
    expect(rescale({ coefficient: 15n, scale: 1 }, 3)).toBe(1500n);
    expect(() => rescale({ coefficient: 15n, scale: 1 }, 0)).toThrow(RangeError);
  });
});

describe('divideRoundHalfAwayFromZero', () => {
  it.each([
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [7n, 3n, 2n],
    [-7n, 3n, -2n],
    [8n, 3n, 3n],
    [-8n, 3n, -3n],
    [1n, 2n, 1n],
    [-1n, 2n, -1n],
    [1n, 3n, 0n],
    [0n, 7n, 0n],
  ])('%p / %p = %p', (n, d, q) => {
    expect(divideRoundHalfAwayFromZero(n, d)).toBe(q);
  });

  it('refuses a non-positive denominator', () => {
    expect(() => divideRoundHalfAwayFromZero(1n, 0n)).toThrow(RangeError);
  });

  it('gcd', () => {
    expect(gcd(12n, 18n)).toBe(6n);
    expect(gcd(0n, 5n)).toBe(5n);
    expect(gcd(-4n, 6n)).toBe(2n);
  });
});
