import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { ExportRepository, type FillExportRow, type SettlementEntryRow } from '@parkex/db';
import { canonicalDecimal, formatMoney, formatQuantity } from '@parkex/market';
import { AuditService } from '@parkex/api/audit/audit.service';
import type { GatedRequest, Principal } from '@parkex/api/auth/principal';
import { gatedPrincipal } from '@parkex/api/auth/request-gate';
import { AppError, badInput, forbidden } from '../common/app-error';
import { isUuid } from '../common/uuid';
import { API_CONFIG, type ApiConfig } from '@parkex/api/config/api-config';
import { RateLimiter } from '@parkex/api/rate-limit/rate-limiter';
import { csvChunks } from './csv';

/** A CSV export ready to stream: its file name, its text, and what the audit log records of it. */
export interface CsvExport {
  filename: string;
  body: AsyncGenerator<string>;
  action: string;
  args: Record<string, string>;
}

export const SETTLEMENTS_HEADER = [
  'journal_id',
  'line',
  'delivery_start',
  'product_code',
  'participant_id',
  'participant_name',
  'account',
  'kind',
  'fill_seq',
  'energy_kwh',
  'amount',
  'source',
] as const;

export const FILLS_HEADER = [
  'product_code',
  'delivery_start',
  'seq',
  'buy_order_id',
  'sell_order_id',
  'buyer_id',
  'seller_id',
  'quantity_kwh',
  'price',
  'amount',
] as const;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

type Query = Record<string, unknown>;

/**
 * CSV exports for auditors and the operator (a participant may export its own settlements, and
 * nothing else). Same keys, rate limit and error codes as GraphQL; every export, finished or
 * refused after authentication, is written to the audit log.
 *
 * Exports are isolated from the rest of the API: at most EXPORT_MAX_CONCURRENT run at once in a
 * replica, each on a connection of the exports' own pool of that size, and at most
 * EXPORT_MAX_PER_PARTICIPANT per participant; beyond, RATE_LIMITED. At shutdown the running ones
 * are cut so that the process exits promptly.
 */
@Injectable()
export class ExportsService implements OnModuleDestroy {
  private running = 0;
  private readonly perParticipant = new Map<string, number>();
  private readonly open = new Set<ServerResponse>();
  private closing = false;

  constructor(
    private readonly rateLimiter: RateLimiter,
    private readonly audit: AuditService,
    private readonly exports: ExportRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    exports.configure({ poolSize: config.exportMaxConcurrent });
  }

  /** How long an export may wait for its client to take the next chunk. */
  get writeTimeoutMs(): number {
    return this.config.exportWriteTimeoutMs;
  }

  /**
   * The caller as the request gate judged its key (one lookup per request), charged a token of
   * its key's rate limit; a refusal is counted once per request, for the gate's client address.
   */
  authenticate(req: GatedRequest): Principal {
    let principal: Principal | undefined;
    try {
      principal = gatedPrincipal(req);
      this.rateLimiter.take(principal.keyHash);
      return principal;
    } catch (error) {
      this.audit.noteRefusal(req, error, {
        address: req.parkexAuth?.address ?? 'unknown',
        participantId: principal?.id,
      });
      throw error;
    }
  }

  /** Exports are for the market's roles: a METER key may submit meter readings, nothing else. */
  authorize(principal: Principal): void {
    if (principal.role === 'METER') {
      throw forbidden(
        'exports are for PARTICIPANT, OPERATOR or AUDITOR keys; a METER key may only submit meter readings',
      );
    }
  }

  /**
   * Takes one of the running-export slots for `principal` until `res` closes (finished, cut or
   * abandoned); RATE_LIMITED when the replica or the participant has none left.
   */
  admit(principal: Principal, res: ServerResponse): void {
    if (this.closing) {
      throw new AppError('RATE_LIMITED', 'the server is shutting down: retry on another replica', {
        reason: 'SHUTTING_DOWN',
        retryAfterMs: 1000,
      });
    }
    const mine = this.perParticipant.get(principal.id) ?? 0;
    if (mine >= this.config.exportMaxPerParticipant) {
      throw new AppError(
        'RATE_LIMITED',
        `at most ${this.config.exportMaxPerParticipant} exports of one participant run at once; retry when one has finished`,
        {
          reason: 'EXPORTS_PER_PARTICIPANT',
          limit: this.config.exportMaxPerParticipant,
          retryAfterMs: 1000,
        },
      );
    }
    if (this.running >= this.config.exportMaxConcurrent) {
      throw new AppError(
        'RATE_LIMITED',
        `the server runs at most ${this.config.exportMaxConcurrent} exports at once; retry in a moment`,
        { reason: 'EXPORTS_RUNNING', limit: this.config.exportMaxConcurrent, retryAfterMs: 1000 },
      );
    }
    this.running += 1;
    this.perParticipant.set(principal.id, mine + 1);
    this.open.add(res);
    res.once('close', () => {
      this.open.delete(res);
      this.running -= 1;
      const left = (this.perParticipant.get(principal.id) ?? 1) - 1;
      if (left > 0) this.perParticipant.set(principal.id, left);
      else this.perParticipant.delete(principal.id);
    });
  }

  /** Shutdown: running exports are cut (never completed), new ones refused. */
  onModuleDestroy(): void {
    this.closing = true;
    for (const res of this.open) res.destroy();
  }

  /**
   * `?from=&to=[&participantId=]`: one row per ledger entry of the journals delivering in
   * [from, to), by journal and line; amounts in currency (2 decimals, credit > 0), energy in kWh
   * (received > 0). A participant gets its own entries (participantId left out or its own).
   */
  async settlements(principal: Principal, query: Query): Promise<CsvExport> {
    const params = readParams(query, ['from', 'to', 'participantId']);
    const { from, to } = window(params);
    let participantId = params.participantId ?? null;
    if (participantId !== null && !isUuid(participantId)) {
      throw badInput(`participantId ${participantId} is not a participant id`, {
        field: 'participantId',
      });
    }
    if (principal.role === 'PARTICIPANT') {
      if (participantId !== null && participantId !== principal.id) {
        throw forbidden('a participant may export only its own settlements');
      }
      participantId = principal.id;
    }
    const rows = await this.exports.settlementEntries({ from, to, participantId });
    return {
      filename: `settlements_${stamp(from)}_${stamp(to)}.csv`,
      body: csvChunks(SETTLEMENTS_HEADER, rows, (row: SettlementEntryRow) => [
        row.journal_id,
        row.line,
        row.delivery_start,
        row.product_code,
        row.participant_id,
        row.participant_name,
        row.account_kind,
        row.kind,
        row.fill_seq,
        formatQuantity(BigInt(row.energy_wh)),
        formatMoney(BigInt(row.amount_minor)),
        row.source,
      ]),
      action: 'export:settlements.csv',
      args: { from: from.toISOString(), to: to.toISOString(), participantId: participantId ?? '' },
    };
  }

  /**
   * `?from=&to=[&productCode=]`: every fill of the intervals delivering in [from, to), with both
   * orders and participants. Auditor and operator only: fills name the counterparties.
   */
  async fills(principal: Principal, query: Query): Promise<CsvExport> {
    if (principal.role === 'PARTICIPANT') {
      throw forbidden(
        'fills.csv is for AUDITOR or OPERATOR only (it names both sides of every fill); use settlements.csv for your own',
      );
    }
    const params = readParams(query, ['from', 'to', 'productCode']);
    const { from, to } = window(params);
    const productCode = params.productCode ?? null;
    const rows = await this.exports.fills({ from, to, productCode });
    return {
      filename: `fills_${stamp(from)}_${stamp(to)}.csv`,
      body: csvChunks(FILLS_HEADER, rows, (row: FillExportRow) => [
        row.product_code,
        row.delivery_start,
        row.seq,
        row.buy_order_id,
        row.sell_order_id,
        row.buyer_id,
        row.seller_id,
        formatQuantity(BigInt(row.quantity_wh)),
        canonicalDecimal(row.price),
        formatMoney(BigInt(row.amount_minor)),
      ]),
      action: 'export:fills.csv',
      args: { from: from.toISOString(), to: to.toISOString(), productCode: productCode ?? '' },
    };
  }

  /** Audit row of an export that ran (error: it broke off) or was refused. */
  record(actorId: string, action: string, args: unknown, error?: unknown): Promise<void> {
    return this.audit.record(actorId, action, args, error);
  }
}

/** The named parameters, each at most once and as text; unknown ones are refused. */
export function readParams<K extends string>(
  query: Query,
  names: readonly K[],
): Partial<Record<K, string>> {
  const params: Partial<Record<K, string>> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!(names as readonly string[]).includes(name)) {
      throw badInput(`unknown parameter ${name}; this export takes ${names.join(', ')}`, {
        field: name,
      });
    }
    if (typeof value !== 'string') {
      throw badInput(`${name} must be given once, as text`, { field: name });
    }
    if (value !== '') params[name as K] = value;
  }
  return params;
}

/** `from` and `to` as ISO-8601 instants, from before to (BAD_USER_INPUT otherwise). */
export function window(params: { from?: string; to?: string }): { from: Date; to: Date } {
  const from = instant(params.from, 'from');
  const to = instant(params.to, 'to');
  if (from.getTime() >= to.getTime()) throw badInput('from must be before to', { field: 'to' });
  return { from, to };
}

function instant(value: string | undefined, field: string): Date {
  if (value === undefined) {
    throw badInput(`${field} is required (ISO-8601 instant, e.g. 2026-11-27T00:00:00Z)`, {
      field,
    });
  }
  const date = new Date(value);
  if (!ISO_INSTANT.test(value) || Number.isNaN(date.getTime())) {
    throw badInput(
      `${field} ${JSON.stringify(value)} is not an ISO-8601 instant with a time zone, e.g. 2026-11-27T00:00:00Z`,
      { field },
    );
  }
  return date;
}

/** An instant for a file name: 20261127T000000Z. */
export function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
