import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describeInChromium, openChromium, type OpenChromium } from '@parkex/test-support/chromium';
import { ingest, registerAsset, sample } from '@parkex/test-support/assets';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';

/**
 * The dashboard's assets panel in Chromium: three batteries with telemetry — one normal, one
 * derated at WARNING, one suspended at ALARM — their levels, trading, sample charts and events;
 * the operator acknowledges the ALARM (its hold is over) and the battery trades again. Skipped
 * without Chromium unless REQUIRE_BROWSER=1, like the dashboard spec.
 */
const SCREENSHOT = join(__dirname, '..', '..', 'test-output', 'assets-panel.png');

describeInChromium('assets panel in Chromium', () => {
  jest.setTimeout(90_000);
  let api: TestApi;
  let browser: OpenChromium;
  let page: Page;
  let ownerKey: string;
  const assets: Record<'normal' | 'warning' | 'alarm', string> = {
    normal: '',
    warning: '',
    alarm: '',
  };

  beforeAll(async () => {
    api = await startTestApi();
    const owner = await api.createParticipant(uniqueName('Battery park'));
    ownerKey = owner.key;
    // Ten minutes of samples a second apart, warming differently per battery.
    const t0 = Date.now() - 10 * 60_000;
    const series = (id: string, heat: (i: number) => Record<string, number>) =>
      Array.from({ length: 60 }, (_, i) => sample(id, t0 + i * 10_000, heat(i)));
    for (const [which, name] of [
      ['normal', 'Battery A'],
      ['warning', 'Battery B'],
      ['alarm', 'Battery C'],
    ] as const) {
      assets[which] = (
        await registerAsset(api, owner.id, { name: `${name} ${uniqueName('')}` })
      ).id;
    }
    const batches = [
      series(assets.normal, (i) => ({ cellTempMaxDeciC: 250 + (i % 5) })),
      series(assets.warning, (i) => ({ cellTempMaxDeciC: 400 + 3 * i, cellTempMinDeciC: 240 })),
      // heats, vents (off-gas), then cools down: ALARM, held over, waiting for the operator
      series(assets.alarm, (i) =>
        i < 25
          ? { cellTempMaxDeciC: 300 + 14 * i, offGasPpm: i > 20 ? 40 * (i - 20) : 0 }
          : { cellTempMaxDeciC: 300, offGasPpm: 0 },
      ),
    ];
    for (const batch of batches) {
      const result = await ingest(api, owner.key, batch);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    }

    browser = await openChromium({ width: 1400, height: 1400 }, ['--disable-sync']);
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('shows each battery’s level, trading and samples, and the operator acknowledges an ALARM', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const server = api.app.getHttpServer() as { address(): { port: number } };
    await page.goto(`http://127.0.0.1:${server.address().port}/dashboard`);
    const signIn = async (key: string) => {
      await page.fill('#key', key);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#main:not([hidden])');
    };
    // The owner sees its own batteries (the operator sees every asset of the run's database).
    await signIn(ownerKey);

    const row = (id: string) => page.locator(`#assets-panel tr[data-asset="${id}"]`);
    await row(assets.alarm).waitFor();
    expect(await row(assets.normal).getAttribute('data-level')).toBe('NORMAL');
    expect(await row(assets.warning).getAttribute('data-level')).toBe('WARNING');
    expect(await row(assets.alarm).getAttribute('data-level')).toBe('ALARM');
    expect(await row(assets.warning).textContent()).toContain('derated to 50 %');
    expect(await row(assets.alarm).textContent()).toContain('suspended');
    expect(await row(assets.normal).locator('svg.sparkline polyline').count()).toBe(2);
    expect(await page.locator('#assets-panel ol.events li').count()).toBeGreaterThan(0);
    await page.locator('#assets-panel').scrollIntoViewIfNeeded();
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(await row(assets.alarm).textContent()).toContain('awaiting operator');

    await page.click('#signout');
    await signIn(api.operatorKey);
    await row(assets.alarm).locator('button.ack').click();
    await page.waitForSelector(
      `#assets-panel tr[data-asset="${assets.alarm}"][data-level="NORMAL"]`,
    );
    expect(pageErrors).toEqual([]);
  });
});
