/**
 * Properties of both mechanisms on random books, checked against a slow reference
 * written here from the clearing rule of libs/market/README.md (full comparison sorts, bigint only).
 */
import fc from 'fast-check';
import { hashResult } from './canonical';
import { clear, clearBook } from './clear';
import type { ClearingResult } from './clearing-result';
import { toClearingResult } from './clearing-output';
import { fillAmountMinor } from './money';
import type { Mechanism, Order } from './order';
import { orderBookFromOrders } from './order-book';
import type { PriceGrid } from './price-grid';
import type { Ratio } from './ratio';
import { bookArbitrary, inTimeOrder, withPermutation, type BookShape } from './spec-support';

interface ReferenceFill {
  buyOrderId: bigint;
  sellOrderId: bigint;
  quantityWh: bigint;
  bidPrice: bigint;
}

interface Reference {
  fills: ReferenceFill[];
  volume: bigint;
  low: bigint | null;
  high: bigint | null;
}

const byPriority = (direction: 1n | -1n) => (a: Order, b: Order) => {
  if (a.priceTicks !== b.priceTicks) return (a.priceTicks - b.priceTicks) * direction < 0n ? -1 : 1;
  if (a.acceptedAt !== b.acceptedAt) return a.acceptedAt < b.acceptedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

/** The merit-order walk, literally: sort both sides, fill min(remaining) while bid ≥ offer. */
function referenceWalk(orders: readonly Order[]): Reference {
  const bids = orders.filter((o) => o.side === 'BUY').sort(byPriority(-1n));
  const offers = orders.filter((o) => o.side === 'SELL').sort(byPriority(1n));
  const bidLeft = bids.map((o) => o.quantityWh);
  const offerLeft = offers.map((o) => o.quantityWh);
  const fills: ReferenceFill[] = [];
  let i = 0;
  let j = 0;
  while (i < bids.length && j < offers.length && bids[i].priceTicks >= offers[j].priceTicks) {
    const q = bidLeft[i] < offerLeft[j] ? bidLeft[i] : offerLeft[j];
    fills.push({
      buyOrderId: bids[i].id,
      sellOrderId: offers[j].id,
      quantityWh: q,
      bidPrice: bids[i].priceTicks,
    });
    bidLeft[i] -= q;
    offerLeft[j] -= q;
    if (bidLeft[i] === 0n) i++;
    if (offerLeft[j] === 0n) j++;
  }
  const volume = fills.reduce((sum, f) => sum + f.quantityWh, 0n);
  if (fills.length === 0) return { fills, volume, low: null, high: null };
  const last = fills[fills.length - 1];
  const lastOffer = offers.find((o) => o.id === last.sellOrderId)!.priceTicks;
  const openBids = bids.filter((_, x) => bidLeft[x] > 0n).map((o) => o.priceTicks);
  const openOffers = offers.filter((_, x) => offerLeft[x] > 0n).map((o) => o.priceTicks);
  const low = [lastOffer, ...openBids].reduce((a, b) => (a > b ? a : b));
  const high = [last.bidPrice, ...openOffers].reduce((a, b) => (a < b ? a : b));
  return { fills, volume, low, high };
}

/** Max tradable volume: max over candidate prices p of min(demand at ≥ p, supply at ≤ p). */
function maxTradableVolume(orders: readonly Order[]): bigint {
  let best = 0n;
  for (const p of new Set(orders.map((o) => o.priceTicks))) {
    let demand = 0n;
    let supply = 0n;
    for (const o of orders) {
      if (o.side === 'BUY' && o.priceTicks >= p) demand += o.quantityWh;
      if (o.side === 'SELL' && o.priceTicks <= p) supply += o.quantityWh;
    }
    const tradable = demand < supply ? demand : supply;
    if (tradable > best) best = tradable;
  }
  return best;
}

/** L + k·(U − L) rounded to the nearest tick, an exact half up, by plain fractions. */
function referencePrice(low: bigint, high: bigint, k: Ratio): bigint {
  const scaled = low * k.den + k.num * (high - low); // price × den
  let whole = scaled / k.den; // truncates towards zero
  if (whole * k.den > scaled) whole -= 1n; // floor
  const twiceRemainder = 2n * (scaled - whole * k.den);
  return twiceRemainder >= k.den ? whole + 1n : whole;
}

const kArbitrary: fc.Arbitrary<Ratio> = fc.oneof(
  fc.constant({ num: 1n, den: 2n }),
  fc.constant({ num: 0n, den: 1n }),
  fc.constant({ num: 1n, den: 1n }),
  fc
    .tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 }))
    .map(([den, num]) => ({ num: BigInt(Math.min(num, den)), den: BigInt(den) })),
);

const mechanismArbitrary = fc.constantFrom<Mechanism>('UNIFORM_PRICE', 'PAY_AS_BID');

interface Scenario {
  readonly name: string;
  readonly grid: PriceGrid;
  readonly shape: BookShape;
}

const scenarios: Scenario[] = [
  {
    name: 'few price levels, many ties (levels on the grid, one pass)',
    grid: { priceTick: '0.01', minPrice: '-2', maxPrice: '2' },
    shape: { maxOrders: 60, minTicks: -20, maxTicks: 30, maxQuantityWh: 5000, timeSlots: 4 },
  },
  {
    name: 'day-ahead-like prices (levels on the book span)',
    grid: { priceTick: '0.0001', minPrice: '-0.5', maxPrice: '4' },
    shape: { maxOrders: 120, minTicks: 500, maxTicks: 900, maxQuantityWh: 500000, timeSlots: 50 },
  },
  {
    name: 'negative prices',
    grid: { priceTick: '1', minPrice: '-100', maxPrice: '100' },
    shape: { maxOrders: 40, minTicks: -100, maxTicks: 10, maxQuantityWh: 3, timeSlots: 3 },
  },
  {
    name: 'sparse wide prices (levels from sorted distinct prices)',
    grid: { priceTick: '0.0001', minPrice: '-1000', maxPrice: '1000' },
    shape: {
      maxOrders: 80,
      minTicks: -10_000_000,
      maxTicks: 10_000_000,
      maxQuantityWh: 1_000_000_000,
      timeSlots: 1000,
    },
  },
];

function checkAgainstReference(
  orders: readonly Order[],
  result: ClearingResult,
  mechanism: Mechanism,
  k: Ratio,
  grid: PriceGrid,
): void {
  const reference = referenceWalk(orders);
  const byId = new Map(orders.map((o) => [o.id, o]));

  // volume = maximum tradable volume = sum of fills = bought = sold
  expect(result.volumeWh).toBe(maxTradableVolume(orders));
  expect(result.volumeWh).toBe(reference.volume);
  const filled = [...result.filled];
  const bought = filled.filter(([id]) => byId.get(id)!.side === 'BUY');
  const sold = filled.filter(([id]) => byId.get(id)!.side === 'SELL');
  expect(bought.reduce((s, [, q]) => s + q, 0n)).toBe(result.volumeWh);
  expect(sold.reduce((s, [, q]) => s + q, 0n)).toBe(result.volumeWh);
  expect(result.fills.reduce((s, f) => s + f.quantityWh, 0n)).toBe(result.volumeWh);

  // every order appears; none filled beyond its quantity; filled = sum of its fills
  expect(result.filled.size).toBe(orders.length);
  const fromFills = new Map<bigint, bigint>();
  for (const f of result.fills) {
    fromFills.set(f.buyOrderId, (fromFills.get(f.buyOrderId) ?? 0n) + f.quantityWh);
    fromFills.set(f.sellOrderId, (fromFills.get(f.sellOrderId) ?? 0n) + f.quantityWh);
  }
  const problems: string[] = [];
  for (const o of orders) {
    const q = result.filled.get(o.id)!;
    if (!(q >= 0n && q <= o.quantityWh))
      problems.push(`order ${o.id} filled ${q} of ${o.quantityWh}`);
    if (q !== (fromFills.get(o.id) ?? 0n)) problems.push(`order ${o.id}: filled ≠ its fills`);
  }

  // the same pairs, in the same order, as the literal walk
  expect(result.fills.map((f) => [f.buyOrderId, f.sellOrderId, f.quantityWh])).toEqual(
    reference.fills.map((f) => [f.buyOrderId, f.sellOrderId, f.quantityWh]),
  );

  // counts and curves
  expect(result.bidCount).toBe(orders.filter((o) => o.side === 'BUY').length);
  expect(result.offerCount).toBe(orders.length - result.bidCount);
  for (const point of result.demandCurve) {
    const atOrAbove = orders
      .filter((o) => o.side === 'BUY' && o.priceTicks >= point.priceTicks)
      .reduce((s, o) => s + o.quantityWh, 0n);
    if (point.quantityWh !== atOrAbove) problems.push(`demand at ${point.priceTicks}`);
  }
  expect(result.demandCurve.length).toBe(
    new Set(orders.filter((o) => o.side === 'BUY').map((o) => o.priceTicks)).size,
  );
  for (const point of result.supplyCurve) {
    const atOrBelow = orders
      .filter((o) => o.side === 'SELL' && o.priceTicks <= point.priceTicks)
      .reduce((s, o) => s + o.quantityWh, 0n);
    if (point.quantityWh !== atOrBelow) problems.push(`supply at ${point.priceTicks}`);
  }
  expect(problems).toEqual([]);

  if (reference.fills.length === 0) {
    expect(result.status).toBe('NO_TRADE');
    expect(result.priceTicks).toBeNull();
    expect(result.priceRange).toBeNull();
    expect(result.amountMinor).toBe(0n);
    expect(filled.every(([, q]) => q === 0n)).toBe(true);
    return;
  }
  expect(result.status).toBe('CLEARED');
  expect(result.priceRange).toEqual({ lowTicks: reference.low, highTicks: reference.high });
  const { lowTicks: low, highTicks: high } = result.priceRange!;
  expect(low <= high).toBe(true);

  // prices: within each fill's limits; uniform price in [L, U] as the rule says
  if (mechanism === 'UNIFORM_PRICE') {
    const price = result.priceTicks!;
    expect(price).toBe(referencePrice(low, high, k));
    expect(price >= low && price <= high).toBe(true);
    for (const f of result.fills) if (f.priceTicks !== price) problems.push('fill off the price');
  } else {
    expect(result.priceTicks).toBe(reference.fills[reference.fills.length - 1].bidPrice);
    for (const f of result.fills) {
      if (f.priceTicks !== byId.get(f.buyOrderId)!.priceTicks) problems.push('fill not at its bid');
    }
  }
  for (const f of result.fills) {
    if (f.priceTicks > byId.get(f.buyOrderId)!.priceTicks) problems.push('fill above its bid');
    if (f.priceTicks < byId.get(f.sellOrderId)!.priceTicks) problems.push('fill below its offer');
  }

  // orders priced strictly better than the clearing range (and price) are fully filled
  for (const o of orders) {
    const full = result.filled.get(o.id) === o.quantityWh;
    if ((o.side === 'BUY' ? o.priceTicks > low : o.priceTicks < high) && !full) {
      problems.push(`order ${o.id} better than [L, U] not fully filled`);
    }
    if (mechanism === 'UNIFORM_PRICE') {
      const p = result.priceTicks!;
      if ((o.side === 'BUY' ? o.priceTicks > p : o.priceTicks < p) && !full) {
        problems.push(`order ${o.id} better than the price not fully filled`);
      }
    }
  }

  // money: each amount is quantity × price rounded; buyers pay exactly what sellers get
  const paid = new Map<bigint, bigint>();
  const received = new Map<bigint, bigint>();
  for (const f of result.fills) {
    if (f.amountMinor !== fillAmountMinor(f.quantityWh, f.priceTicks, grid)) {
      problems.push(`fill amount ${f.amountMinor}`);
    }
    paid.set(f.buyOrderId, (paid.get(f.buyOrderId) ?? 0n) + f.amountMinor);
    received.set(f.sellOrderId, (received.get(f.sellOrderId) ?? 0n) + f.amountMinor);
  }
  const total = (m: Map<bigint, bigint>) => [...m.values()].reduce((s, a) => s + a, 0n);
  expect(total(paid)).toBe(total(received));
  expect(total(paid)).toBe(result.amountMinor);
  expect(problems).toEqual([]);
}

describe.each(scenarios)('clear() on random books: $name', ({ grid, shape }) => {
  it('matches the reference walk, volume, prices, fills and money', () => {
    fc.assert(
      fc.property(bookArbitrary(shape), kArbitrary, mechanismArbitrary, (orders, k, mechanism) => {
        checkAgainstReference(orders, clear(mechanism, orders, { k }, grid), mechanism, k, grid);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result for rows in time order (the fast path) and in any order', () => {
    fc.assert(
      fc.property(
        withPermutation(bookArbitrary(shape)),
        kArbitrary,
        mechanismArbitrary,
        ({ items, permuted }, k, mechanism) => {
          const a = clear(mechanism, items, { k }, grid);
          const b = clear(mechanism, permuted, { k }, grid);
          const c = clear(mechanism, inTimeOrder(items), { k }, grid);
          expect(hashResult(b)).toBe(hashResult(a));
          expect(hashResult(c)).toBe(hashResult(a));
          expect(b).toEqual(a);
          expect([...b.filled]).toEqual([...a.filled]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('columnar and object results agree', () => {
    fc.assert(
      fc.property(bookArbitrary(shape), kArbitrary, mechanismArbitrary, (orders, k, mechanism) => {
        const book = orderBookFromOrders(orders);
        const columnar = clearBook(mechanism, book, { k }, grid);
        const objects = clear(mechanism, orders, { k }, grid);
        expect(toClearingResult(book, columnar)).toEqual(objects);
        for (let r = 0; r < book.length; r++) {
          expect(BigInt(columnar.filledWh[r])).toBe(objects.filled.get(book.id[r]));
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('clear() dispatcher', () => {
  const grid: PriceGrid = { priceTick: '1', minPrice: '0', maxPrice: '100' };
  const orders: Order[] = [
    { id: 1n, side: 'BUY', priceTicks: 10n, quantityWh: 1000n, acceptedAt: 1n },
    { id: 2n, side: 'SELL', priceTicks: 4n, quantityWh: 1000n, acceptedAt: 2n },
  ];

  it('routes by mechanism', () => {
    expect(clear('UNIFORM_PRICE', orders, { k: { num: 1n, den: 2n } }, grid).priceTicks).toBe(7n);
    expect(clear('PAY_AS_BID', orders, { k: { num: 1n, den: 2n } }, grid).priceTicks).toBe(10n);
    expect(() =>
      clear('SEALED_BID' as Mechanism, orders, { k: { num: 1n, den: 2n } }, grid),
    ).toThrow(/unknown clearing mechanism/);
  });
});
