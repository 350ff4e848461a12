import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { formatFixed, formatQuantity, type CarbonLine } from '@parkex/market';
import type { Principal } from '@parkex/api/auth/principal';
import { csvChunks } from '@parkex/api/exports/csv';
import { ExportErrorFilter } from '@parkex/api/exports/export-error.filter';
import { sendCsvExport, type ExportRequest } from '@parkex/api/exports/exports.controller';
import { ExportsService, readParams, type CsvExport } from '@parkex/api/exports/exports.service';
import { badInput } from '../common/app-error';
import { CarbonService } from './carbon.service';

export const CARBON_HEADER = [
  'month',
  'participant_id',
  'participant_name',
  'carrier',
  'consumption_kwh',
  'park_purchases_kwh',
  'residual_kwh',
  'renewable_kwh',
  'renewable_share',
  'location_based_g',
  'market_based_g',
  'avoided_g',
] as const;

interface CarbonCsvRow {
  month: string;
  participantId: string;
  participantName: string;
  line: CarbonLine;
}

/**
 * `GET /exports/carbon.csv?month=YYYY-MM[&participantId=]`: the carbon reports of a UTC month, three
 * rows per participant (ELECTRICITY, HEAT, TOTAL), as `carbonReport` gives them; a participant
 * gets its own. Same keys, limits, audit and CSV rules as the other exports.
 */
@Controller('exports')
@UseFilters(ExportErrorFilter)
export class CarbonExportController {
  constructor(
    private readonly exports: ExportsService,
    private readonly carbon: CarbonService,
  ) {}

  @Get('carbon.csv')
  carbonCsv(@Req() req: ExportRequest, @Res() res: ServerResponse): Promise<void> {
    return sendCsvExport(this.exports, req, res, 'export:carbon.csv', (principal) =>
      this.prepare(principal, req.query),
    );
  }

  private async prepare(principal: Principal, query: Record<string, unknown>): Promise<CsvExport> {
    const params = readParams(query, ['month', 'participantId']);
    const month = params.month;
    if (month === undefined) {
      throw badInput('month is required (YYYY-MM, UTC), e.g. month=2026-12', { field: 'month' });
    }
    const reports = await this.carbon.reports(principal, params.participantId ?? null, month);
    const rows: CarbonCsvRow[] = reports.flatMap((r) =>
      [...r.report.lines, r.report.total].map((line) => ({
        month: r.month,
        participantId: r.participantId,
        participantName: r.participantName,
        line,
      })),
    );
    return {
      filename: `carbon_${month}.csv`,
      body: csvChunks(CARBON_HEADER, listed(rows), (row) => [
        row.month,
        row.participantId,
        row.participantName,
        row.line.carrier ?? 'TOTAL',
        formatQuantity(row.line.consumptionWh),
        formatQuantity(row.line.parkPurchasesWh),
        formatQuantity(row.line.residualWh),
        formatQuantity(row.line.renewableWh),
        row.line.renewableShareBp === null ? '' : formatFixed(row.line.renewableShareBp, 4),
        row.line.locationBasedG.toString(),
        row.line.marketBasedG.toString(),
        row.line.avoidedG.toString(),
      ]),
      action: 'export:carbon.csv',
      args: { month, participantId: params.participantId ?? '' },
    };
  }
}

async function* listed<T>(rows: readonly T[]): AsyncGenerator<T> {
  yield* rows;
}
