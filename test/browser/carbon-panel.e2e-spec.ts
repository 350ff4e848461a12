import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { describeInChromium, openChromium, type OpenChromium } from '@parkex/test-support/chromium';
import { insertFixtureReadings } from '@parkex/test-support/meter-fixtures';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';

/**
 * The dashboard's carbon panel in Chromium: a day of 2039 with two metered quarter hours of one
 * tenant that bought nothing in the park (so its electricity is the grid's): 2 kWh at an uploaded
 * 250 g/kWh, 1 kWh at the default 380 g/kWh; the day's intensity is 880 g / 3 kWh = 293.333 g/kWh.
 * Skipped without Chromium unless REQUIRE_BROWSER=1, like the other browser specs.
 */
const SCREENSHOT = join(__dirname, '..', '..', 'test-output', 'carbon-panel.png');

describeInChromium('carbon panel in Chromium', () => {
  jest.setTimeout(90_000);
  let api: TestApi;
  let db: Client;
  let browser: OpenChromium;
  const day = new Date(Date.UTC(2039, randomInt(0, 12), randomInt(1, 29)));
  const t1 = new Date(day.getTime() + randomInt(0, 90) * 900_000);
  const t2 = new Date(t1.getTime() + 900_000);

  beforeAll(async () => {
    browser = await openChromium({ width: 1400, height: 1400 }, ['--disable-sync']);
    api = await startTestApi();
    db = await connectTestDatabase();
    const tenant = await api.createParticipant(uniqueName('Print shop'));
    const uploaded = await api.gql(
      `mutation($f: [GridCarbonFactorInput!]!) { uploadGridCarbonFactors(factors: $f) }`,
      { f: [{ deliveryStart: t1.toISOString(), gramsPerKwh: '250' }] },
      api.operatorKey,
    );
    if (uploaded.errors) throw new Error(JSON.stringify(uploaded.errors));
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role) VALUES ($1, 'METER') RETURNING id`,
      [uniqueName('Meter')],
    );
    await insertFixtureReadings(
      db,
      (
        [
          [t1, 2000],
          [t2, 1000],
        ] as const
      ).map(([deliveryStart, importWh]) => ({
        readingId: `carbon-panel-${randomUUID()}`,
        participantId: tenant.id,
        productCode: 'ELECTRICITY',
        deliveryStart,
        importWh,
        submittedBy: rows[0].id,
      })),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await api?.close();
  });

  it("charts the park's carbon intensity of the day with the grid factor and prices", async () => {
    const { page } = browser;
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const server = api.app.getHttpServer() as { address(): { port: number } };
    const date = day.toISOString().slice(0, 10);
    await page.goto(`http://127.0.0.1:${server.address().port}/dashboard#carbonDay=${date}`);
    await page.fill('#key', api.operatorKey);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#main:not([hidden])');

    const panel = page.locator(
      `#carbon-panel[data-day="${date}"][data-product="ELECTRICITY"][data-points="2"]`,
    );
    await panel.waitFor();
    expect(await panel.getAttribute('data-day-intensity')).toBe('293.333');
    expect(await panel.textContent()).toContain('3.000 kWh');
    expect(await panel.textContent()).toContain('293.333 g/kWh over the day');
    expect(await page.locator('#carbon-panel canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('#carbon-panel .u-legend').textContent()).toContain('clearing price');

    // ◀ shows the day before: nothing metered there
    await page.click('#carbon-panel button[aria-label="previous day"]');
    await page.locator('#carbon-panel[data-points="0"]').waitFor();
    await page.click('#carbon-panel button[aria-label="next day"]');
    await panel.waitFor();
    await page.locator('#carbon-panel').scrollIntoViewIfNeeded();
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
