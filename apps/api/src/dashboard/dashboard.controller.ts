import { Controller, Get, Param, Res } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { type Asset, CONTENT_SECURITY_POLICY, pageAsset, VENDOR } from './dashboard-assets';

/**
 * `GET /dashboard`: the utility's live view, a static page that talks to `/graphql` with the
 * key its user enters. Serves the page, its modules and the vendor builds; no data and no key
 * ever pass through here. Answers every error itself (the app-wide filter is GraphQL's).
 */
@Controller('dashboard')
export class DashboardController {
  @Get()
  page(@Res() res: ServerResponse): Promise<void> {
    return send(res, pageAsset('index.html'));
  }

  @Get('vendor/:file')
  vendor(@Param('file') file: string, @Res() res: ServerResponse): Promise<void> {
    return send(res, Object.hasOwn(VENDOR, file) ? VENDOR[file] : undefined);
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: ServerResponse): Promise<void> {
    return send(res, pageAsset(file));
  }
}

async function send(res: ServerResponse, asset: Asset | undefined): Promise<void> {
  res.setHeader('x-content-type-options', 'nosniff');
  let body: Buffer | undefined;
  try {
    body = asset && (await readFile(asset.path));
  } catch {
    body = undefined;
  }
  if (!asset || !body) {
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('not found');
    return;
  }
  res.statusCode = 200;
  res.setHeader('content-type', asset.contentType);
  res.setHeader('cache-control', asset.cacheControl);
  if (asset.contentType.startsWith('text/html')) {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('referrer-policy', 'no-referrer');
  }
  res.end(body);
}
