import type { Client } from 'pg';
import {
  closeGate,
  createParticipants,
  createProduct,
  placeOrders,
} from '@parkex/test-support/market-factory';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

const STATISTICS = `query($product: String!, $from: DateTime!, $to: DateTime!, $bucket: StatisticsBucket!) {
  priceStatistics(productCode: $product, from: $from, to: $to, bucket: $bucket) {
    bucketStart minPrice avgPrice maxPrice volume intervals } }`;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * priceStatistics on a small known set of one product (tick 0.5). Each interval has one bid and
 * one offer of the same quantity, so it clears at their midpoint:
 *   day 1 00:00  8    × 2 kWh      day 1 01:00  1.5 × 3 kWh      day 2 00:00  -1.5 × 3 kWh
 *   day 1 00:15  4.5  × 1 kWh      day 1 01:15  2.5 × 1 kWh      day 2 00:15  -2.5 × 1 kWh
 *   day 1 00:30  no trade (bid 3 < offer 5)
 */
describe('priceStatistics', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let product: string;
  let tenant: { key: string };
  const day1 = new Date(Date.UTC(2042, 2, 1) + (process.pid % 300) * DAY);
  const at = (offsetMs: number) => new Date(day1.getTime() + offsetMs);
  const iso = (offsetMs: number) => at(offsetMs).toISOString();

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    product = await createProduct(db);
    tenant = await api.createParticipant(uniqueName('Office'));
    const [buyer, seller] = await createParticipants(db, 2);
    const book: [number, string, string, number][] = [
      // [offset, bid, offer, kWh]
      [0, '10', '6', 2],
      [15 * MINUTE, '5', '4', 1],
      [30 * MINUTE, '3', '5', 1],
      [HOUR, '2', '1', 3],
      [HOUR + 15 * MINUTE, '3', '2', 1],
      [DAY, '-1', '-2', 3],
      [DAY + 15 * MINUTE, '-2', '-3', 1],
    ];
    for (const [offset, bid, offer, kwh] of book) {
      await placeOrders(db, product, at(offset), [
        { participant: buyer, side: 'BUY', price: bid, quantityWh: kwh * 1000 },
        { participant: seller, side: 'SELL', price: offer, quantityWh: kwh * 1000 },
      ]);
      await closeGate(db, product, at(offset));
    }
    matcher = await startTestMatcher([product]);
    expect(await matcher.drain()).toBe(book.length);
  });
  afterAll(async () => {
    await matcher.close();
    await db.end();
    await api.close();
  });

  const statistics = (from: string, to: string, bucket: 'HOUR' | 'DAY', key = tenant.key) =>
    api.gql(STATISTICS, { product, from, to, bucket }, key);

  it('gives min, volume-weighted mean, max, volume and count per hour', async () => {
    const result = await statistics(iso(0), iso(2 * DAY), 'HOUR');
    expect(result.errors).toBeUndefined();
    expect(result.data.priceStatistics).toEqual([
      // (8×2 + 4.5×1) / 3 = 6.83… → 7; the no-trade interval is not counted
      {
        bucketStart: iso(0),
        minPrice: '4.5',
        avgPrice: '7',
        maxPrice: '8',
        volume: '3',
        intervals: 2,
      },
      // (1.5×3 + 2.5×1) / 4 = 1.75: an exact half tick goes to the higher price, 2
      {
        bucketStart: iso(HOUR),
        minPrice: '1.5',
        avgPrice: '2',
        maxPrice: '2.5',
        volume: '4',
        intervals: 2,
      },
      // (−1.5×3 − 2.5×1) / 4 = −1.75: the higher price is −1.5
      {
        bucketStart: iso(DAY),
        minPrice: '-2.5',
        avgPrice: '-1.5',
        maxPrice: '-1.5',
        volume: '4',
        intervals: 2,
      },
    ]);
  });

  it('gives days, and bounds delivery starts by [from, to)', async () => {
    const days = await statistics(iso(0), iso(2 * DAY), 'DAY');
    expect(days.data.priceStatistics).toEqual([
      // (16 + 4.5 + 4.5 + 2.5) / 7 = 3.93 → 4
      {
        bucketStart: iso(0),
        minPrice: '1.5',
        avgPrice: '4',
        maxPrice: '8',
        volume: '7',
        intervals: 4,
      },
      {
        bucketStart: iso(DAY),
        minPrice: '-2.5',
        avgPrice: '-1.5',
        maxPrice: '-1.5',
        volume: '4',
        intervals: 2,
      },
    ]);
    const narrower = await statistics(iso(15 * MINUTE), iso(DAY + 15 * MINUTE), 'DAY');
    expect(narrower.data.priceStatistics).toEqual([
      // (4.5 + 4.5 + 2.5) / 5 = 2.3 → 2.5
      {
        bucketStart: iso(0),
        minPrice: '1.5',
        avgPrice: '2.5',
        maxPrice: '4.5',
        volume: '5',
        intervals: 3,
      },
      {
        bucketStart: iso(DAY),
        minPrice: '-1.5',
        avgPrice: '-1.5',
        maxPrice: '-1.5',
        volume: '3',
        intervals: 1,
      },
    ]);
    const nothing = await statistics(iso(-DAY), iso(0), 'DAY');
    expect(nothing.data.priceStatistics).toEqual([]);
  });

  it('refuses a backwards or too long window and an unknown product', async () => {
    const backwards = await statistics(iso(DAY), iso(0), 'HOUR');
    expect(backwards.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const tooLong = await statistics(iso(0), iso(500 * DAY), 'HOUR');
    expect(tooLong.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await api.gql(
      STATISTICS,
      { product: 'NO_SUCH_PRODUCT', from: iso(0), to: iso(DAY), bucket: 'DAY' },
      tenant.key,
    );
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
