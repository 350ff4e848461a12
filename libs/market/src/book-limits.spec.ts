import { BOOK_SIDE_LIMIT_MINOR, BOOK_SIDE_LIMIT_WH } from './book-limits';
import { clear } from './clear';
import { MAX_QUANTITY_WH } from './quantity';
import { journalDebitMinor, journalLines } from './settlement';
import type { Order } from './order';
import { ratio } from './ratio';

/** Books at the bounds of book-limits.ts clear exactly: nothing reaches 2^53. */
describe('book limits', () => {
  const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
  const side = (s: 'BUY' | 'SELL', count: number, priceTicks: bigint, first: number): Order[] =>
    Array.from({ length: count }, (_, i) => ({
      id: BigInt(first + i),
      side: s,
      priceTicks,
      quantityWh: MAX_QUANTITY_WH,
      acceptedAt: BigInt(first + i),
    }));

  it.each([
    // a full side by volume: 1,000 orders of 10^12 Wh at a price cap of 4 (tick 0.0001)
    ['volume', { priceTick: '0.0001', minPrice: '-0.5', maxPrice: '4' }, 1000, 40_000n, 150n],
    // a full side by value: 10^14 Wh at a price magnitude of 100 = 10^15 minor units
    [
      'value',
      { priceTick: '0.0001', minPrice: '-100', maxPrice: '100' },
      100,
      1_000_000n,
      1_000_000n,
    ],
  ] as const)(
    'a side full by %s clears with every sum below 2^53',
    (_, grid, count, bidTicks, offerTicks) => {
      const orders = [
        ...side('BUY', count, bidTicks, 1),
        ...side('SELL', count, offerTicks, 1 + count),
      ];
      const sideWh = BigInt(count) * MAX_QUANTITY_WH;
      expect(sideWh).toBeLessThanOrEqual(BOOK_SIDE_LIMIT_WH);
      for (const mechanism of ['UNIFORM_PRICE', 'PAY_AS_BID'] as const) {
        const result = clear(mechanism, orders, { k: ratio(1n, 2n) }, grid);
        expect(result.volumeWh).toBe(sideWh);
        expect(result.amountMinor).toBeLessThanOrEqual(BOOK_SIDE_LIMIT_MINOR);
        // a network fee at the fee bound: 10^15 Wh × 10 per kWh / 10 = 10^15 minor units
        const lines = journalLines(
          result.fills.map((fill, seq) => ({
            seq,
            buyerAccountId: `buyer-${fill.buyOrderId % 7n}`,
            sellerAccountId: `seller-${fill.sellOrderId % 5n}`,
            quantityWh: fill.quantityWh,
            amountMinor: fill.amountMinor,
          })),
          'utility',
          ((BOOK_SIDE_LIMIT_MINOR * 10n) / sideWh).toString(),
        );
        expect(journalDebitMinor(lines)).toBeLessThan(SAFE);
      }
    },
  );
});
