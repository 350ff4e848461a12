import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApi, type TestApi } from '@parkex/test-support/test-api';

/**
 * GraphiQL on GET /graphql in a real browser (Debian's Chromium through playwright-core) with
 * every request to another host than the API refused, as on an air-gapped park network: the page
 * loads from the API's own files and its documentation explorer shows the schema. Skipped when
 * /usr/bin/chromium is absent, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '..', '..', 'test-output', 'graphiql.png');
const browserPresent = existsSync(CHROMIUM);
const browserRequired = process.env.REQUIRE_BROWSER === '1';

if (!browserPresent && !browserRequired) {
  console.warn(
    `SKIPPED test/browser/graphiql.e2e-spec.ts: no Chromium at ${CHROMIUM}. ` +
      'Install it (apt-get install chromium) to run the browser test; CI sets REQUIRE_BROWSER=1.',
  );
}

(browserPresent || browserRequired ? describe : describe.skip)(
  'GraphiQL in Chromium, offline',
  () => {
    jest.setTimeout(90_000);
    let api: TestApi;
    let browser: Browser;
    let page: Page;
    let origin: string;
    const offHost: string[] = [];
    const pageErrors: string[] = [];

    beforeAll(async () => {
      if (!browserPresent) {
        throw new Error(`REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
      }
      api = await startTestApi();
      const server = api.app.getHttpServer() as { address(): { port: number } };
      origin = `http://127.0.0.1:${server.address().port}`;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      // The park's network: only the API answers; anything else (a CDN) is refused and noted.
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.origin === origin) return route.continue();
        offHost.push(url.href);
        return route.abort('internetdisconnected');
      });
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
    });

    afterAll(async () => {
      await browser?.close();
      await api?.close();
    });

    it('loads from the API alone and its docs explorer lists Query, Mutation and submitOrders', async () => {
      await page.goto(`${origin}/graphql`);
      await page.waitForSelector('.graphiql-container');

      await page.click('button[aria-label="Show Documentation Explorer"]');
      const docs = page.locator('.graphiql-doc-explorer');
      await docs
        .locator('a.graphiql-doc-explorer-type-name', { hasText: 'Query' })
        .first()
        .waitFor();
      await docs
        .locator('a.graphiql-doc-explorer-type-name', { hasText: 'Mutation' })
        .first()
        .click();
      await docs
        .locator('a.graphiql-doc-explorer-field-name', { hasText: 'submitOrders' })
        .waitFor();

      // The editor talks to /graphql: without a key the default query is refused, readably.
      await page.click('button.graphiql-execute-button');
      await page.locator('.graphiql-response', { hasText: 'UNAUTHENTICATED' }).waitFor();

      // With the key in the headers editor, the same query answers.
      await page.click('button[data-name="headers"]');
      await page.click('.graphiql-editor-tool .CodeMirror:visible');
      await page.keyboard.insertText(
        JSON.stringify({ Authorization: `Bearer ${api.operatorKey}` }),
      );
      await page.click('button.graphiql-execute-button');
      await page.locator('.graphiql-response', { hasText: '"role": "OPERATOR"' }).waitFor();

      mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      expect(offHost).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    it('serves the page with a CSP of its own origin, and no other host in it', async () => {
      const response = await request(api.app.getHttpServer())
        .get('/graphql')
        .set('accept', 'text/html');
      expect(response.status).toBe(200);
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.text).toContain('/graphiql/graphiql.js');
      expect(response.text).not.toMatch(/https?:\/\//);
      const script = await request(api.app.getHttpServer()).get('/graphiql/graphiql.js');
      expect(script.status).toBe(200);
      expect(script.headers['content-type']).toMatch(/^text\/javascript/);
      expect((await request(api.app.getHttpServer()).get('/graphiql/package.json')).status).toBe(
        404,
      );
    });
  },
);

describe('GraphiQL in production', () => {
  it('is not served: no page on GET /graphql, no files under /graphiql', async () => {
    const api = await startTestApi({ nodeEnv: 'production' });
    try {
      const server = api.app.getHttpServer();
      const page = await request(server).get('/graphql').set('accept', 'text/html');
      expect(page.text).not.toContain('graphiql');
      expect((await request(server).get('/graphiql/graphiql.js')).status).toBe(404);
      expect((await request(server).get('/graphiql/schema.json')).status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
