/**
 * The worked vectors of the per-interval rule (`UNIFORM_PRICE`, DESIGN.md "Clearing rule"), as
 * data with their expected outcome: price, volume and every order's filled Wh. libs/market's
 * spec checks them against `clearUniformPrice`; libs/auction's spec clears the same books as a
 * one-carrier, one-interval auction and expects the same numbers.
 */
import { parsePrice, ratio, type Order, type PriceGrid, type Ratio } from '@parkex/market';

export const UNIT_GRID: PriceGrid = { priceTick: '1', minPrice: '-1000', maxPrice: '1000' };
export const TENTH_GRID: PriceGrid = { priceTick: '0.1', minPrice: '-1000', maxPrice: '1000' };
const KWH = 1000n;

export interface WorkedVector {
  readonly name: string;
  readonly grid: PriceGrid;
  readonly k: Ratio;
  readonly orders: readonly Order[];
  /** Published price as a decimal on `grid`; null: no trade. */
  readonly price: string | null;
  readonly volumeWh: bigint;
  /** Filled Wh of each order, in the order of `orders`. */
  readonly filledWh: readonly bigint[];
}

const ticks = (price: string, grid: PriceGrid): bigint => {
  const parsed = parsePrice(price, grid);
  if (!parsed.ok) throw new Error(parsed.rejection.message);
  return parsed.value;
};

/** One-kWh orders at decimal prices: bids first (ids 1, 2, …), then offers, in time order. */
function unitBook(bids: readonly string[], offers: readonly string[], grid: PriceGrid): Order[] {
  return [
    ...bids.map((price) => ({ side: 'BUY' as const, price })),
    ...offers.map((price) => ({ side: 'SELL' as const, price })),
  ].map(({ side, price }, i) => ({
    id: BigInt(i + 1),
    side,
    priceTicks: ticks(price, grid),
    quantityWh: KWH,
    acceptedAt: BigInt(i + 1),
  }));
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
/** Filled Wh of one-kWh orders from 0/1 flags. */
const kwhFlags = (...flags: number[]) => flags.map((flag) => BigInt(flag) * KWH);

const HALF = ratio(1n, 2n);
const STAIRS_BIDS = range(1, 7);
const STAIRS_OFFERS = ['2', '3', '3', '5', '6', '7', '8'];
// the bids at 5, 6, 7 buy the offers at 2, 3, 3: 3 kWh
const STAIRS_FILLED = kwhFlags(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);

export const WORKED_VECTORS: readonly WorkedVector[] = [
  {
    name: 'bids 1..7 vs offers 1..7 → 4 / 4 kWh',
    grid: TENTH_GRID,
    k: HALF,
    orders: unitBook(range(1, 7), range(1, 7), TENTH_GRID),
    price: '4',
    volumeWh: 4n * KWH,
    filledWh: kwhFlags(0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0),
  },
  ...(
    [
      [HALF, '4.5'],
      [ratio(1n, 1n), '5'],
      [ratio(0n, 1n), '4'],
      [ratio(1n, 4n), '4.3'], // 4.25: the exact half goes to the higher tick
      [ratio(3n, 10n), '4.3'],
      [ratio(1n, 3n), '4.3'],
    ] as const
  ).map(([k, price]) => ({
    name: `bids 1..7 vs offers 2,3,3,5,6,7,8, k = ${k.num}/${k.den} → ${price} / 3 kWh`,
    grid: TENTH_GRID,
    k,
    orders: unitBook(STAIRS_BIDS, STAIRS_OFFERS, TENTH_GRID),
    price,
    volumeWh: 3n * KWH,
    filledWh: STAIRS_FILLED,
  })),
  {
    name: 'bids 7,4,3 vs offers 1,1,5 → 3.5 / 2 kWh',
    grid: TENTH_GRID,
    k: HALF,
    orders: unitBook(['7', '4', '3'], ['1', '1', '5'], TENTH_GRID),
    price: '3.5',
    volumeWh: 2n * KWH,
    filledWh: kwhFlags(1, 1, 0, 1, 1, 0),
  },
  ...(
    [
      [TENTH_GRID, '87.5'],
      [UNIT_GRID, '88'], // the exact half on a tick-1 grid goes to the higher tick
    ] as const
  ).map(([grid, price]) => ({
    name: `bids 100,90,80,70,60 vs offers 80,85,95,100,110 on tick ${grid.priceTick} → ${price} / 2 kWh`,
    grid,
    k: HALF,
    orders: unitBook(['100', '90', '80', '70', '60'], ['80', '85', '95', '100', '110'], grid),
    price,
    volumeWh: 2n * KWH,
    filledWh: kwhFlags(1, 1, 0, 0, 0, 1, 1, 0, 0, 0),
  })),
  {
    name: 'no cross: bids 1,2,3 vs offers 4,5 → no trade',
    grid: TENTH_GRID,
    k: HALF,
    orders: unitBook(['1', '2', '3'], ['4', '5'], TENTH_GRID),
    price: null,
    volumeWh: 0n,
    filledWh: kwhFlags(0, 0, 0, 0, 0),
  },
  {
    name: 'bids only → no trade',
    grid: TENTH_GRID,
    k: HALF,
    orders: unitBook(['5', '6'], [], TENTH_GRID),
    price: null,
    volumeWh: 0n,
    filledWh: kwhFlags(0, 0),
  },
  {
    name: 'an empty book → no trade',
    grid: TENTH_GRID,
    k: HALF,
    orders: [],
    price: null,
    volumeWh: 0n,
    filledWh: [],
  },
  {
    name: 'a partly filled marginal bid sets the price: 10 / 2 kWh',
    grid: UNIT_GRID,
    k: HALF,
    orders: [
      { id: 1n, side: 'BUY', priceTicks: 10n, quantityWh: 3000n, acceptedAt: 1n },
      { id: 2n, side: 'SELL', priceTicks: 4n, quantityWh: 1000n, acceptedAt: 2n },
      { id: 3n, side: 'SELL', priceTicks: 6n, quantityWh: 1000n, acceptedAt: 3n },
    ],
    price: '10',
    volumeWh: 2000n,
    filledWh: [2000n, 1000n, 1000n],
  },
  {
    name: 'equal prices fill by acceptance time, then by id',
    grid: UNIT_GRID,
    k: HALF,
    orders: [
      { id: 30n, side: 'BUY', priceTicks: 5n, quantityWh: 1000n, acceptedAt: 20n },
      { id: 10n, side: 'BUY', priceTicks: 5n, quantityWh: 1000n, acceptedAt: 20n },
      { id: 5n, side: 'BUY', priceTicks: 5n, quantityWh: 1000n, acceptedAt: 30n },
      { id: 20n, side: 'BUY', priceTicks: 5n, quantityWh: 1000n, acceptedAt: 10n },
      { id: 99n, side: 'SELL', priceTicks: 5n, quantityWh: 2500n, acceptedAt: 1n },
    ],
    price: '5',
    volumeWh: 2500n,
    filledWh: [500n, 1000n, 0n, 1000n, 2500n],
  },
];
