import { InvariantViolation } from './invariant';
import type { Order } from './order';
import { fillState } from './order';
import { OrderBookBuilder, SIDE_BUY, SIDE_SELL, orderAt, orderBookFromOrders } from './order-book';

describe('OrderBookBuilder', () => {
  it('accepts bigint, number and integer text, and grows', () => {
    const builder = new OrderBookBuilder(1);
    builder.add('9007199254740993', 'BUY', '4215', 1500, 1_767_225_600_000_000n);
    builder.add(2n, 'SELL', -3n, '1', '1767225600000001');
    builder.add(3, 'SELL', 0, 2n, 5);
    const book = builder.build();
    expect(book.length).toBe(3);
    expect([...book.id]).toEqual([9007199254740993n, 2n, 3n]);
    expect([...book.side]).toEqual([SIDE_BUY, SIDE_SELL, SIDE_SELL]);
    expect([...book.priceTicks]).toEqual([4215, -3, 0]);
    expect([...book.quantityWh]).toEqual([1500, 1, 2]);
    expect(orderAt(book, 1)).toEqual({
      id: 2n,
      side: 'SELL',
      priceTicks: -3n,
      quantityWh: 1n,
      acceptedAt: 1_767_225_600_000_001n,
    });
    // the built book is not affected by later additions
    builder.add(4n, 'BUY', 1, 1, 1);
    expect(book.length).toBe(3);
    expect(builder.build().length).toBe(4);
  });

  it.each<[string, () => unknown]>([
    ['a fractional number', () => new OrderBookBuilder().add(1n, 'BUY', 1.5, 1, 1)],
    ['decimal text', () => new OrderBookBuilder().add(1n, 'BUY', '1.5', 1, 1)],
    ['an unsafe number', () => new OrderBookBuilder().add(1n, 'BUY', 2 ** 60, 1, 1)],
    ['unsafe text', () => new OrderBookBuilder().add(1n, 'BUY', '99999999999999999', 1, 1)],
    ['an id beyond int64', () => new OrderBookBuilder().add(1n << 64n, 'BUY', 1, 1, 1)],
    ['a bad side', () => new OrderBookBuilder().add(1n, 'HOLD' as never, 1, 1, 1)],
  ])('throws InvariantViolation on %s', (_name, act) => {
    expect(act).toThrow(InvariantViolation);
  });

  it('converts orders row by row and back', () => {
    const orders: Order[] = [
      { id: 5n, side: 'SELL', priceTicks: 10n, quantityWh: 7n, acceptedAt: 3n },
      { id: 1n, side: 'BUY', priceTicks: -10n, quantityWh: 9n, acceptedAt: 4n },
    ];
    const book = orderBookFromOrders(orders);
    expect([0, 1].map((r) => orderAt(book, r))).toEqual(orders);
    expect(() => orderAt(book, 2)).toThrow(RangeError);
  });
});

describe('fillState', () => {
  it.each([
    [10n, 0n, 'UNFILLED'],
    [10n, 10n, 'FILLED'],
    [10n, 4n, 'PARTIALLY_FILLED'],
    [10, 10, 'FILLED'],
  ])('%p with %p filled → %s', (quantity, filled, state) => {
    expect(fillState(quantity, filled)).toBe(state);
  });
});
