/**
 * Clearing benchmark: `npm run bench:clearing`.
 *
 * For books of 10k, 100k and 1M orders (day-ahead-like prices 0.05–0.40 currency/kWh on
 * a 0.0001 tick, 1–500 kWh per order, both sides, rows in time-priority order as the
 * matcher loads them with `ORDER BY accepted_at, id`), it prints one JSON line per size:
 *   {"bench":"clearing","orders":N,"clearMs":…,"sortMs":…,"ratio":…,"heapMB":…}
 * - clearMs: median wall time of `clearBook('UNIFORM_PRICE', …)` on the columnar book,
 *   fills, filled quantities, amounts and curves included (after 3 unmeasured warm-up
 *   runs per size, as in a long-running matcher; `global.gc()` before each run).
 * - sortMs: median time of `Float64Array.prototype.sort()` on a copy of the same prices,
 *   measured in the same process, interleaved with the clearing runs.
 * - heapMB: growth of V8 heap used + ArrayBuffer memory from a `global.gc()` baseline to
 *   the end of one clearing (nothing is collected in between unless V8 scavenges on its
 *   own, so it includes the clearing's temporary garbage as well as its result).
 * Everything else (every run, input and result sizes, the same book with rows in random
 * order, and the bigint object API) goes to stderr.
 */
import { performance } from 'node:perf_hooks';
import {
  SIDE_BUY,
  SIDE_SELL,
  clearBook,
  clearUniformPrice,
  orderAt,
  parseK,
  type BookClearing,
  type Order,
  type OrderBook,
  type PriceGrid,
} from '@parkex/market';
import { seededRandom } from './support/random';

const GRID: PriceGrid = { priceTick: '0.0001', minPrice: '-0.5', maxPrice: '4' };
const parsedK = parseK('0.5');
if (!parsedK.ok) throw new Error(parsedK.rejection.message);
const PARAMS = { k: parsedK.value };

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:clearing)');
const collect: () => void = gc;

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

const MIN_TICKS = 500; // 0.05
const MAX_TICKS = 4000; // 0.40

/** Roughly normal prices around a day-ahead level: bids a little above offers. */
function makeBook(n: number, seed: number): OrderBook {
  const next = seededRandom(seed);
  const id = new BigInt64Array(n);
  const side = new Uint8Array(n);
  const priceTicks = new Float64Array(n);
  const quantityWh = new Float64Array(n);
  const acceptedAt = new Float64Array(n);
  let at = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in µs
  for (let r = 0; r < n; r++) {
    const buy = next() < 0.5;
    const centre = buy ? 2300 : 1900;
    const spread = (next() + next() + next() + next() - 2) * 1400; // ~N(0, 400 ticks)
    const p = Math.round(centre + spread);
    id[r] = BigInt(r + 1);
    side[r] = buy ? SIDE_BUY : SIDE_SELL;
    priceTicks[r] = Math.min(MAX_TICKS, Math.max(MIN_TICKS, p));
    quantityWh[r] = 1000 + Math.floor(next() * 499_001); // 1–500 kWh
    at += Math.floor(next() * 3); // several orders may share a microsecond
    acceptedAt[r] = at;
  }
  return { length: n, id, side, priceTicks, quantityWh, acceptedAt };
}

function shuffled(book: OrderBook, seed: number): OrderBook {
  const next = seededRandom(seed);
  const n = book.length;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const out = {
    length: n,
    id: new BigInt64Array(n),
    side: new Uint8Array(n),
    priceTicks: new Float64Array(n),
    quantityWh: new Float64Array(n),
    acceptedAt: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = perm[i];
    out.id[i] = book.id[r];
    out.side[i] = book.side[r];
    out.priceTicks[i] = book.priceTicks[r];
    out.quantityWh[i] = book.quantityWh[r];
    out.acceptedAt[i] = book.acceptedAt[r];
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function usedBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function time(action: () => unknown): number {
  const start = performance.now();
  action();
  return performance.now() - start;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

function columnBytes(book: OrderBook): number {
  return (
    book.id.byteLength +
    book.side.byteLength +
    book.priceTicks.byteLength +
    book.quantityWh.byteLength +
    book.acceptedAt.byteLength
  );
}

function resultBytes(result: BookClearing): number {
  const arrays = [
    result.filledWh,
    result.fills.buyRow,
    result.fills.sellRow,
    result.fills.quantityWh,
    result.fills.priceTicks,
    result.fills.amountMinor,
    result.demandCurve.priceTicks,
    result.demandCurve.quantityWh,
    result.supplyCurve.priceTicks,
    result.supplyCurve.quantityWh,
  ];
  return arrays.reduce((sum, a) => sum + a.buffer.byteLength, 0);
}

/** Unmeasured runs per size first, so the JIT has settled (as in a long-running matcher). */
const WARM_UP_RUNS = 3;
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

function run(n: number, runs: number): void {
  const book = makeBook(n, n);
  const inputBytes = columnBytes(book);

  for (let i = 0; i < WARM_UP_RUNS; i++) clearBook('UNIFORM_PRICE', book, PARAMS, GRID);
  book.priceTicks.slice().sort();

  const clearTimes: number[] = [];
  const sortTimes: number[] = [];
  let summary = '';
  for (let i = 0; i < runs; i++) {
    collect();
    let result: BookClearing | undefined;
    clearTimes.push(
      time(() => {
        result = clearBook('UNIFORM_PRICE', book, PARAMS, GRID);
      }),
    );
    if (result !== undefined && i === 0) {
      summary = `price ${result.priceTicks} ticks, volume ${result.volumeWh} Wh, ${result.fills.length} fills`;
    }
    result = undefined;
    const copy = book.priceTicks.slice();
    collect();
    sortTimes.push(time(() => copy.sort()));
  }

  collect();
  const baseline = usedBytes();
  const kept = clearBook('UNIFORM_PRICE', book, PARAMS, GRID);
  const heapBytes = usedBytes() - baseline;
  if (kept.bidCount + kept.offerCount !== n) throw new Error('lost orders');

  const clearMs = median(clearTimes);
  const sortMs = median(sortTimes);
  log(
    `orders ${n}: ${summary}; clear runs ${clearTimes.map((t) => t.toFixed(1)).join(' ')} ms; ` +
      `sort runs ${sortTimes.map((t) => t.toFixed(1)).join(' ')} ms`,
  );
  log(
    `orders ${n}: input columns ${mb(inputBytes)} MB; heap growth ${mb(heapBytes)} MB ` +
      `(${(heapBytes / inputBytes).toFixed(2)}× input); result arrays ${mb(resultBytes(kept))} MB`,
  );

  const mixed = shuffled(book, n + 1);
  for (let i = 0; i < WARM_UP_RUNS; i++) clearBook('UNIFORM_PRICE', mixed, PARAMS, GRID);
  const mixedTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    collect();
    mixedTimes.push(time(() => clearBook('UNIFORM_PRICE', mixed, PARAMS, GRID)));
  }
  log(
    `orders ${n}: same book, rows in random order (not time order): clear ${median(mixedTimes).toFixed(1)} ms`,
  );

  const orders: Order[] = [];
  for (let r = 0; r < n; r++) orders.push(orderAt(book, r));
  clearUniformPrice(orders, PARAMS, GRID);
  collect();
  const objectMs = time(() => clearUniformPrice(orders, PARAMS, GRID));
  log(
    `orders ${n}: object API (Order[] in, ClearingResult with bigints out), one run: ${objectMs.toFixed(1)} ms`,
  );

  process.stdout.write(
    `${JSON.stringify({
      bench: 'clearing',
      orders: n,
      clearMs: round(clearMs, 2),
      sortMs: round(sortMs, 2),
      ratio: round(clearMs / sortMs, 3),
      heapMB: round(heapBytes / 2 ** 20, 1),
    })}\n`,
  );
}

for (const [n, runs] of [
  [10_000, 15],
  [100_000, 11],
  [1_000_000, 7],
] as const) {
  log(`clearing ${n} orders…`);
  run(n, runs);
}
