import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { ExportRepository, type ImbalanceLineExportRow } from '@parkex/db';
import { canonicalDecimal, formatMoney, formatQuantity } from '@parkex/market';
import type { Principal } from '@parkex/api/auth/principal';
import { csvChunks } from '@parkex/api/exports/csv';
import { ExportErrorFilter } from '@parkex/api/exports/export-error.filter';
import { sendCsvExport, type ExportRequest } from '@parkex/api/exports/exports.controller';
import {
  ExportsService,
  readParams,
  stamp,
  window,
  type CsvExport,
} from '@parkex/api/exports/exports.service';
import { ProductsService } from '@parkex/api/products/products.service';
import { scope } from './imbalance.service';

export const IMBALANCE_HEADER = [
  'product_code',
  'delivery_start',
  'revision',
  'line',
  'kind',
  'participant_id',
  'participant_name',
  'position_kwh',
  'metered_import_kwh',
  'metered_export_kwh',
  'estimated',
  'imbalance_kwh',
  'price',
  'amount',
] as const;

/**
 * `GET /exports/imbalance.csv?from=&to=[&productCode=][&participantId=]`: one row per imbalance
 * settlement line of the intervals delivering in [from, to), by delivery start, product, revision
 * and line; energy in kWh, price per kWh, amount to the participant (credit > 0). A participant
 * gets its own lines; a METER key nothing. Streamed like the other exports, with their keys,
 * limits, audit and CSV rules.
 */
@Controller('exports')
@UseFilters(ExportErrorFilter)
export class ImbalanceExportController {
  constructor(
    private readonly exports: ExportsService,
    private readonly rows: ExportRepository,
    private readonly products: ProductsService,
  ) {}

  @Get('imbalance.csv')
  imbalanceCsv(@Req() req: ExportRequest, @Res() res: ServerResponse): Promise<void> {
    return sendCsvExport(this.exports, req, res, 'export:imbalance.csv', (principal) =>
      this.prepare(principal, req.query),
    );
  }

  private async prepare(principal: Principal, query: Record<string, unknown>): Promise<CsvExport> {
    const params = readParams(query, ['from', 'to', 'productCode', 'participantId']);
    const participantId = scope(principal, params.participantId ?? null);
    const { from, to } = window(params);
    const productCode = params.productCode ?? null;
    if (productCode !== null) await this.products.get(productCode);
    const rows = await this.rows.imbalanceLines({ from, to, productCode, participantId });
    const kwh = (wh: string | null) => (wh === null ? '' : formatQuantity(BigInt(wh)));
    return {
      filename: `imbalance_${stamp(from)}_${stamp(to)}.csv`,
      body: csvChunks(IMBALANCE_HEADER, rows, (row: ImbalanceLineExportRow) => [
        row.product_code,
        row.delivery_start,
        row.revision,
        row.line,
        row.kind,
        row.participant_id,
        row.participant_name,
        kwh(row.position_wh),
        kwh(row.metered_import_wh),
        kwh(row.metered_export_wh),
        row.estimated ? 'true' : 'false',
        kwh(row.imbalance_wh),
        canonicalDecimal(row.price),
        formatMoney(BigInt(row.amount_minor)),
      ]),
      action: 'export:imbalance.csv',
      args: {
        from: from.toISOString(),
        to: to.toISOString(),
        productCode: productCode ?? '',
        participantId: participantId ?? '',
      },
    };
  }
}
