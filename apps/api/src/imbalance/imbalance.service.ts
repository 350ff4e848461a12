import { Injectable } from '@nestjs/common';
import {
  ImbalanceReadRepository,
  type ImbalanceReadLine,
  type ImbalanceReadPosition,
  type ImbalanceReadSettlementWithLines,
} from '@parkex/db';
import {
  verifyImbalance,
  type ImbalanceLine,
  type ImbalanceVerification,
  type LatestReading,
  type StoredImbalanceRevision,
} from '@parkex/market';
import type { Principal } from '@parkex/api/auth/principal';
import { ProductsService } from '@parkex/api/products/products.service';
import { badInput, forbidden, notFound } from '../common/app-error';
import { isUuid } from '../common/uuid';
import {
  MAX_IMBALANCE_LINES,
  MAX_IMBALANCE_WINDOW_MS,
  MAX_LISTED_IMBALANCES,
  MAX_LISTED_POSITIONS,
} from '../graphql/list-bounds';

/** The roles that read imbalance data; a participant only its own. */
const READERS: readonly string[] = ['PARTICIPANT', 'OPERATOR', 'AUDITOR'];

/**
 * Imbalance settlement as the API shows it (README "Metering and imbalance settlement"): positions
 * against readings, the matcher's stored settlement revisions, and their verification by replay
 * (`verifyImbalance` of libs/market). Reads only: the matcher settles.
 */
@Injectable()
export class ImbalanceService {
  constructor(
    private readonly imbalances: ImbalanceReadRepository,
    private readonly products: ProductsService,
  ) {}

  /**
   * Positions and latest readings of a product's intervals starting in [from, to) (at most 31
   * days, MAX_LISTED_POSITIONS rows): a participant's own, or anyone's for the operator and the
   * auditor.
   */
  async positions(
    principal: Principal,
    productCode: string,
    from: Date,
    to: Date,
    participantId: string | null,
  ): Promise<ImbalanceReadPosition[]> {
    checkWindow(from, to);
    const wanted = scope(principal, participantId);
    await this.products.get(productCode);
    const rows = await this.imbalances.positions(
      productCode,
      from,
      to,
      wanted,
      MAX_LISTED_POSITIONS + 1,
    );
    if (rows.length > MAX_LISTED_POSITIONS) {
      throw badInput(
        `more than ${MAX_LISTED_POSITIONS} positions in [from, to); ask for a shorter window or one participantId`,
        { field: 'to', reason: 'TOO_MANY_ROWS', limit: MAX_LISTED_POSITIONS },
      );
    }
    return rows;
  }

  /**
   * Settlement revisions of intervals starting in [from, to) (at most 31 days,
   * MAX_LISTED_IMBALANCES revisions of at most MAX_IMBALANCE_LINES lines), by delivery start,
   * product and revision. A participant gets the revisions with a line of its own, and only its
   * own lines; the operator and the auditor every line (or one participant's).
   */
  async settlements(
    principal: Principal,
    productCode: string | null,
    from: Date,
    to: Date,
    participantId: string | null,
  ): Promise<ImbalanceReadSettlementWithLines[]> {
    checkWindow(from, to);
    const wanted = scope(principal, participantId);
    if (productCode !== null) await this.products.get(productCode);
    const rows = await this.imbalances.settlements(
      productCode,
      from,
      to,
      wanted,
      MAX_LISTED_IMBALANCES + 1,
    );
    if (rows.length > MAX_LISTED_IMBALANCES) {
      throw badInput(
        `more than ${MAX_LISTED_IMBALANCES} settlement revisions in [from, to); ask for a shorter window or one productCode (imbalance.csv exports any number)`,
        { field: 'to', reason: 'TOO_MANY_ROWS', limit: MAX_LISTED_IMBALANCES },
      );
    }
    const crowded = rows.find((r) => r.lines.length > MAX_IMBALANCE_LINES);
    if (crowded) {
      throw badInput(
        `revision ${crowded.revision} of ${crowded.product_code} ${crowded.delivery_start.toISOString()} has more than ${MAX_IMBALANCE_LINES} lines; ask for one participantId (imbalance.csv exports every line)`,
        { field: 'participantId', reason: 'TOO_MANY_ROWS', limit: MAX_IMBALANCE_LINES },
      );
    }
    return rows;
  }

  /**
   * Replays a product-interval's stored settlement revision by revision and checks it against the
   * interval's clearing price, positions and latest readings (NOT_FOUND when it has none).
   */
  async verify(productCode: string, deliveryStart: Date): Promise<ImbalanceVerification> {
    await this.products.get(productCode);
    const inputs = await this.imbalances.verificationInputs(productCode, deliveryStart);
    if (inputs.settlements.length === 0) {
      throw notFound(
        `${productCode} delivering at ${deliveryStart.toISOString()} has no imbalance settlement`,
      );
    }
    const revisions: StoredImbalanceRevision[] = inputs.settlements.map((s) => ({
      revision: s.revision,
      clearingPrice: s.clearing_price,
      importTariff: s.import_tariff,
      feedInTariff: s.feed_in_tariff,
      shortfallPrice: s.shortfall_price,
      surplusPrice: s.surplus_price,
      readings: s.readings,
      estimated: s.estimated,
      shortfallWh: BigInt(s.shortfall_wh),
      surplusWh: BigInt(s.surplus_wh),
      amountMinor: BigInt(s.amount_minor),
      inputHash: s.input_hash,
      resultHash: s.result_hash,
      journalId: s.journal_id,
      lines: s.lines.map(toLine),
    }));
    const readings = new Map<string, LatestReading>(
      inputs.readings.map((r) => [
        r.participant_id,
        { importWh: BigInt(r.import_wh), exportWh: BigInt(r.export_wh) },
      ]),
    );
    return verifyImbalance({
      productCode,
      deliveryStart: deliveryStart.toISOString(),
      revisions,
      clearingPrice: inputs.clearingPrice,
      positions: new Map(
        inputs.positions.map((p) => [p.participant_id, BigInt(p.bought_wh) - BigInt(p.sold_wh)]),
      ),
      readings,
      pendingReadings:
        inputs.interval !== null && inputs.interval.readings > inputs.interval.settled_readings,
      intervalRevision: inputs.interval?.revision ?? -1,
    });
  }
}

function toLine(row: ImbalanceReadLine): ImbalanceLine {
  const wh = (text: string | null) => (text === null ? null : BigInt(text));
  return {
    line: row.line,
    kind: row.kind,
    participantId: row.participant_id,
    positionWh: BigInt(row.position_wh),
    meteredImportWh: wh(row.metered_import_wh),
    meteredExportWh: wh(row.metered_export_wh),
    estimated: row.estimated,
    imbalanceWh: BigInt(row.imbalance_wh),
    price: row.price,
    amountMinor: BigInt(row.amount_minor),
  };
}

/** [from, to): from before to, at most MAX_IMBALANCE_WINDOW_MS long. */
export function checkWindow(from: Date, to: Date): void {
  if (from.getTime() >= to.getTime()) throw badInput('from must be before to', { field: 'to' });
  if (to.getTime() - from.getTime() > MAX_IMBALANCE_WINDOW_MS) {
    throw badInput(
      `[from, to) may span at most ${MAX_IMBALANCE_WINDOW_MS / 86_400_000} days; ask for a shorter window`,
      { field: 'to', reason: 'WINDOW_TOO_LONG', limit: MAX_IMBALANCE_WINDOW_MS },
    );
  }
}

/**
 * Whose rows a caller may read: a participant its own (FORBIDDEN for another's), the operator and
 * the auditor anyone's (null: everyone's); any other role nothing.
 */
export function scope(principal: Principal, participantId: string | null): string | null {
  if (!READERS.includes(principal.role)) {
    throw forbidden(`imbalance data is for PARTICIPANT, OPERATOR or AUDITOR keys only`);
  }
  if (participantId !== null && !isUuid(participantId)) {
    throw badInput(`participantId ${participantId} is not a participant id`, {
      field: 'participantId',
    });
  }
  if (principal.role === 'PARTICIPANT') {
    if (participantId !== null && participantId !== principal.id) {
      throw forbidden('a participant sees only its own imbalance data; leave participantId out');
    }
    return principal.id;
  }
  return participantId;
}
