import type { OrderIntent } from '../tenants/types';
import {
  batches,
  deviationPermille,
  imbalanceTerms,
  kwhText,
  lateReadingOf,
  meteredFlow,
  METERING_WINDOW_INTERVALS,
  readingDelayMs,
  readingIdOf,
  readingInput,
  runMeter,
  type MeterReadingInput,
} from './meter';
import { ApiError, type GraphqlClient } from './graphql-client';

const intent = (overrides: Partial<OrderIntent>): OrderIntent => ({
  product: 'electricity',
  side: 'BUY',
  priceTicks: 1500,
  quantityWh: 1000,
  block: 'b0',
  ...overrides,
});

describe('the demo meters', () => {
  it('sets the imbalance terms of the metered demo products in demo intervals', () => {
    expect(imbalanceTerms(4, 'DEMO_DA')).toEqual([
      {
        productCode: 'DEMO_ELECTRICITY',
        meteringWindowSeconds: 4,
        correctionWindowSeconds: 40,
        importTariff: '0.25',
        feedInTariff: '0.07',
        auctionSeries: 'DEMO_DA',
      },
      {
        productCode: 'DEMO_HEAT',
        meteringWindowSeconds: 4,
        correctionWindowSeconds: 40,
        importTariff: '0.095',
        feedInTariff: '0',
        auctionSeries: 'DEMO_DA',
      },
    ]);
    expect(imbalanceTerms(2, null).map((t) => t.auctionSeries)).toEqual([null, null]);
  });

  it('deviates deterministically by at most ±10 %', () => {
    const factors = Array.from({ length: 500 }, (_, i) =>
      deviationPermille('2026-12-02+0', 'metal', 'electricity', i),
    );
    expect(Math.min(...factors)).toBeGreaterThanOrEqual(900);
    expect(Math.max(...factors)).toBeLessThanOrEqual(1100);
    expect(new Set(factors).size).toBeGreaterThan(100);
    expect(deviationPermille('2026-12-02+0', 'metal', 'electricity', 7)).toBe(factors[7]);
    expect(deviationPermille('2026-12-02+0', 'metal', 'heat', 7)).not.toBe(
      deviationPermille('2026-12-02+0', 'office', 'heat', 7),
    );
  });

  it('meters the profile × the deviation, rounded half away from zero, plus the assets', () => {
    const load = [
      intent({ quantityWh: 600 }),
      intent({ quantityWh: 401, block: 'b1' }),
      intent({ product: 'heat', quantityWh: 5000, block: 'hb0' }),
      intent({ product: 'storage', quantityWh: 9000, block: 's0' }),
    ];
    // 1001 Wh × 0.95 = 950.95 → 951
    expect(
      meteredFlow({ profile: load, product: 'electricity', permille: 950, assetWh: 0 }),
    ).toEqual({ importWh: 951, exportWh: 0 });
    expect(meteredFlow({ profile: load, product: 'heat', permille: 1100, assetWh: 0 })).toEqual({
      importWh: 5500,
      exportWh: 0,
    });
    // PV: 1005 Wh sold × 0.9 = 904.5 → 905 exported (half away from zero)
    const pv = [intent({ side: 'SELL', quantityWh: 1005 })];
    expect(meteredFlow({ profile: pv, product: 'electricity', permille: 900, assetWh: 0 })).toEqual(
      {
        importWh: 0,
        exportWh: 905,
      },
    );
    // the heat pump's schedule takes 2000 Wh beside the profile; a battery discharging gives 3000
    expect(
      meteredFlow({ profile: load, product: 'electricity', permille: 1000, assetWh: 2000 }),
    ).toEqual({ importWh: 3001, exportWh: 0 });
    expect(
      meteredFlow({ profile: [], product: 'electricity', permille: 1000, assetWh: -3000 }),
    ).toEqual({ importWh: 0, exportWh: 3000 });
    expect(meteredFlow({ profile: [], product: 'heat', permille: 1000, assetWh: 0 })).toEqual({
      importWh: 0,
      exportWh: 0,
    });
  });

  it('builds readings with exact kWh text and stable ids', () => {
    expect(kwhText(1234)).toBe('1.234');
    expect(kwhText(5)).toBe('0.005');
    expect(kwhText(0)).toBe('0.000');
    expect(kwhText(25_000)).toBe('25.000');
    expect(() => kwhText(1.5)).toThrow();
    expect(
      readingInput({
        runId: 'ab12',
        tenant: 'pv-hall',
        participantId: '42',
        product: 'electricity',
        index: 17,
        deliveryStart: new Date('2026-12-02T03:00:04Z'),
        flow: { importWh: 0, exportWh: 12_345 },
      }),
    ).toEqual({
      readingId: 'm-ab12-pv-hall-e17',
      version: 1,
      participantId: '42',
      productCode: 'DEMO_ELECTRICITY',
      deliveryStart: '2026-12-02T03:00:04.000Z',
      imported: '0.000',
      exported: '12.345',
    });
    expect(readingIdOf('ab12', 'canteen', 'heat', 3)).toBe('m-ab12-canteen-h3');
    expect(() => readingIdOf('ab12', 'a b', 'heat', 3)).toThrow(/bad reading id/);
  });

  it('withholds one electricity reading mid-run', () => {
    expect(lateReadingOf(['pv-hall', 'metal', 'office'], 96)).toEqual({
      tenant: 'metal',
      product: 'electricity',
      index: 48,
    });
    expect(lateReadingOf(['pv-hall'], 5)).toEqual({
      tenant: 'pv-hall',
      product: 'electricity',
      index: 2,
    });
    expect(lateReadingOf([], 96)).toBeNull();
  });

  it('posts at most 1000 readings per batch, shortly after the interval ends', () => {
    const sizes = batches(Array.from({ length: 2345 }, (_, i) => i)).map((b) => b.length);
    expect(sizes).toEqual([1000, 1000, 345]);
    expect(batches([])).toEqual([]);
    expect(readingDelayMs(2000)).toBe(500);
    expect(readingDelayMs(4000)).toBe(1000);
    expect(readingDelayMs(900_000)).toBe(1000);
  });
});

describe('the meter run', () => {
  it('posts each interval after it ends and the withheld reading three intervals later', async () => {
    const posts: { at: number; readings: MeterReadingInput[] }[] = [];
    const client = {
      request: (_query: string, variables: { readings: MeterReadingInput[] }) => {
        posts.push({ at: Date.now(), readings: variables.readings });
        return Promise.resolve({ submitMeterReadings: [] });
      },
    } as unknown as GraphqlClient;
    const intervalMs = 40;
    const t0 = Date.now();
    const tally = await runMeter({
      client,
      t0,
      intervalMs,
      count: 4,
      signal: new AbortController().signal,
      runId: 'r1',
      late: { tenant: 'metal', product: 'electricity', index: 2 },
      readingsOf: (index) =>
        ['metal', 'pv-hall'].map((tenant) =>
          readingInput({
            runId: 'r1',
            tenant,
            participantId: tenant,
            product: 'electricity',
            index,
            deliveryStart: new Date(t0 + index * intervalMs),
            flow: { importWh: 1000, exportWh: 0 },
          }),
        ),
    });
    const ids = posts.map((p) => p.readings.map((r) => r.readingId));
    expect(ids).toEqual([
      ['m-r1-metal-e0', 'm-r1-pv-hall-e0'],
      ['m-r1-metal-e1', 'm-r1-pv-hall-e1'],
      ['m-r1-pv-hall-e2'],
      ['m-r1-metal-e3', 'm-r1-pv-hall-e3'],
      ['m-r1-metal-e2'],
    ]);
    posts.slice(0, 4).forEach((post, i) => {
      expect(post.at).toBeGreaterThanOrEqual(t0 + (i + 1) * intervalMs);
    });
    // after its metering window closed (one interval after the delivery ended)
    expect(posts[4].at).toBeGreaterThan(t0 + (3 + METERING_WINDOW_INTERVALS) * intervalMs);
    expect(tally).toMatchObject({
      posted: 8,
      failures: [],
      late: {
        tenant: 'metal',
        index: 2,
        productCode: 'DEMO_ELECTRICITY',
        participantId: 'metal',
        deliveryStart: new Date(t0 + 2 * intervalMs).toISOString(),
      },
    });
    expect(tally.intervals).toHaveLength(4);
  });

  it('records a refused batch and goes on', async () => {
    let calls = 0;
    const client = {
      request: () => {
        calls += 1;
        return calls === 1
          ? Promise.reject(new ApiError('the interval has not ended yet', 'BAD_USER_INPUT'))
          : Promise.resolve({});
      },
    } as unknown as GraphqlClient;
    const t0 = Date.now();
    const tally = await runMeter({
      client,
      t0,
      intervalMs: 20,
      count: 2,
      signal: new AbortController().signal,
      runId: 'r2',
      late: null,
      readingsOf: (index) => [
        readingInput({
          runId: 'r2',
          tenant: 'bakery',
          participantId: '9',
          product: 'heat',
          index,
          deliveryStart: new Date(t0 + index * 20),
          flow: { importWh: 0, exportWh: 0 },
        }),
      ],
    });
    expect(tally.posted).toBe(1);
    expect(tally.failures).toEqual([
      expect.stringMatching(/meter readings of .*: the interval has not ended yet/),
    ]);
    expect(tally.late).toBeNull();
  });
});
