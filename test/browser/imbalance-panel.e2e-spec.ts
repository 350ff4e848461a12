import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { describeInChromium, openChromium, type OpenChromium } from '@parkex/test-support/chromium';
import {
  closeGate,
  createParticipants,
  createProduct,
  placeOrders,
} from '@parkex/test-support/market-factory';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';
import { startTestApi, type TestApi } from '@parkex/test-support/test-api';

/**
 * The dashboard's imbalance panel in Chromium, on settlements of the real matcher: a product with
 * import tariff 12 and feed-in tariff 3 per kWh, settled as soon as its intervals end, and four
 * ended quarter hours of one UTC day. Shortfalls cost max(clearing price, 12), surpluses earn
 * min(clearing price, 3); amounts are rounded per line to 0.01, an exact half away from zero.
 *
 * | interval | clearing | tenant (position)  | metered         | imbalance   | paid to the utility |
 * | -------- | -------- | ------------------ | --------------- | ----------- | ------------------- |
 * | t1       | 10       | buyer (+2 kWh)     | 2.333 in        | +0.333 × 12 | 3.996 → 4.00        |
 * |          |          | seller (−2 kWh)    | none: estimated | 0           | 0                   |
 * |          |          | roof (0)           | 0.125 out       | −0.125 × 3  | −0.375 → −0.38      |
 * | t2 r0    | 15       | buyer (+1 kWh)     | 1 in            | 0           | 0                   |
 * |          |          | seller (−1 kWh)    | 0.75 out        | +0.25 × 15  | 3.75                |
 * |          |          | roof (0)           | 0.2 out         | −0.2 × 3    | −0.60               |
 * | t2 r1    |          | seller, corrected  | 0.9 out         | rev.; +0.1  | −3.75; +1.50        |
 * | t3       | 2        | buyer (+1 kWh)     | 1.5 in          | +0.5 × 12   | 6.00                |
 * |          |          | seller (−1 kWh)    | 1.333 out       | −0.333 × 2  | −0.666 → −0.67      |
 * | t4       | none     | roof (0)           | 0.4 out         | −0.4 × 3    | −1.20               |
 *
 * Per interval (last revision's kWh, all revisions' amounts): t1 0.333 / 0.125 / +3.62, 2 + 1
 * estimated; t2 0.100 / 0.200 / +0.90 (3.15 − 2.25), revision 1; t3 0.500 / 0.333 / +5.33;
 * t4 0 / 0.400 / −1.20. The day: shortfall 0.933, surplus 1.058, +8.65 net.
 * Skipped without Chromium unless REQUIRE_BROWSER=1, like the other browser specs.
 */
const SCREENSHOT = join(__dirname, '..', '..', 'test-output', 'imbalance-panel.png');
const QUARTER = 900_000;
const DAY = 86_400_000;

/**
 * Four ended quarter hours of one UTC day: the last four before the current one, or the last
 * four of yesterday when today has fewer than four ended yet.
 */
function endedQuarters(): Date[] {
  const current = Math.floor(Date.now() / QUARTER) * QUARTER;
  const today = Math.floor(current / DAY) * DAY;
  const end = current - 4 * QUARTER >= today ? current : today;
  return [4, 3, 2, 1].map((back) => new Date(end - back * QUARTER));
}

describeInChromium('imbalance panel in Chromium', () => {
  jest.setTimeout(120_000);
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let browser: OpenChromium;
  let product: string;
  let meter: string;
  const [t1, t2, t3, t4] = endedQuarters();
  const day = t1.toISOString().slice(0, 10);

  async function read(
    start: Date,
    participant: string,
    importWh: number,
    exportWh: number,
    correction?: { readingId: string; version: number; reason: string },
  ): Promise<string> {
    const readingId = correction?.readingId ?? `imbalance-panel-${randomUUID()}`;
    await db.query(
      `INSERT INTO meter_reading (reading_id, version, participant_id, product_code, delivery_start,
                                  import_wh, export_wh, reason, submitted_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        readingId,
        correction?.version ?? 1,
        participant,
        product,
        start,
        importWh,
        exportWh,
        correction?.reason ?? null,
        meter,
      ],
    );
    return readingId;
  }

  async function trade(start: Date, buyer: string, seller: string, price: string, wh: number) {
    await placeOrders(db, product, start, [
      { participant: buyer, side: 'BUY', price, quantityWh: wh },
      { participant: seller, side: 'SELL', price, quantityWh: wh },
    ]);
    await closeGate(db, product, start);
  }

  beforeAll(async () => {
    browser = await openChromium({ width: 1400, height: 1600 }, ['--disable-sync']);
    api = await startTestApi();
    db = await connectTestDatabase();
    product = await createProduct(db, { priceTick: '0.5' });
    await db.query(
      `UPDATE product SET import_tariff = 12, feed_in_tariff = 3, metering_window_seconds = 0
       WHERE code = $1`,
      [product],
    );
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role) VALUES ($1, 'METER') RETURNING id::text`,
      [`meter-${randomUUID()}`],
    );
    meter = rows[0].id;
    const [buyer, seller, roof] = await createParticipants(db, 3);
    matcher = await startTestMatcher([product]);

    await trade(t1, buyer, seller, '10', 2000);
    await trade(t2, buyer, seller, '15', 1000);
    await trade(t3, buyer, seller, '2', 1000);
    expect(await matcher.drain()).toBe(3);
    await read(t1, buyer, 2333, 0); // the seller's reading of t1 is missing: estimated
    await read(t1, roof, 0, 125);
    await read(t2, buyer, 1000, 0);
    const sellerT2 = await read(t2, seller, 0, 750);
    await read(t2, roof, 0, 200);
    await read(t3, buyer, 1500, 0);
    await read(t3, seller, 0, 1333);
    await read(t4, roof, 0, 400); // no trade in t4: at the tariffs alone
    const first = await matcher.settleImbalances();
    expect(first.map((r) => r.revision)).toEqual([0, 0, 0, 0]);
    // the seller's meter of t2 is corrected: revision 1
    await read(t2, seller, 0, 900, {
      readingId: sellerT2,
      version: 2,
      reason: 'meter constant corrected',
    });
    expect(await matcher.settleImbalances()).toMatchObject([{ revision: 1 }]);
    // the frozen prices of the rule, per interval
    const prices = await db.query<Record<string, string | null>>(
      `SELECT clearing_price::text AS clearing, shortfall_price::text AS shortfall,
              surplus_price::text AS surplus
         FROM imbalance_settlement WHERE product_code = $1 AND revision = 0
        ORDER BY delivery_start`,
      [product],
    );
    expect(prices.rows).toEqual([
      { clearing: '10', shortfall: '12', surplus: '3' },
      { clearing: '15', shortfall: '15', surplus: '3' },
      { clearing: '2', shortfall: '12', surplus: '2' },
      { clearing: null, shortfall: '12', surplus: '3' },
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await matcher?.close();
    await db?.end();
    await api?.close();
  });

  it('shows the settled intervals of the day with the amounts of the rule', async () => {
    const { page } = browser;
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const server = api.app.getHttpServer() as { address(): { port: number } };
    await page.goto(`http://127.0.0.1:${server.address().port}/dashboard#imbalanceDay=${day}`);
    await page.fill('#key', api.operatorKey);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#main:not([hidden])');

    // the seeded metered product first, then ours picked
    await page.locator(`#imbalance-panel[data-day="${day}"][data-product="ELECTRICITY"]`).waitFor();
    const picker = page.locator('#imbalance-panel select[aria-label="metered product"]');
    expect(await picker.isVisible()).toBe(true);
    await picker.selectOption(product);
    const panel = page.locator(
      `#imbalance-panel[data-day="${day}"][data-product="${product}"][data-intervals="4"]`,
    );
    await panel.waitFor();
    expect(await panel.getAttribute('data-shortfall')).toBe('0.933');
    expect(await panel.getAttribute('data-surplus')).toBe('1.058');
    expect(await panel.getAttribute('data-amount')).toBe('8.65');
    expect(await page.locator('#imbalance-panel .imbalance-summary').textContent()).toBe(
      '4 interval(s) settled: shortfall 0.933 kWh, surplus 1.058 kWh, ' +
        'the participants paid the utility +8.65 net (< 0: it paid them).',
    );
    expect(await page.locator('#imbalance-panel strong').textContent()).toBe(`${day} (UTC)`);

    const rows = await page.locator('#imbalance-panel tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        start: tr.getAttribute('data-delivery-start'),
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
        readingsTitle: tr.querySelectorAll('td')[4]?.getAttribute('title'),
      })),
    );
    // the browser shows local time, in the time zone of this process
    const clock = (at: Date) =>
      `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
    const local = (at: Date) =>
      at.toDateString() === new Date().toDateString()
        ? clock(at)
        : `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(
            at.getDate(),
          ).padStart(2, '0')} ${clock(at)}`;
    expect(rows.map((r) => new Date(r.start ?? '').getTime())).toEqual(
      [t1, t2, t3, t4].map((t) => t.getTime()),
    );
    expect(rows.map((r) => r.cells)).toEqual([
      [local(t1), '0.333', '0.125', '+3.62', '2 + 1 est.', '0'],
      [local(t2), '0.100', '0.200', '+0.90', '3', '1'],
      [local(t3), '0.500', '0.333', '+5.33', '2', '0'],
      [local(t4), '0.000', '0.400', '−1.20', '1', '0'],
    ]);
    expect(rows.map((r) => r.readingsTitle)).toEqual(['1 estimated (no reading)', '', '', '']);

    // ◀ shows the day before: nothing settled there; ▶ back
    await page.click('#imbalance-panel button[aria-label="previous day"]');
    await page.locator('#imbalance-panel[data-intervals="0"]').waitFor();
    expect(await page.locator('#imbalance-panel .imbalance-summary').textContent()).toBe(
      `No ${product} interval of this day is settled yet: settlement follows the metering window after each delivery.`,
    );
    expect(await page.locator('#imbalance-panel table').isHidden()).toBe(true);
    await page.click('#imbalance-panel button[aria-label="next day"]');
    await panel.waitFor();
    await page.locator('#imbalance-panel').scrollIntoViewIfNeeded();
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('shows a day with more settlement revisions than one imbalances query returns', async () => {
    // a one-minute product with 101 settled minutes yesterday: one query of the day is refused
    // (at most 100 revisions); 0.01 kWh short in each, at the import tariff: 0.12 each
    const minutes = await createProduct(db, { priceTick: '0.5', intervalSeconds: 60 });
    await db.query(
      `UPDATE product SET import_tariff = 12, feed_in_tariff = 3, metering_window_seconds = 0
       WHERE code = $1`,
      [minutes],
    );
    const [tenant] = await createParticipants(db, 1);
    const yesterday = new Date(Math.floor(Date.now() / DAY) * DAY - DAY);
    await db.query(
      `INSERT INTO meter_reading (reading_id, version, participant_id, product_code, delivery_start,
                                  import_wh, export_wh, submitted_by)
       SELECT 'imbalance-panel-' || gen_random_uuid(), 1, $1, $2,
              $3::timestamptz + i * interval '1 minute', 10, 0, $4
         FROM generate_series(0, 100) AS i`,
      [tenant, minutes, yesterday, meter],
    );
    const settler = await startTestMatcher([minutes]);
    try {
      expect(await settler.settleImbalances()).toHaveLength(101);
    } finally {
      await settler.close();
    }

    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const date = yesterday.toISOString().slice(0, 10);
    const server = api.app.getHttpServer() as { address(): { port: number } };
    await page.goto(`http://127.0.0.1:${server.address().port}/dashboard#imbalanceDay=${date}`);
    await page.fill('#key', api.operatorKey);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#main:not([hidden])');
    await page.locator(`#imbalance-panel[data-product="ELECTRICITY"]`).waitFor();
    await page
      .locator('#imbalance-panel select[aria-label="metered product"]')
      .selectOption(minutes);
    const panel = page.locator(
      `#imbalance-panel[data-day="${date}"][data-product="${minutes}"][data-intervals="101"]`,
    );
    await panel.waitFor({ timeout: 15_000 });
    expect(await panel.getAttribute('data-shortfall')).toBe('1.010');
    expect(await panel.getAttribute('data-surplus')).toBe('0.000');
    expect(await panel.getAttribute('data-amount')).toBe('12.12');
    expect(await page.locator('#imbalance-panel tbody tr').count()).toBe(101);
    // one query of the day was refused: its halves were asked for, and nothing was flashed
    expect(await page.locator('#flash').textContent()).not.toContain('Imbalance');
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
