import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  canonicalBook,
  canonicalBookClearing,
  canonicalResult,
  hashBook,
  hashBookClearing,
  hashResult,
  type ClearingTerms,
} from './canonical';
import { clear, clearBook } from './clear';
import { InvariantViolation } from './invariant';
import { orderBookFromOrders } from './order-book';
import type { PriceGrid } from './price-grid';
import { K_HALF, TENTH_GRID, bookArbitrary, unitBook, withPermutation } from './spec-support';
import { toClearingResult } from './clearing-output';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const terms: ClearingTerms = { mechanism: 'UNIFORM_PRICE', k: K_HALF, grid: TENTH_GRID };

describe('canonicalBook', () => {
  it('is compact JSON in a fixed order, orders by id, integers as strings', () => {
    const orders = unitBook(['4.5'], ['4'], TENTH_GRID).reverse();
    expect(canonicalBook(orders, terms)).toBe(
      '{"format":"parkex.book.v1","mechanism":"UNIFORM_PRICE","k":"1/2",' +
        '"grid":{"priceTick":"0.1","minPrice":"-1000","maxPrice":"1000"},"orders":[' +
        '["1","BUY","45","1000","1767225600000001"],' +
        '["2","SELL","40","1000","1767225600000002"]]}',
    );
    expect(hashBook(orders, terms)).toBe(sha256(canonicalBook(orders, terms)));
  });

  it('canonicalises k and the grid, and ignores k for PAY_AS_BID', () => {
    const orders = unitBook(['4.5'], ['4'], TENTH_GRID);
    const sameTerms: ClearingTerms = {
      mechanism: 'UNIFORM_PRICE',
      k: { num: 5n, den: 10n },
      grid: { priceTick: '0.10', minPrice: '-1000.0', maxPrice: '1000' },
    };
    expect(hashBook(orders, sameTerms)).toBe(hashBook(orders, terms));
    const payAsBid = (k: typeof K_HALF): ClearingTerms => ({
      ...terms,
      mechanism: 'PAY_AS_BID',
      k,
    });
    expect(canonicalBook(orders, payAsBid(K_HALF))).toContain('"k":null');
    expect(hashBook(orders, payAsBid(K_HALF))).toBe(
      hashBook(orders, payAsBid({ num: 0n, den: 1n })),
    );
  });

  it('changes with any term or order field', () => {
    const orders = unitBook(['4.5'], ['4'], TENTH_GRID);
    const base = hashBook(orders, terms);
    const otherGrid: PriceGrid = { ...TENTH_GRID, maxPrice: '999.9' };
    expect(hashBook(orders, { ...terms, k: { num: 1n, den: 3n } })).not.toBe(base);
    expect(hashBook(orders, { ...terms, grid: otherGrid })).not.toBe(base);
    expect(hashBook(orders, { ...terms, mechanism: 'PAY_AS_BID' })).not.toBe(base);
    expect(hashBook([{ ...orders[0], quantityWh: 999n }, orders[1]], terms)).not.toBe(base);
    expect(hashBook([{ ...orders[0], acceptedAt: 0n }, orders[1]], terms)).not.toBe(base);
    expect(hashBook(orders.slice(1), terms)).not.toBe(base);
  });

  it('refuses duplicate ids', () => {
    const [a] = unitBook(['1'], [], TENTH_GRID);
    expect(() => hashBook([a, { ...a, acceptedAt: 5n }], terms)).toThrow(InvariantViolation);
  });
});

describe('result hashes', () => {
  const grid: PriceGrid = { priceTick: '0.01', minPrice: '-5', maxPrice: '5' };
  const shape = { maxOrders: 40, minTicks: -50, maxTicks: 50, maxQuantityWh: 3000, timeSlots: 5 };

  it('are byte-identical for the same book in any row order, for both input forms', () => {
    fc.assert(
      fc.property(withPermutation(bookArbitrary(shape)), ({ items, permuted }) => {
        const t: ClearingTerms = { ...terms, grid };
        expect(hashBook(permuted, t)).toBe(hashBook(items, t));
        expect(canonicalBook(orderBookFromOrders(permuted), t)).toBe(canonicalBook(items, t));
        const a = clear('UNIFORM_PRICE', items, { k: K_HALF }, grid);
        const b = clear('UNIFORM_PRICE', permuted, { k: K_HALF }, grid);
        expect(canonicalResult(b)).toBe(canonicalResult(a));
        expect(hashResult(a)).toBe(sha256(canonicalResult(a)));
        const book = orderBookFromOrders(permuted);
        const columnar = clearBook('UNIFORM_PRICE', book, { k: K_HALF }, grid);
        expect(canonicalBookClearing(book, columnar)).toBe(canonicalResult(a));
        expect(hashBookClearing(book, columnar)).toBe(hashResult(a));
        expect(hashResult(toClearingResult(book, columnar))).toBe(hashResult(a));
      }),
      { numRuns: 150 },
    );
  });

  it('spells out a small result', () => {
    const result = clear(
      'UNIFORM_PRICE',
      unitBook(['7', '4', '3'], ['1', '1', '5'], TENTH_GRID),
      {
        k: K_HALF,
      },
      TENTH_GRID,
    );
    expect(canonicalResult(result)).toBe(
      '{"format":"parkex.result.v1","status":"CLEARED","mechanism":"UNIFORM_PRICE",' +
        '"priceTicks":"35","priceRange":{"lowTicks":"30","highTicks":"40"},"volumeWh":"2000",' +
        '"amountMinor":"700","bidCount":3,"offerCount":3,' +
        '"filled":[["1","1000"],["2","1000"],["3","0"],["4","1000"],["5","1000"],["6","0"]],' +
        '"fills":[["1","4","1000","35","350"],["2","5","1000","35","350"]],' +
        '"demandCurve":[["70","1000"],["40","2000"],["30","3000"]],' +
        '"supplyCurve":[["10","2000"],["50","3000"]]}',
    );
  });

  it('differ when the result differs', () => {
    const orders = unitBook(['7', '4', '3'], ['1', '1', '5'], TENTH_GRID);
    const a = clear('UNIFORM_PRICE', orders, { k: K_HALF }, TENTH_GRID);
    const b = clear('UNIFORM_PRICE', orders, { k: { num: 1n, den: 1n } }, TENTH_GRID);
    expect(hashResult(a)).not.toBe(hashResult(b));
  });
});
