import { formatPrice, parsePrice } from './price';
import { validatePriceGrid, type PriceGrid } from './price-grid';
import { InvariantViolation } from './invariant';

const grid: PriceGrid = { priceTick: '0.0001', minPrice: '-500', maxPrice: '4000' };

function rejection(text: string, g: PriceGrid = grid) {
  const result = parsePrice(text, g);
  if (result.ok) throw new Error(`expected ${text} to be rejected`);
  return result.rejection;
}

describe('parsePrice', () => {
  it.each([
    ['0.4215', 4215n],
    ['0.42150', 4215n],
    ['-12.5', -125000n],
    ['0', 0n],
    ['-0', 0n],
    ['4000', 40000000n],
    ['-500', -5000000n],
    ['0.0001', 1n],
  ])('%s → %p ticks', (text, ticks) => {
    expect(parsePrice(text, grid)).toEqual({ ok: true, value: ticks });
  });

  it('rejects a price off the tick, naming price and tick', () => {
    expect(rejection('0.12345')).toEqual({
      code: 'OFF_TICK',
      message: 'price 0.12345 is not a multiple of the tick 0.0001',
    });
    expect(rejection('0.3', { priceTick: '0.25', minPrice: '0', maxPrice: '10' }).code).toBe(
      'OFF_TICK',
    );
  });

  it('rejects prices outside [minPrice, maxPrice]', () => {
    expect(rejection('4000.0001')).toEqual({
      code: 'PRICE_OUT_OF_RANGE',
      message: 'price 4000.0001 is outside the allowed range [-500, 4000]',
    });
    expect(rejection('-500.0001').code).toBe('PRICE_OUT_OF_RANGE');
    expect(rejection('99999999999999999999999999').code).toBe('PRICE_OUT_OF_RANGE');
  });

  it('rejects malformed text', () => {
    expect(rejection('1e2').code).toBe('INVALID_DECIMAL');
    expect(rejection('').code).toBe('INVALID_DECIMAL');
    expect(rejection('abc').code).toBe('INVALID_DECIMAL');
    expect(rejection('0.' + '1'.repeat(19)).code).toBe('TOO_MANY_DECIMALS');
  });

  it('works with coarse ticks and negative-only ranges', () => {
    const coarse: PriceGrid = { priceTick: '2.5', minPrice: '-10', maxPrice: '-5' };
    expect(parsePrice('-7.5', coarse)).toEqual({ ok: true, value: -3n });
    expect(rejection('-6', coarse).code).toBe('OFF_TICK');
    expect(rejection('0', coarse).code).toBe('PRICE_OUT_OF_RANGE');
  });

  it('throws on an unvalidated, invalid grid', () => {
    expect(() => parsePrice('1', { priceTick: '0', minPrice: '0', maxPrice: '1' })).toThrow(
      InvariantViolation,
    );
  });
});

describe('formatPrice', () => {
  it.each([
    [4215n, '0.4215'],
    [-125000n, '-12.5'],
    [0n, '0'],
    [1n, '0.0001'],
    [40000000n, '4000'],
    [4215, '0.4215'],
  ])('%p ticks → %s', (ticks, text) => {
    expect(formatPrice(ticks, grid)).toBe(text);
  });

  it('round-trips through parsePrice', () => {
    for (const ticks of [-5000000n, -1n, 0n, 7n, 123456n, 40000000n]) {
      expect(parsePrice(formatPrice(ticks, grid), grid)).toEqual({ ok: true, value: ticks });
    }
  });

  it('refuses unsafe numbers', () => {
    expect(() => formatPrice(0.5, grid)).toThrow(InvariantViolation);
  });
});

describe('validatePriceGrid', () => {
  it('canonicalises a valid grid', () => {
    expect(validatePriceGrid({ priceTick: '0.00010', minPrice: '-0.50', maxPrice: '4.0' })).toEqual(
      { ok: true, value: { priceTick: '0.0001', minPrice: '-0.5', maxPrice: '4' } },
    );
  });

  it.each([
    [{ priceTick: '0', minPrice: '0', maxPrice: '1' }, 'INVALID_PRICE_GRID', /positive/],
    [{ priceTick: '-0.1', minPrice: '0', maxPrice: '1' }, 'INVALID_PRICE_GRID', /positive/],
    [{ priceTick: '0.1', minPrice: '0.05', maxPrice: '1' }, 'INVALID_PRICE_GRID', /minPrice 0.05/],
    [{ priceTick: '0.1', minPrice: '0', maxPrice: '1.01' }, 'INVALID_PRICE_GRID', /maxPrice 1.01/],
    [{ priceTick: '0.1', minPrice: '2', maxPrice: '1' }, 'INVALID_PRICE_GRID', /above maxPrice/],
    [{ priceTick: 'x', minPrice: '0', maxPrice: '1' }, 'INVALID_DECIMAL', /priceTick/],
    [
      { priceTick: '0.000000000000000001', minPrice: '0', maxPrice: '100' },
      'INVALID_PRICE_GRID',
      /2\^53/,
    ],
  ])('rejects %j', (spec, code, message) => {
    const result = validatePriceGrid(spec);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.rejection.code).toBe(code);
      expect(result.rejection.message).toMatch(message);
    }
  });

  it('re-reads a grid object whose strings changed', () => {
    const mutable = { priceTick: '0.1', minPrice: '0', maxPrice: '10' };
    expect(formatPrice(5n, mutable)).toBe('0.5');
    mutable.priceTick = '0.5';
    expect(formatPrice(5n, mutable)).toBe('2.5');
  });
});
