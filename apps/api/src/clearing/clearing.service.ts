import { Injectable } from '@nestjs/common';
import {
  SettlementRepository,
  type ClearingResultRow,
  type FillRow,
  type SettlementRow,
} from '@parkex/db';
import type { Principal } from '../auth/principal';
import { forbidden, notFound } from '../common/app-error';
import { decodeCursor, pageSize } from '../graphql/page-info.model';
import { isUuid } from '../participants/participants.service';
import { ProductsService } from '../products/products.service';

export const RESULT_CURSOR = 'clearing';
export const SETTLEMENT_CURSOR = 'settlement';

@Injectable()
export class ClearingService {
  constructor(
    private readonly settlements: SettlementRepository,
    private readonly products: ProductsService,
  ) {}

  async result(productCode: string, deliveryStart: Date): Promise<ClearingResultRow | null> {
    await this.products.get(productCode);
    return this.settlements.findResult(productCode, deliveryStart);
  }

  /** Newest first; one extra row tells whether there is a next page. */
  async results(
    productCode: string,
    range: { from?: Date; to?: Date },
    first?: number | null,
    after?: string | null,
  ): Promise<{ rows: ClearingResultRow[]; hasNextPage: boolean }> {
    await this.products.get(productCode);
    const limit = pageSize(first);
    const before = after ? new Date(decodeCursor(RESULT_CURSOR, after)) : undefined;
    const rows = await this.settlements.listResults(productCode, { ...range, before }, limit + 1);
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  fills(productCode: string, deliveryStart: Date): Promise<FillRow[]> {
    return this.settlements.fills(productCode, deliveryStart);
  }

  /** A participant sees its own statements; operator and auditor anyone's (or everyone's). */
  async statements(
    principal: Principal,
    filter: { participantId?: string | null; from?: Date | null; to?: Date | null },
    first?: number | null,
    after?: string | null,
  ): Promise<{ rows: SettlementRow[]; hasNextPage: boolean }> {
    const participantId = this.visibleParticipant(principal, filter.participantId ?? undefined);
    const limit = pageSize(first);
    let cursor: { journalId: string; participantId: string } | undefined;
    if (after) {
      const [journalId, owner] = decodeCursor(SETTLEMENT_CURSOR, after).split('/');
      cursor = { journalId, participantId: owner };
    }
    const rows = await this.settlements.settlements(
      { participantId, from: filter.from ?? undefined, to: filter.to ?? undefined, after: cursor },
      limit + 1,
    );
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  async balance(
    principal: Principal,
    participantId?: string | null,
  ): Promise<{ participantId: string; amountMinor: string; energyWh: string }> {
    const id = this.visibleParticipant(principal, participantId ?? undefined) ?? principal.id;
    const balance = isUuid(id) ? await this.settlements.balance(id) : null;
    if (!balance) throw notFound(`participant ${id} has no account`);
    return { participantId: id, ...balance };
  }

  private visibleParticipant(
    principal: Principal,
    requested: string | undefined,
  ): string | undefined {
    if (principal.role !== 'PARTICIPANT') return requested;
    if (requested && requested !== principal.id) {
      throw forbidden(
        'a participant sees only its own settlements; leave participantId out or use your own id',
      );
    }
    return principal.id;
  }
}
