/**
 * Shared helpers for this library's specs (not part of the public API): small books
 * written the way people read them, and fast-check arbitraries for random books.
 */
import fc from 'fast-check';
import type { Order, Side } from './order';
import { parsePrice } from './price';
import type { PriceGrid } from './price-grid';
import type { Ratio } from './ratio';

export const UNIT_GRID: PriceGrid = { priceTick: '1', minPrice: '-1000', maxPrice: '1000' };
export const TENTH_GRID: PriceGrid = { priceTick: '0.1', minPrice: '-1000', maxPrice: '1000' };
export const K_HALF: Ratio = { num: 1n, den: 2n };
export const K_ZERO: Ratio = { num: 0n, den: 1n };
export const K_ONE: Ratio = { num: 1n, den: 1n };
export const ONE_KWH = 1000n;
const EPOCH_US = 1_767_225_600_000_000n; // 2026-01-01T00:00:00Z

/**
 * One-kWh orders at the given decimal prices: bids first (ids 1, 2, …), then offers,
 * each accepted one microsecond after the previous one.
 */
export function unitBook(
  bidPrices: readonly string[],
  offerPrices: readonly string[],
  grid: PriceGrid,
): Order[] {
  const orders: Order[] = [];
  const add = (side: Side, price: string) => {
    const ticks = parsePrice(price, grid);
    if (!ticks.ok) throw new Error(ticks.rejection.message);
    const id = BigInt(orders.length + 1);
    orders.push({
      id,
      side,
      priceTicks: ticks.value,
      quantityWh: ONE_KWH,
      acceptedAt: EPOCH_US + id,
    });
  };
  for (const price of bidPrices) add('BUY', price);
  for (const price of offerPrices) add('SELL', price);
  return orders;
}

export interface BookShape {
  readonly maxOrders: number;
  readonly minTicks: number;
  readonly maxTicks: number;
  readonly maxQuantityWh: number;
  /** acceptedAt is drawn from this many microseconds (few → many time ties). */
  readonly timeSlots: number;
}

/** Random books: both sides, unique ids in random order, ties in price and time. */
export function bookArbitrary(shape: BookShape): fc.Arbitrary<Order[]> {
  const row = fc.record({
    side: fc.constantFrom<Side>('BUY', 'SELL'),
    priceTicks: fc.integer({ min: shape.minTicks, max: shape.maxTicks }),
    quantityWh: fc.integer({ min: 1, max: shape.maxQuantityWh }),
    time: fc.integer({ min: 0, max: shape.timeSlots - 1 }),
  });
  return fc.array(row, { maxLength: shape.maxOrders }).chain((rows) =>
    fc
      .uniqueArray(fc.bigInt({ min: 1n, max: 1n << 40n }), {
        minLength: rows.length,
        maxLength: rows.length,
      })
      .map((ids) =>
        rows.map((r, i) => ({
          id: ids[i],
          side: r.side,
          priceTicks: BigInt(r.priceTicks),
          quantityWh: BigInt(r.quantityWh),
          acceptedAt: EPOCH_US + BigInt(r.time),
        })),
      ),
  );
}

/** A book together with a permutation of it. */
export function withPermutation<T>(
  items: fc.Arbitrary<T[]>,
): fc.Arbitrary<{ items: T[]; permuted: T[] }> {
  return items.chain((list) =>
    fc
      .array(fc.double({ min: 0, max: 1, noNaN: true }), {
        minLength: list.length,
        maxLength: list.length,
      })
      .map((keys) => ({
        items: list,
        permuted: list
          .map((item, i) => ({ item, key: keys[i] }))
          .sort((a, b) => a.key - b.key)
          .map(({ item }) => item),
      })),
  );
}

/** Rows sorted into time priority (acceptedAt, then id), as the matcher loads them. */
export function inTimeOrder(orders: readonly Order[]): Order[] {
  return [...orders].sort((a, b) =>
    a.acceptedAt !== b.acceptedAt
      ? a.acceptedAt < b.acceptedAt
        ? -1
        : 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0,
  );
}
