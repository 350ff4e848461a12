import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { GatedRequest, Principal } from '@parkex/api/auth/principal';
import { ExportErrorFilter } from './export-error.filter';
import { type CsvExport, ExportsService } from './exports.service';

export type ExportRequest = GatedRequest & { query: Record<string, unknown> };

/**
 * `GET /exports/settlements.csv` and `GET /exports/fills.csv` with `Authorization: Bearer <key>`:
 * RFC 4180 CSV streamed from a server-side cursor (constant memory, paced by the client).
 */
@Controller('exports')
@UseFilters(ExportErrorFilter)
export class ExportsController {
  constructor(private readonly service: ExportsService) {}

  @Get('settlements.csv')
  settlements(@Req() req: ExportRequest, @Res() res: ServerResponse): Promise<void> {
    return this.send(req, res, 'export:settlements.csv', (principal) =>
      this.service.settlements(principal, req.query),
    );
  }

  @Get('fills.csv')
  fills(@Req() req: ExportRequest, @Res() res: ServerResponse): Promise<void> {
    return this.send(req, res, 'export:fills.csv', (principal) =>
      this.service.fills(principal, req.query),
    );
  }

  private send(
    req: ExportRequest,
    res: ServerResponse,
    action: string,
    prepare: (principal: Principal) => Promise<CsvExport>,
  ): Promise<void> {
    return sendCsvExport(this.service, req, res, action, prepare);
  }
}

/**
 * Serves one CSV export: the caller authenticated and admitted (a running-export slot), the
 * export prepared, streamed as the client takes it, and recorded in the audit log whatever
 * happens. Every `/exports/*.csv` route goes through it (the carbon report's too).
 */
export async function sendCsvExport(
  service: ExportsService,
  req: ExportRequest,
  res: ServerResponse,
  action: string,
  prepare: (principal: Principal) => Promise<CsvExport>,
): Promise<void> {
  const principal = service.authenticate(req);
  let csv: CsvExport;
  try {
    service.authorize(principal);
    service.admit(principal, res);
    csv = await prepare(principal);
  } catch (error) {
    await service.record(principal.id, action, req.query, error);
    throw error;
  }
  res.statusCode = 200;
  res.setHeader('content-type', 'text/csv; charset=utf-8; header=present');
  res.setHeader('content-disposition', `attachment; filename="${csv.filename}"`);
  res.setHeader('cache-control', 'no-store');
  try {
    await writeAll(res, csv.body, service.writeTimeoutMs);
  } catch (error) {
    // The client went away or the query failed: the response is cut, never completed.
    res.destroy();
    await service.record(principal.id, csv.action, csv.args, error);
    return;
  }
  await service.record(principal.id, csv.action, csv.args);
}

/**
 * Writes the chunks as the client takes them and ends the response. Each chunk the socket does
 * not take at once must drain within `timeoutMs`: a client that stops reading is cut then (the
 * rows' cursor and its connection are released as the generator returns).
 */
async function writeAll(
  res: ServerResponse,
  chunks: AsyncGenerator<string>,
  timeoutMs: number,
): Promise<void> {
  try {
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      if (res.destroyed) throw new Error('the client went away');
      if (!res.write(next.value)) await drained(res, timeoutMs);
    }
  } catch (error) {
    // Cut the client first; the rows' cursor is closed behind it.
    res.destroy();
    chunks.return(undefined).catch(() => undefined);
    throw error;
  }
  await new Promise<void>((resolve, reject) => {
    res.once('error', reject);
    res.end(() => resolve());
  });
}

function drained(res: ServerResponse, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the client went away'));
    const timer = setTimeout(
      () => done(new Error(`the client took nothing for ${timeoutMs} ms: export cut`)),
      timeoutMs,
    );
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
