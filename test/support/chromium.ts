import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The browser tier's Chromium: `CHROMIUM_PATH`, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserPresent = existsSync(CHROMIUM);
/** REQUIRE_BROWSER=1: a spec without Chromium fails instead of being skipped. */
export const browserRequired = process.env.REQUIRE_BROWSER === '1';

/** `describe` for a browser spec: skipped without Chromium, unless REQUIRE_BROWSER=1. */
export const describeInChromium: jest.Describe =
  browserPresent || browserRequired ? describe : describe.skip;

export interface OpenChromium {
  context: BrowserContext;
  page: Page;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/**
 * Headless Chromium on a fresh profile folder with one page of `viewport`; fails when there is no
 * Chromium (a spec asked to run without one: REQUIRE_BROWSER=1).
 */
export async function openChromium(
  viewport: { width: number; height: number },
  extraArgs: readonly string[] = [],
): Promise<OpenChromium> {
  if (!browserPresent) {
    throw new Error(`REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'parkex-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', ...extraArgs],
  });
  return {
    context,
    page: await context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
