import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import type { Page } from 'playwright-core';
import {
  CHROMIUM,
  browserPresent,
  browserRequired,
  describeInChromium,
  openChromium,
  type OpenChromium,
} from '@parkex/test-support/chromium';
import {
  auctionStart,
  closeAuctionGate,
  createSeries,
  everyKind,
  submitAuction,
} from '@parkex/test-support/auctions';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher } from '@parkex/test-support/test-matcher';

/**
 * The park view of an integrated auction in a real browser: price curves per carrier, grid flows
 * against the limits, device schedules with the state of charge, blocks, and the Verify button.
 * Skipped without Chromium unless REQUIRE_BROWSER=1.
 */
const SCREENSHOT = join(__dirname, '..', '..', 'test-output', 'park.png');

if (!browserPresent && !browserRequired) {
  console.warn(`SKIPPED test/browser/park.e2e-spec.ts: no Chromium at ${CHROMIUM}.`);
}

describeInChromium('park view in Chromium', () => {
  jest.setTimeout(90_000);
  let api: TestApi;
  let db: Client;
  let browser: OpenChromium;
  let page: Page;
  let series: string;
  let start: Date;

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    series = await createSeries(api);
    start = auctionStart(70);
    const batches = everyKind(series, start);
    for (const orders of [batches.factory, batches.pv, batches.heat]) {
      const tenant = await api.createParticipant(uniqueName('tenant'));
      await submitAuction(api, tenant.key, orders);
    }
    await closeAuctionGate(db, series, start);
    const matcher = await startTestMatcher([], { clearsAuctions: true, series: [series] });
    try {
      await matcher.drain();
    } finally {
      await matcher.close();
    }
    browser = await openChromium({ width: 1400, height: 1250 }, ['--disable-quic']);
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await api?.close();
  });

  it('shows prices, grid flows, device schedules and blocks, and verifies the auction', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const server = api.app.getHttpServer() as { address(): { port: number } };
    const base = `http://127.0.0.1:${server.address().port}/dashboard/park.html`;
    await page.goto(base);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#key', api.operatorKey);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login[hidden]', { state: 'attached' });

    await page.goto(`${base}?series=${series}&start=${encodeURIComponent(start.toISOString())}`);
    await page.waitForSelector('#park[data-loaded="true"]');
    expect(await page.locator('.park-chart').count()).toBe(2);
    expect(await page.locator('.park-chart polyline').count()).toBe(2);
    expect(await page.locator('#grid-table tbody tr').count()).toBe(4);
    const devices = await page.locator('#device-table td:first-child').allTextContents();
    expect(devices).toEqual(
      expect.arrayContaining(['battery · state of charge', 'heat-pump · HEAT']),
    );
    const blocks = await page.locator('#block-table').textContent();
    expect(blocks).toContain('ACCEPTED');
    expect(blocks).toContain('PARADOXICALLY_REJECTED');

    await page.click('#verify');
    await page.waitForSelector('#verdict');
    expect(await page.textContent('#verdict')).toBe('verified');
    expect(await page.locator('.park-check').count()).toBeGreaterThan(8);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
