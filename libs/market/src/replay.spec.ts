import { replayClearing, type StoredBook } from './replay';

const terms = {
  mechanism: 'UNIFORM_PRICE' as const,
  k: '0.5',
  priceTick: '0.5',
  minPrice: '0',
  maxPrice: '200',
};

// bids 100,90,80,70,60 vs offers 80,85,95,100,110 (ticks of 0.5), 1 kWh each
const stored: StoredBook = {
  id: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
  side: ['BUY', 'BUY', 'BUY', 'BUY', 'BUY', 'SELL', 'SELL', 'SELL', 'SELL', 'SELL'],
  priceTicks: ['200', '180', '160', '140', '120', '160', '170', '190', '200', '220'],
  quantityWh: Array(10).fill('1000'),
  acceptedAtUs: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
};

describe('replayClearing', () => {
  it('clears stored rows under stored terms', () => {
    const replay = replayClearing(stored, terms);
    expect(replay.clearing.priceTicks).toBe(175); // 87.5
    expect(replay.clearing.volumeWh).toBe(2000);
    expect(replay.inputHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same hashes for the rows in any order', () => {
    const order = [9, 3, 0, 7, 5, 1, 8, 2, 6, 4];
    const shuffled: StoredBook = {
      id: order.map((i) => stored.id[i]),
      side: order.map((i) => stored.side[i]),
      priceTicks: order.map((i) => stored.priceTicks[i]),
      quantityWh: order.map((i) => stored.quantityWh[i]),
      acceptedAtUs: order.map((i) => stored.acceptedAtUs[i]),
    };
    const a = replayClearing(stored, terms);
    const b = replayClearing(shuffled, terms);
    expect([b.inputHash, b.resultHash]).toEqual([a.inputHash, a.resultHash]);
  });

  it('gives other hashes for a changed order or other terms', () => {
    const a = replayClearing(stored, terms);
    const changed = replayClearing(
      { ...stored, priceTicks: ['201', ...stored.priceTicks.slice(1)] },
      terms,
    );
    expect(changed.inputHash).not.toBe(a.inputHash);
    const otherK = replayClearing(stored, { ...terms, k: '1' });
    expect(otherK.inputHash).not.toBe(a.inputHash);
    expect(otherK.clearing.priceTicks).toBe(180);
  });
});
