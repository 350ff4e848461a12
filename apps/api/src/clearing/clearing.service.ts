import { Injectable } from '@nestjs/common';
import {
  ClearingOutcomeRepository,
  SettlementRepository,
  type ClearingOutcomeRow,
  type FillRow,
  type SettlementRow,
} from '@parkex/db';
import type { Principal } from '@parkex/api/auth/principal';
import { badInput, conflict, forbidden, notFound } from '../common/app-error';
import { isUuid } from '../common/uuid';
import { MAX_LISTED_FILLS } from '../graphql/list-bounds';
import { decodeCursor, pageSize } from '../graphql/page-info.model';
import { FillsLoader } from './fills.loader';
import { ProductsService } from '@parkex/api/products/products.service';

export const RESULT_CURSOR = 'clearing';
export const SETTLEMENT_CURSOR = 'settlement';
export const FILL_CURSOR = 'fill';

/** The contract's unpaginated `fills` lists at most this many; `fillConnection` pages any result. */

/** Which result's fills: its identity, its fill count, and the feed's shared row if published. */
export interface FillsOf {
  productCode: string;
  deliveryStart: Date;
  fillCount: number;
  published?: object;
}

@Injectable()
export class ClearingService {
  constructor(
    private readonly settlements: SettlementRepository,
    private readonly outcomes: ClearingOutcomeRepository,
    private readonly products: ProductsService,
    private readonly fillsLoader: FillsLoader,
  ) {}

  /** The newest outcome: a re-run's result supersedes the FAILED result before it. */
  async result(productCode: string, deliveryStart: Date): Promise<ClearingOutcomeRow | null> {
    await this.products.get(productCode);
    return this.outcomes.find(productCode, deliveryStart);
  }

  /**
   * The operator's one re-run of a FAILED interval: it becomes RETRYING and the next matcher
   * clears it with one attempt; its outcome (a result, or FAILED again) supersedes the failure.
   */
  async retry(productCode: string, deliveryStart: Date): Promise<void> {
    await this.products.get(productCode);
    const outcome = await this.outcomes.retry(productCode, deliveryStart);
    switch (outcome.kind) {
      case 'retrying':
        return;
      case 'not-found':
        throw notFound(
          `${productCode} has no interval starting ${deliveryStart.toISOString()} (no order was ever placed for it)`,
        );
      case 'not-failed':
        throw conflict(
          `${productCode} ${deliveryStart.toISOString()} is ${outcome.state}, not FAILED: only a FAILED clearing can be re-run`,
          { reason: 'NOT_FAILED', state: outcome.state },
        );
    }
  }

  /** Newest first; one extra row tells whether there is a next page. */
  async results(
    productCode: string,
    range: { from?: Date; to?: Date },
    first?: number | null,
    after?: string | null,
  ): Promise<{ rows: ClearingOutcomeRow[]; hasNextPage: boolean }> {
    await this.products.get(productCode);
    const limit = pageSize(first);
    const before = after ? new Date(decodeCursor(RESULT_CURSOR, after)) : undefined;
    const rows = await this.outcomes.list(productCode, { ...range, before }, limit + 1);
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  /**
   * All fills of a result, for the contract's `fills` list: refused beyond MAX_LISTED_FILLS
   * (page with `fillConnection`). Batched per request (`context`); a published result's fills
   * are read once for all its subscribers.
   */
  fills(result: FillsOf, context: object): Promise<FillRow[]> {
    if (result.fillCount > MAX_LISTED_FILLS) {
      throw badInput(
        `${result.productCode} ${result.deliveryStart.toISOString()} has ${result.fillCount} fills; fills lists at most ${MAX_LISTED_FILLS}: page through them with fillConnection`,
        { reason: 'TOO_MANY_FILLS', field: 'fills', limit: MAX_LISTED_FILLS },
      );
    }
    const key = { ...this.identity(result), afterSeq: -1, limit: MAX_LISTED_FILLS };
    return result.published
      ? this.fillsLoader.loadShared(result.published, key)
      : this.fillsLoader.load(context, key);
  }

  /** A page of a result's fills in seq order; one extra row tells whether there is a next page. */
  async fillPage(
    result: FillsOf,
    context: object,
    first?: number | null,
    after?: string | null,
  ): Promise<{ rows: FillRow[]; hasNextPage: boolean }> {
    const limit = pageSize(first);
    const afterSeq = after
      ? Number(decodeCursor(FILL_CURSOR, after, (key) => Number.isSafeInteger(Number(key))))
      : -1;
    const rows = await this.fillsLoader.load(context, {
      ...this.identity(result),
      afterSeq,
      limit: limit + 1,
    });
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  private identity(result: FillsOf): { productCode: string; deliveryStart: Date } {
    return { productCode: result.productCode, deliveryStart: result.deliveryStart };
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
