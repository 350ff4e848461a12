import { Inject, Injectable, Logger } from '@nestjs/common';
import { clearAuction, hashAuction, hashAuctionResult, type LpSolver } from '@parkex/auction';
import {
  AuctionClearingRepository,
  auctionJournalHeader,
  auctionJournalLines,
  describeError,
  engineAuction,
  resultRows,
  welfareText,
  type AuctionClearingSession,
  type AuctionTermsRow,
} from '@parkex/db';
import { JOURNAL_HASH_VERSION, journalDebitMinor, journalHash } from '@parkex/market';
import { loadHighsSolver } from '@parkex/solver';
import { FAILPOINTS, Failpoints, type FailpointTarget } from '@parkex/matcher/clearing/failpoints';
import { MATCHER_VERSION } from '@parkex/matcher/clearing/clearing-runner';
import { CLOCK, type Clock } from '@parkex/matcher/clock';
import { MATCHER_CONFIG, type MatcherConfig } from '@parkex/matcher/config/matcher-config';

export interface ClearedAuctionSummary {
  seriesCode: string;
  deliveryStart: Date;
  status: 'CLEARED' | 'NO_TRADE';
  orders: number;
  awards: number;
  inputHash: string;
  resultHash: string;
  timings: { loadMs: number; clearMs: number; writeMs: number; totalMs: number };
}

export type AuctionOutcome =
  | { kind: 'cleared'; result: ClearedAuctionSummary }
  | { kind: 'attempt-failed'; auction: AuctionTermsRow; attempt: number; error: string }
  | { kind: 'failed'; auction: AuctionTermsRow; attempts: number; reason: string }
  | { kind: 'failure-write-failed'; auction: AuctionTermsRow; error: string };

/**
 * Clears one due integrated auction per call, in one transaction, like `ClearingRunner` does for
 * product-intervals: claim, load the book, clear it with the engine (`clearAuction`, HiGHS), write
 * result, prices, awards, order outcomes and one journal, commit (the NOTIFY goes out with it).
 * A clearing that throws is a failed attempt; once the attempts are used up the auction is FAILED.
 */
@Injectable()
export class AuctionRunner {
  private readonly logger = new Logger(AuctionRunner.name);
  private solver: Promise<LpSolver> | null = null;
  /** Auctions whose FAILED result could not be written: left alone until `until`. */
  private readonly deferred = new Map<string, { auction: AuctionTermsRow; until: number }>();

  constructor(
    private readonly auctions: AuctionClearingRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MATCHER_CONFIG) private readonly config: MatcherConfig,
    @Inject(FAILPOINTS) private readonly failpoints: Failpoints,
  ) {}

  async clearNext(): Promise<AuctionOutcome | null> {
    if (!this.config.clearsAuctions) return null;
    const now = this.clock.monotonicMs();
    const outcome = await this.auctions.clearNextDue(
      {
        matcherId: this.config.matcherId,
        claimTimeoutMs: this.config.claimTimeoutMs,
        statementTimeoutMs: this.config.statementTimeoutMs,
        lockTimeoutMs: this.config.lockTimeoutMs,
        maxAttempts: this.config.maxAttempts,
        retryBackoffMs: this.config.retryBackoffMs,
        series: this.config.series,
        onLedgerStep: (step, auction) => this.failpoints.hit(step, target(auction)),
        beforeFailureWrite: (auction) =>
          this.failpoints.hit('before-failure-write', target(auction)),
        skip: [...this.deferred.values()].filter((d) => d.until > now).map((d) => d.auction),
      },
      (session) => this.clear(session),
    );
    if (!outcome) return null;
    switch (outcome.kind) {
      case 'cleared': {
        const r = outcome.value;
        const t = r.timings;
        this.logger.log(
          `committed auction ${r.seriesCode} ${r.deliveryStart.toISOString()}: ${r.status}, ` +
            `${r.orders} orders, ${r.awards} award lines; load ${t.loadMs} ms, clear ${t.clearMs} ms, ` +
            `write ${t.writeMs} ms, total ${t.totalMs} ms`,
        );
        return { kind: 'cleared', result: r };
      }
      case 'attempt-failed': {
        const error = describeError(outcome.error);
        this.logger.warn(
          `attempt ${outcome.attempt} to clear auction ${name(outcome.auction)} failed: ${error}`,
        );
        return { ...outcome, error };
      }
      case 'failed':
        this.deferred.delete(name(outcome.auction));
        this.logger.error(`auction ${name(outcome.auction)} is FAILED: ${outcome.reason}`);
        return outcome;
      case 'failure-write-failed': {
        const error = describeError(outcome.error);
        this.deferred.set(name(outcome.auction), {
          auction: outcome.auction,
          until: this.clock.monotonicMs() + this.config.retryBackoffMs,
        });
        this.logger.error(
          `the FAILED result of auction ${name(outcome.auction)} could not be written (${error})`,
        );
        return { kind: 'failure-write-failed', auction: outcome.auction, error };
      }
    }
  }

  private loadSolver(): Promise<LpSolver> {
    this.solver ??= loadHighsSolver().catch((error: unknown) => {
      this.solver = null;
      throw error;
    });
    return this.solver;
  }

  private async clear(session: AuctionClearingSession): Promise<ClearedAuctionSummary> {
    const terms = session.auction;
    const where = target(terms);
    await this.failpoints.hit('after-claim', where);
    const solver = await this.loadSolver();
    const started = this.clock.monotonicMs();

    const book = await session.loadBook();
    const auction = engineAuction(terms, book);
    const accounts = await session.accounts([...new Set(book.map((o) => o.participantId))]);
    const loaded = this.clock.monotonicMs();
    await this.failpoints.hit('after-load', where);

    const clearing = clearAuction(auction, solver, () => this.clock.monotonicMs());
    if (clearing.status === 'REJECTED') {
      const first = clearing.rejections[0];
      throw new Error(
        `the engine refused the book (${clearing.rejections.length} rejections; the first: ` +
          `${first.code}${first.index === undefined ? '' : ` order ${auction.orders[first.index].id}`}: ${first.message})`,
      );
    }
    const inputHash = hashAuction(auction);
    const resultHash = hashAuctionResult(clearing);
    const cleared = this.clock.monotonicMs();
    await this.failpoints.hit('after-clear', where);

    const rows = resultRows(auction, clearing);
    const fees = new Map(terms.carriers.map((c) => [c.carrier, c.fee]));
    const lines = auctionJournalLines(rows.awards, fees, accounts);
    const header = auctionJournalHeader(
      terms.seriesCode,
      terms.deliveryStart,
      inputHash,
      resultHash,
    );
    const loadMs = round(loaded - started);
    const clearMs = round(cleared - loaded);
    await session.write({
      status: rows.awards.length ? 'CLEARED' : 'NO_TRADE',
      welfare: welfareText(auction, clearing),
      orderCount: auction.orders.length,
      inputHash,
      resultHash,
      matcherVersion: MATCHER_VERSION,
      matcherId: this.config.matcherId,
      timings: { loadMs, clearMs, ...clearing.timings },
      rows,
      journal: lines.length
        ? {
            lines,
            debitMinor: journalDebitMinor(lines).toString(),
            hashVersion: JOURNAL_HASH_VERSION,
            hash: (prevHash) => journalHash(JOURNAL_HASH_VERSION, prevHash, header, lines),
          }
        : undefined,
    });
    const written = this.clock.monotonicMs();
    await this.failpoints.hit('after-write', where);
    return {
      seriesCode: terms.seriesCode,
      deliveryStart: terms.deliveryStart,
      status: rows.awards.length ? 'CLEARED' : 'NO_TRADE',
      orders: auction.orders.length,
      awards: rows.awards.length,
      inputHash,
      resultHash,
      timings: {
        loadMs,
        clearMs,
        writeMs: round(written - cleared),
        totalMs: round(written - started),
      },
    };
  }
}

/** Failpoints name an auction by its series (`@PARK_DA`, `@PARK_DA/<delivery start>`). */
function target(auction: AuctionTermsRow): FailpointTarget {
  return { productCode: auction.seriesCode, deliveryStart: auction.deliveryStart };
}

function name(auction: { seriesCode: string; deliveryStart: Date }): string {
  return `${auction.seriesCode} ${auction.deliveryStart.toISOString()}`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
