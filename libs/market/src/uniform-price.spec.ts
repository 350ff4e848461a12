import type { ClearingResult } from './clearing-result';
import { formatPrice } from './price';
import { K_HALF, K_ONE, K_ZERO, ONE_KWH, TENTH_GRID, UNIT_GRID, unitBook } from './spec-support';
import { clearUniformPrice } from './uniform-price';
import type { Ratio } from './ratio';
import type { PriceGrid } from './price-grid';
import { WORKED_VECTORS } from '@parkex/test-support/worked-vectors';

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

function cleared(
  bids: string[],
  offers: string[],
  k: Ratio = K_HALF,
  grid: PriceGrid = TENTH_GRID,
) {
  const result = clearUniformPrice(unitBook(bids, offers, grid), { k }, grid);
  return {
    result,
    price: result.priceTicks === null ? null : formatPrice(result.priceTicks, grid),
    volumeKwh: Number(result.volumeWh / ONE_KWH),
  };
}

function filledKwh(result: ClearingResult): number[] {
  return [...result.filled.values()].map((wh) => Number(wh / ONE_KWH));
}

describe('clearUniformPrice — worked vectors (one-kWh orders)', () => {
  it('bids 1..7 vs offers 1..7 → price 4, volume 4', () => {
    const { result, price, volumeKwh } = cleared(range(1, 7), range(1, 7));
    expect(price).toBe('4');
    expect(volumeKwh).toBe(4);
    expect(result.status).toBe('CLEARED');
    expect(result.priceRange).toEqual({ lowTicks: 40n, highTicks: 40n });
    // bids 4..7 (ids 4..7) and offers 1..4 (ids 8..11) are filled
    expect(filledKwh(result)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(result.fills.map((f) => [f.buyOrderId, f.sellOrderId])).toEqual([
      [7n, 8n],
      [6n, 9n],
      [5n, 10n],
      [4n, 11n],
    ]);
    expect(result.fills.every((f) => f.priceTicks === 40n && f.amountMinor === 400n)).toBe(true);
    expect(result.amountMinor).toBe(1600n);
  });

  it('bids 1..7 vs offers 2,3,3,5,6,7,8 → 4.5 / 3 with k = 0.5', () => {
    const { result, price, volumeKwh } = cleared(range(1, 7), ['2', '3', '3', '5', '6', '7', '8']);
    expect(price).toBe('4.5');
    expect(volumeKwh).toBe(3);
    expect(result.priceRange).toEqual({ lowTicks: 40n, highTicks: 50n });
  });

  it.each([
    [K_ONE, '5'],
    [K_ZERO, '4'],
    [{ num: 1n, den: 4n }, '4.3'], // 4 + 0.25 = 4.25 → exact half → higher tick
    [{ num: 3n, den: 10n }, '4.3'],
    [{ num: 1n, den: 3n }, '4.3'], // 4.333… → nearest tick
  ])('the same book with k = %p → %s', (k, expected) => {
    expect(cleared(range(1, 7), ['2', '3', '3', '5', '6', '7', '8'], k).price).toBe(expected);
  });

  it('bids 7,4,3 vs offers 1,1,5 → 3.5 / 2', () => {
    const { result, price, volumeKwh } = cleared(['7', '4', '3'], ['1', '1', '5']);
    expect(price).toBe('3.5');
    expect(volumeKwh).toBe(2);
    expect(result.priceRange).toEqual({ lowTicks: 30n, highTicks: 40n });
  });

  it('bids 100,90,80,70,60 vs offers 80,85,95,100,110 → 87.5 / 2', () => {
    const { result, price, volumeKwh } = cleared(
      ['100', '90', '80', '70', '60'],
      ['80', '85', '95', '100', '110'],
    );
    expect(price).toBe('87.5');
    expect(volumeKwh).toBe(2);
    expect(result.fills.map((f) => [f.buyOrderId, f.sellOrderId])).toEqual([
      [1n, 6n],
      [2n, 7n],
    ]);
  });

  it('on a tick-1 grid the exact half 87.5 goes to the higher tick, 88', () => {
    const { price } = cleared(
      ['100', '90', '80', '70', '60'],
      ['80', '85', '95', '100', '110'],
      K_HALF,
      UNIT_GRID,
    );
    expect(price).toBe('88');
  });

  it('best bid below best offer → NO_TRADE, price null, everything unfilled', () => {
    const { result, price, volumeKwh } = cleared(['1', '2', '3'], ['4', '5']);
    expect(result.status).toBe('NO_TRADE');
    expect(price).toBeNull();
    expect(result.priceRange).toBeNull();
    expect(volumeKwh).toBe(0);
    expect(result.fills).toEqual([]);
    expect(filledKwh(result)).toEqual([0, 0, 0, 0, 0]);
    expect(result.amountMinor).toBe(0n);
    // the curves still describe the book
    expect(result.demandCurve.map((p) => [p.priceTicks, p.quantityWh])).toEqual([
      [30n, 1000n],
      [20n, 2000n],
      [10n, 3000n],
    ]);
    expect(result.supplyCurve.map((p) => [p.priceTicks, p.quantityWh])).toEqual([
      [40n, 1000n],
      [50n, 2000n],
    ]);
  });

  it('an empty side or an empty book → NO_TRADE', () => {
    expect(cleared(['5', '6'], []).result.status).toBe('NO_TRADE');
    expect(cleared([], ['5']).result.status).toBe('NO_TRADE');
    const empty = cleared([], []).result;
    expect(empty.status).toBe('NO_TRADE');
    expect(empty.bidCount + empty.offerCount).toBe(0);
    expect(empty.demandCurve).toEqual([]);
  });

  it('a partly filled marginal bid sets the price', () => {
    // bid 10 for 3 kWh; offers 2 × 1 kWh at 4 and 6: 2 kWh trade, the bid keeps 1 kWh open.
    const grid = UNIT_GRID;
    const orders = [
      { id: 1n, side: 'BUY' as const, priceTicks: 10n, quantityWh: 3000n, acceptedAt: 1n },
      { id: 2n, side: 'SELL' as const, priceTicks: 4n, quantityWh: 1000n, acceptedAt: 2n },
      { id: 3n, side: 'SELL' as const, priceTicks: 6n, quantityWh: 1000n, acceptedAt: 3n },
    ];
    const result = clearUniformPrice(orders, { k: K_HALF }, grid);
    // L = max(last offer 6, open bid 10) = 10, U = min(last bid 10, no open offer) = 10
    expect(result.priceRange).toEqual({ lowTicks: 10n, highTicks: 10n });
    expect(result.priceTicks).toBe(10n);
    expect(result.filled.get(1n)).toBe(2000n);
  });

  it('equal prices fill by acceptance time, then by id', () => {
    const grid = UNIT_GRID;
    const orders = [
      { id: 30n, side: 'BUY' as const, priceTicks: 5n, quantityWh: 1000n, acceptedAt: 20n },
      { id: 10n, side: 'BUY' as const, priceTicks: 5n, quantityWh: 1000n, acceptedAt: 20n },
      { id: 5n, side: 'BUY' as const, priceTicks: 5n, quantityWh: 1000n, acceptedAt: 30n },
      { id: 20n, side: 'BUY' as const, priceTicks: 5n, quantityWh: 1000n, acceptedAt: 10n },
      { id: 99n, side: 'SELL' as const, priceTicks: 5n, quantityWh: 2500n, acceptedAt: 1n },
    ];
    const result = clearUniformPrice(orders, { k: K_HALF }, grid);
    expect(result.fills.map((f) => [f.buyOrderId, f.quantityWh])).toEqual([
      [20n, 1000n],
      [10n, 1000n],
      [30n, 500n],
    ]);
    expect(result.filled.get(5n)).toBe(0n);
  });
});

describe('clearUniformPrice — the worked vectors table (also cleared by the integrated auction)', () => {
  it.each(WORKED_VECTORS)('$name', ({ orders, grid, k, price, volumeWh, filledWh }) => {
    const result = clearUniformPrice(orders, { k }, grid);
    expect(result.priceTicks === null ? null : formatPrice(result.priceTicks, grid)).toBe(price);
    expect(result.volumeWh).toBe(volumeWh);
    expect(orders.map((order) => result.filled.get(order.id))).toEqual(filledWh);
  });
});
