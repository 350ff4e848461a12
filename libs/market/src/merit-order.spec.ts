import fc from 'fast-check';
import { clearBook } from './clear';
import { InvariantViolation } from './invariant';
import type { Order } from './order';
import { orderBookFromOrders, type OrderBook } from './order-book';
import type { PriceGrid } from './price-grid';
import { K_HALF, bookArbitrary, inTimeOrder } from './spec-support';
import { clearUniformPrice } from './uniform-price';

const grid: PriceGrid = { priceTick: '1', minPrice: '-1000', maxPrice: '1000' };

function order(id: bigint, side: 'BUY' | 'SELL', price: bigint, wh: bigint, at: bigint): Order {
  return { id, side, priceTicks: price, quantityWh: wh, acceptedAt: at };
}

describe('time priority', () => {
  it('orders equal times by id even when ids differ by one and rows look sorted', () => {
    // Same time, ids 2 then 1: the rows are NOT in time priority; id 1 must fill first.
    const orders = [
      order(2n, 'BUY', 5n, 1000n, 100n),
      order(1n, 'BUY', 5n, 1000n, 100n),
      order(3n, 'SELL', 5n, 1000n, 101n),
    ];
    const result = clearUniformPrice(orders, { k: K_HALF }, grid);
    expect(result.fills.map((f) => f.buyOrderId)).toEqual([1n]);
  });

  it('compares ids beyond 32 bits', () => {
    // rows look time-ordered by the low 32 bits (5 < 7) but not by value (2^32 + 5 > 7)
    const big = (1n << 32n) + 5n;
    const orders = [
      order(1n, 'BUY', 9n, 1500n, 1n),
      order(big, 'SELL', 5n, 1000n, 100n),
      order(7n, 'SELL', 5n, 1000n, 100n),
      order((1n << 33n) + 9n, 'SELL', 5n, 1000n, 100n),
    ];
    const result = clearUniformPrice(orders, { k: K_HALF }, grid);
    expect(result.fills.map((f) => [f.sellOrderId, f.quantityWh])).toEqual([
      [7n, 1000n],
      [big, 500n],
    ]);
  });

  it('earlier acceptance beats a lower id', () => {
    const orders = [
      order(1n, 'BUY', 5n, 1000n, 200n),
      order(2n, 'BUY', 5n, 1000n, 100n),
      order(3n, 'SELL', 1n, 1000n, 300n),
    ];
    expect(clearUniformPrice(orders, { k: K_HALF }, grid).fills[0].buyOrderId).toBe(2n);
  });
});

describe('larger books', () => {
  it.each([
    [
      'levels on the grid (grid span ≤ n/2)',
      { priceTick: '1', minPrice: '-2000', maxPrice: '2000' },
    ],
    ['levels on the book span', { priceTick: '1', minPrice: '-100000', maxPrice: '100000' }],
  ])('clears 20 000 orders like a literal sort-and-walk: %s', (_name, bigGrid) => {
    fc.assert(
      fc.property(
        bookArbitrary({
          maxOrders: 20_000,
          minTicks: -1500,
          maxTicks: 1500,
          maxQuantityWh: 100_000,
          timeSlots: 5000,
        }),
        (orders) => {
          const result = clearUniformPrice(orders, { k: K_HALF }, bigGrid);
          const bids = orders
            .filter((o) => o.side === 'BUY')
            .sort((a, b) => Number(b.priceTicks - a.priceTicks));
          const offers = orders
            .filter((o) => o.side === 'SELL')
            .sort((a, b) => Number(a.priceTicks - b.priceTicks));
          // volume by a plain two-pointer walk over quantities (priority within a price
          // does not change the volume)
          let volume = 0n;
          let i = 0;
          let j = 0;
          let bidLeft = bids[0]?.quantityWh ?? 0n;
          let offerLeft = offers[0]?.quantityWh ?? 0n;
          while (
            i < bids.length &&
            j < offers.length &&
            bids[i].priceTicks >= offers[j].priceTicks
          ) {
            const q = bidLeft < offerLeft ? bidLeft : offerLeft;
            volume += q;
            bidLeft -= q;
            offerLeft -= q;
            if (bidLeft === 0n && ++i < bids.length) bidLeft = bids[i].quantityWh;
            if (offerLeft === 0n && ++j < offers.length) offerLeft = offers[j].quantityWh;
          }
          expect(result.volumeWh).toBe(volume);
          const sorted = clearUniformPrice(inTimeOrder(orders), { k: K_HALF }, bigGrid);
          expect(sorted.fills).toEqual(result.fills);
        },
      ),
      { numRuns: 5 },
    );
  });
});

describe('broken books throw InvariantViolation', () => {
  const good = (): Order[] => [order(1n, 'BUY', 5n, 1000n, 1n), order(2n, 'SELL', 4n, 1000n, 2n)];

  it.each<[string, (orders: Order[]) => Order[]]>([
    ['a price off the grid', (o) => [{ ...o[0], priceTicks: 1001n }, o[1]]],
    ['a zero quantity', (o) => [{ ...o[0], quantityWh: 0n }, o[1]]],
    ['a negative quantity', (o) => [o[0], { ...o[1], quantityWh: -5n }]],
    ['a duplicate id at the same time', (o) => [o[0], { ...o[1], id: 1n, acceptedAt: 1n }]],
    ['a duplicate id', (o) => [o[0], { ...o[1], id: 1n }]],
    ['a bad side', (o) => [{ ...o[0], side: 'HOLD' as never }, o[1]]],
    ['an unsafe acceptedAt', (o) => [{ ...o[0], acceptedAt: 1n << 60n }, o[1]]],
  ])('%s', (_name, breakIt) => {
    expect(() => clearUniformPrice(breakIt(good()), { k: K_HALF }, grid)).toThrow(
      InvariantViolation,
    );
  });

  it('rejects bad columns and bad numbers in a columnar book', () => {
    const book = orderBookFromOrders(good());
    const withColumn = (patch: Partial<OrderBook>): OrderBook => ({ ...book, ...patch });
    const run = (b: OrderBook) => () => clearBook('UNIFORM_PRICE', b, { k: K_HALF }, grid);
    expect(run(withColumn({ priceTicks: Float64Array.of(5.5, 4) }))).toThrow(/invalid price/);
    expect(run(withColumn({ quantityWh: Float64Array.of(NaN, 1) }))).toThrow(/invalid quantity/);
    expect(run(withColumn({ acceptedAt: Float64Array.of(Infinity, 1) }))).toThrow(
      /invalid acceptedAt/,
    );
    expect(run(withColumn({ side: Uint8Array.of(0, 2) }))).toThrow(/invalid side/);
    expect(run(withColumn({ length: 3 }))).toThrow(/columns/);
    expect(run(withColumn({ priceTicks: [5, 4] as never }))).toThrow(/columns/);
  });

  it('rejects k outside [0, 1] and an invalid grid', () => {
    expect(() => clearUniformPrice(good(), { k: { num: 2n, den: 1n } }, grid)).toThrow(
      InvariantViolation,
    );
    expect(() =>
      clearUniformPrice(good(), { k: K_HALF }, { priceTick: '0', minPrice: '0', maxPrice: '1' }),
    ).toThrow(InvariantViolation);
  });

  it('refuses sides whose total quantity exceeds 2^53 Wh', () => {
    const huge = 2n ** 52n;
    const orders = [
      order(1n, 'BUY', 5n, huge, 1n),
      order(2n, 'BUY', 5n, huge, 2n),
      order(3n, 'SELL', 4n, 1000n, 3n),
    ];
    expect(() => clearUniformPrice(orders, { k: K_HALF }, grid)).toThrow(/2\^53 Wh/);
  });

  it('refuses amounts beyond 2^53 minor units', () => {
    const wide: PriceGrid = { priceTick: '1', minPrice: '0', maxPrice: '1000000000' };
    const orders = [
      order(1n, 'BUY', 1_000_000_000n, 1_000_000_000_000n, 1n),
      order(2n, 'SELL', 1_000_000_000n, 1_000_000_000_000n, 2n),
    ];
    expect(() => clearUniformPrice(orders, { k: K_HALF }, wide)).toThrow(InvariantViolation);
  });
});
