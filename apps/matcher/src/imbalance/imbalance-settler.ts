import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  describeError,
  ImbalanceRepository,
  type ImbalanceClaim,
  type ImbalanceSession,
} from '@parkex/db';
import {
  hashImbalanceInput,
  hashImbalanceResult,
  imbalanceJournalHeader,
  imbalanceJournalLines,
  imbalancePrices,
  JOURNAL_HASH_VERSION,
  journalDebitMinor,
  journalHash,
  linesInForce,
  settleImbalance,
} from '@parkex/market';
import { FAILPOINTS, Failpoints } from '@parkex/matcher/clearing/failpoints';
import { CLOCK, type Clock } from '@parkex/matcher/clock';
import { MATCHER_CONFIG, type MatcherConfig } from '@parkex/matcher/config/matcher-config';
import { RepeatingLoop } from '@parkex/matcher/repeating-loop';

export interface SettledRevision {
  productCode: string;
  deliveryStart: Date;
  /** The revision written; null when nothing changed since the last one. */
  revision: number | null;
  lines: number;
  journal: boolean;
}

/**
 * Imbalance settlement beside the clearing loop: every `imbalanceMs` it settles each
 * product-interval whose metering window has closed and whose readings no revision has seen yet,
 * one transaction per revision (claim, read positions and readings, `settleImbalance`, write the
 * revision, its lines and journal, mark the readings seen). Replicas are safe: the claim is a
 * row lock taken with `SKIP LOCKED`; a crash before the commit leaves the interval due for the
 * next claim. A revision that fails is logged and its interval left alone for `retryBackoffMs`.
 */
@Injectable()
export class ImbalanceSettler extends RepeatingLoop {
  private readonly deferred = new Map<
    string,
    { productCode: string; deliveryStart: Date; until: number }
  >();

  constructor(
    private readonly imbalances: ImbalanceRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MATCHER_CONFIG) private readonly config: MatcherConfig,
    @Inject(FAILPOINTS) private readonly failpoints: Failpoints,
  ) {
    super(new Logger(ImbalanceSettler.name), clock, {
      // 0: this replica does not settle imbalances (another one must)
      enabled: config.autoStart && config.imbalanceMs > 0,
      everyMs: config.imbalanceMs,
      what: 'imbalance settlement',
    });
  }

  /** Settles everything due now; returns the revisions handled (written or found unchanged). */
  async settleAll(): Promise<SettledRevision[]> {
    const settled: SettledRevision[] = [];
    while (!this.stop.signal.aborted) {
      const next = await this.settleNext();
      if (next === null) break;
      if (next !== 'failed') settled.push(next);
    }
    return settled;
  }

  /** One due product-interval; null when none is due, `failed` when its revision failed. */
  async settleNext(): Promise<SettledRevision | 'failed' | null> {
    const now = this.clock.monotonicMs();
    let claimed: ImbalanceClaim | undefined;
    try {
      const outcome = await this.imbalances.settleNextDue(
        {
          matcherId: this.config.matcherId,
          claimTimeoutMs: this.config.claimTimeoutMs,
          statementTimeoutMs: this.config.statementTimeoutMs,
          lockTimeoutMs: this.config.lockTimeoutMs,
          products: this.config.products,
          skip: [...this.deferred.values()].filter((d) => d.until > now),
          onStep: async (step, claim) => {
            claimed = claim;
            await this.failpoints.hit(step, claim);
          },
        },
        (session) => this.settle(session),
      );
      if (!outcome) return null;
      const r = outcome.value;
      this.logger.log(
        r.revision === null
          ? `imbalance ${name(outcome.claim)}: readings unchanged, no revision`
          : `committed imbalance ${name(outcome.claim)} revision ${r.revision}: ${r.lines} lines` +
              (r.journal ? ', 1 journal' : ''),
      );
      return r;
    } catch (error) {
      if (!claimed) throw error;
      this.deferred.set(name(claimed), {
        productCode: claimed.productCode,
        deliveryStart: claimed.deliveryStart,
        until: this.clock.monotonicMs() + this.config.retryBackoffMs,
      });
      this.logger.error(
        `imbalance settlement of ${name(claimed)} failed (retried later): ${describeError(error)}`,
      );
      return 'failed';
    }
  }

  private async settle(session: ImbalanceSession): Promise<SettledRevision> {
    const { productCode, deliveryStart, revision: number } = session.claim;
    const input = await session.inputs();
    const prices =
      input.frozen ?? imbalancePrices(input.clearingPrice, input.importTariff, input.feedInTariff);
    const inForce = linesInForce(input.earlier);
    const revision = settleImbalance(input.parties, prices, inForce);
    const summary = { productCode, deliveryStart, lines: revision.lines.length };
    if (number > 0 && revision.lines.length === 0) {
      await session.markSeen();
      return { ...summary, revision: null, journal: false };
    }
    const start = deliveryStart.toISOString();
    const inputHash = hashImbalanceInput(
      productCode,
      start,
      number,
      prices,
      input.parties,
      inForce,
    );
    const resultHash = hashImbalanceResult(revision);
    const accounts = await session.accounts(revision.lines.map((l) => l.participantId));
    const entries = imbalanceJournalLines(revision.lines, accounts.byParticipant, accounts.utility);
    const header = imbalanceJournalHeader(productCode, start, number, inputHash, resultHash);
    await session.write({
      prices,
      revision,
      inputHash,
      resultHash,
      matcherId: this.config.matcherId,
      journal: entries.length
        ? {
            lines: entries,
            debitMinor: journalDebitMinor(entries).toString(),
            hashVersion: JOURNAL_HASH_VERSION,
            hash: (prevHash) => journalHash(JOURNAL_HASH_VERSION, prevHash, header, entries),
          }
        : undefined,
    });
    return { ...summary, revision: number, journal: entries.length > 0 };
  }

  protected async step(): Promise<void> {
    await this.settleAll();
  }
}

function name(claim: { productCode: string; deliveryStart: Date }): string {
  return `${claim.productCode} ${claim.deliveryStart.toISOString()}`;
}
