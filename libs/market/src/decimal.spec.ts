import fc from 'fast-check';
import {
  MAX_DECIMAL_SCALE,
  canonicalDecimal,
  divideRoundHalfAwayFromZero,
  formatDecimal,
  formatFixed,
  formatScaled,
  gcd,
  parseDecimal,
  parseScaled,
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

describe('parseScaled', () => {
  const scales = fc.integer({ min: 0, max: MAX_DECIMAL_SCALE });
  const units = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });

  it.each([
    ['-12.34', 2, -1234n],
    ['0.5', 3, 500n],
    ['7', 2, 700n],
    ['1.2300', 2, 123n],
    ['-0', 4, 0n],
    ['0.25', MAX_DECIMAL_SCALE, 250_000_000_000_000_000n],
  ])('reads %s at scale %p as %p', (text, scale, expected) => {
    expect(parseScaled(text, scale)).toEqual({ ok: true, value: expected });
  });

  it('reads back every integer count it formats, trimmed or fixed', () => {
    fc.assert(
      fc.property(units, scales, (value, scale) => {
        expect(parseScaled(formatScaled(value, scale), scale)).toEqual({ ok: true, value });
        expect(parseScaled(formatFixed(value, scale), scale)).toEqual({ ok: true, value });
      }),
    );
  });

  it('scales up exactly: text of scale s read at scale s + k is 10^k times its count', () => {
    fc.assert(
      fc.property(units, scales, fc.integer({ min: 0, max: 12 }), (value, scale, more) => {
        const read = parseScaled(formatScaled(value, scale), scale + more);
        expect(read).toEqual({ ok: true, value: value * 10n ** BigInt(more) });
      }),
    );
  });

  it('gives comparable keys: the order of the values is the order of the keys', () => {
    fc.assert(
      fc.property(units, scales, units, scales, (a, sa, b, sb) => {
        const key = (value: bigint, scale: number) => {
          const read = parseScaled(formatScaled(value, scale), MAX_DECIMAL_SCALE);
          if (!read.ok) throw new Error(read.rejection.message);
          return read.value;
        };
        // a / 10^sa < b / 10^sb  ⇔  a·10^sb < b·10^sa
        const less = a * 10n ** BigInt(sb) < b * 10n ** BigInt(sa);
        expect(key(a, sa) < key(b, sb)).toBe(less);
      }),
    );
  });

  it('refuses a value finer than the scale, however it is written', () => {
    fc.assert(
      fc.property(units, scales, fc.integer({ min: 1, max: 6 }), (value, scale, finer) => {
        // a last digit that is not zero below 10^-scale
        const fine = value * 10n ** BigInt(finer) + (value < 0n ? -1n : 1n);
        const read = parseScaled(formatScaled(fine, scale + finer), scale, { what: 'price' });
        expect(read.ok).toBe(false);
        if (!read.ok) {
          expect(read.rejection.code).toBe('TOO_MANY_DECIMALS');
          expect(read.rejection.message).toMatch(/^price .* has more than \d+ decimal place/);
        }
      }),
    );
  });

  it('refuses text that is not a plain decimal', () => {
    const notDecimal = fc
      .string({ unit: fc.constantFrom('0', '1', '9', '.', '-', '+', 'e', ' ', 'x'), maxLength: 8 })
      .filter((text) => !/^-?\d+(\.\d+)?$/.test(text));
    fc.assert(
      fc.property(notDecimal, scales, (text, scale) => {
        const read = parseScaled(text, scale);
        expect(read.ok).toBe(false);
        if (!read.ok) expect(read.rejection.code).toBe('INVALID_DECIMAL');
      }),
    );
    expect(parseScaled('abc', 2).ok).toBe(false);
    expect(parseScaled(12, 2).ok).toBe(false);
  });

  it('takes only a whole, non-negative scale', () => {
    expect(() => parseScaled('1', -1)).toThrow(RangeError);
    expect(() => parseScaled('1', 1.5)).toThrow(RangeError);
  });
});

describe('canonicalDecimal', () => {
  it.each([
    ['0.50', '0.5'],
    ['4.0000', '4'],
    ['100', '100'],
    ['-12.3400', '-12.34'],
    ['0.000', '0'],
    ['-0.000', '0'],
    ['0.33333333333333333333', '0.33333333333333333333'],
  ])('%s → %s', (text, canonical) => {
    expect(canonicalDecimal(text)).toBe(canonical);
  });

  it('agrees with formatDecimal on numeric text', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.nat(MAX_DECIMAL_SCALE),
        (units, scale) => {
          const text = formatFixed(units, scale);
          const parsed = parseDecimal(text);
          if (!parsed.ok) throw new Error(parsed.rejection.message);
          expect(canonicalDecimal(text)).toBe(formatDecimal(parsed.value));
        },
      ),
    );
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
