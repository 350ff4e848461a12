import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '@parkex/db';

/**
 * The dashboard's own files (plain ES modules and CSS, no build step): apps/api/dashboard,
 * found from the sources, the project root or the working directory (a compiled build runs
 * from dist/ and reads them from the checkout).
 */
export const DASHBOARD_DIR =
  [
    join(__dirname, '..', '..', 'dashboard'),
    join(PROJECT_ROOT, 'apps', 'api', 'dashboard'),
    join(process.cwd(), 'apps', 'api', 'dashboard'),
  ].find((dir) => existsSync(join(dir, 'index.html'))) ??
  join(PROJECT_ROOT, 'apps', 'api', 'dashboard');

export interface Asset {
  path: string;
  contentType: string;
  /** Vendor files change only with package-lock.json; the page's own files on every deploy. */
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const NO_CACHE = 'no-cache';
const VENDOR_CACHE = 'public, max-age=3600';

/**
 * Browser builds served from node_modules (pinned in package-lock.json): uPlot (MIT) for the
 * price chart. (The subscription client is the page's own: graphql-transport-ws is small.)
 */
export const VENDOR: Record<string, Asset> = {
  'uplot.js': vendor(require.resolve('uplot/dist/uPlot.iife.min.js'), '.js'),
  'uplot.css': vendor(require.resolve('uplot/dist/uPlot.min.css'), '.css'),
};

/** A file of the dashboard folder by its plain name (`app.js`); nothing else is reachable. */
export function pageAsset(name: string): Asset | undefined {
  const match = /^[a-z0-9][a-z0-9-]*(\.[a-z]+)$/.exec(name);
  const contentType = match && TYPES[match[1]];
  if (!contentType) return undefined;
  const path = join(DASHBOARD_DIR, name);
  return existsSync(path) ? { path, contentType, cacheControl: NO_CACHE } : undefined;
}

function vendor(path: string, extension: string): Asset {
  return { path, contentType: TYPES[extension], cacheControl: VENDOR_CACHE };
}

/**
 * The page loads only its own origin's scripts and styles (uPlot sets inline styles) and talks
 * only to its own origin (HTTP and the WebSocket of /graphql).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
