import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Principal } from '../auth/principal';
import { ExportErrorFilter } from './export-error.filter';
import { type CsvExport, ExportsService } from './exports.service';

type ExportRequest = IncomingMessage & { query: Record<string, unknown> };

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

  private async send(
    req: ExportRequest,
    res: ServerResponse,
    action: string,
    prepare: (principal: Principal) => Promise<CsvExport>,
  ): Promise<void> {
    const principal = await this.service.authenticate(req.headers.authorization);
    let csv: CsvExport;
    try {
      csv = await prepare(principal);
    } catch (error) {
      await this.service.record(principal.id, action, req.query, error);
      throw error;
    }
    res.statusCode = 200;
    res.setHeader('content-type', 'text/csv; charset=utf-8; header=present');
    res.setHeader('content-disposition', `attachment; filename="${csv.filename}"`);
    res.setHeader('cache-control', 'no-store');
    try {
      await pipeline(Readable.from(csv.body), res);
    } catch (error) {
      // The client went away or the query failed: the response is cut, never completed.
      res.destroy();
      await this.service.record(principal.id, csv.action, csv.args, error);
      return;
    }
    await this.service.record(principal.id, csv.action, csv.args);
  }
}
