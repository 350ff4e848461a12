import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../pg-pool';
import { runClaim } from './claim';
import { insertAuditRow } from './audit-log.repository';
import {
  AUCTION_CHANNEL,
  auctionNotice,
  readAuctionBook,
  toTermsRow,
  type AuctionRow,
} from './auction.repository';
import type { AuctionBookRow, AuctionResultRows, AuctionTermsRow } from './auction-rows';
import {
  CLAIM_AUCTION,
  COPY_AWARDS,
  INSERT_ATTEMPT,
  INSERT_AUCTION_JOURNAL,
  INSERT_FAILURE,
  COPY_ORDER_RESULTS,
  INSERT_PRICES,
  INSERT_RESULT,
  LAST_ATTEMPT_ERROR,
  MARK_AUCTION,
} from './auction.sql';
import { NOTIFY } from './clearing.sql';
import {
  appendJournal,
  copyRows,
  describeError,
  ledgerAccounts,
  type LedgerAccounts,
  MAX_FAILURE_TEXT,
  ClearingRepository,
  type JournalToAppend,
} from './clearing.repository';

/** What the matcher writes for a cleared auction, in its one transaction. */
export interface AuctionWrite {
  status: 'CLEARED' | 'NO_TRADE';
  welfare: string;
  orderCount: number;
  inputHash: string;
  resultHash: string;
  matcherVersion: string;
  matcherId: string;
  timings: Record<string, number>;
  rows: AuctionResultRows;
  /** Absent when nothing was awarded. */
  journal?: JournalToAppend;
}

export type AuctionLedgerStep = 'ledger-locked' | 'ledger-copy';

interface SessionContext {
  lockTimeoutMs: number;
  onLedgerStep?: (step: AuctionLedgerStep, auction: AuctionTermsRow) => Promise<void>;
  endStuckLedgerHolder(): Promise<number | null>;
}

/** The matcher's transaction on one claimed auction: read its book, write its outcome. */
export class AuctionClearingSession {
  constructor(
    private readonly client: PoolClient,
    readonly auction: AuctionTermsRow,
    private readonly context: SessionContext,
  ) {}

  /** The OPEN orders, in id order (read under the claim's lock: no insert or cancel can pass). */
  loadBook(): Promise<AuctionBookRow[]> {
    return readAuctionBook(this.client, this.auction.seriesCode, this.auction.deliveryStart);
  }

  /** Ledger accounts of these participants, and the utility's. */
  accounts(participantIds: readonly string[]): Promise<LedgerAccounts> {
    return ledgerAccounts(this.client, participantIds);
  }

  /** Result, prices, awards, order outcomes and journal; the auction CLEARED; NOTIFY on commit. */
  async write(data: AuctionWrite): Promise<void> {
    const { seriesCode, deliveryStart } = this.auction;
    const key = [seriesCode, deliveryStart] as const;
    const { header, prices, awards, orders } = data.rows;
    await this.client.query(INSERT_RESULT, [
      ...key,
      data.status,
      header.solver,
      data.welfare,
      header.roundingMinor,
      JSON.stringify(header.acceptedBlocks),
      JSON.stringify(header.removedBlocks),
      JSON.stringify(header.paradoxicallyRejected),
      header.fallback,
      data.orderCount,
      awards.length,
      data.inputHash,
      data.resultHash,
      data.matcherVersion,
      data.matcherId,
      JSON.stringify(data.timings),
    ]);
    await this.client.query(INSERT_PRICES, [
      ...key,
      prices.map((p) => p.carrier),
      prices.map((p) => p.interval),
      prices.map((p) => p.priceTicks),
      prices.map((p) => p.price),
      prices.map((p) => p.low),
      prices.map((p) => p.high),
      prices.map((p) => p.exact),
      prices.map((p) => p.volumeWh),
      prices.map((p) => p.importWh),
      prices.map((p) => p.exportWh),
    ]);
    const keyText = `${seriesCode}\t${deliveryStart.toISOString()}`;
    await copyRows(this.client, COPY_AWARDS, awards.length, (i) => {
      const a = awards[i];
      return `${keyText}\t${a.line}\t${a.party}\t${a.orderId ?? '\\N'}\t${a.participantId ?? '\\N'}\t${a.carrier}\t${a.interval}\t${a.side}\t${a.quantityWh}\t${a.priceTicks}\t${a.amountMinor}\n`;
    });
    const nullable = (value: string | null) => value ?? '\\N';
    const array = (values: string[] | null) => (values === null ? '\\N' : `{${values.join(',')}}`);
    await copyRows(this.client, COPY_ORDER_RESULTS, orders.length, (i) => {
      const o = orders[i];
      return `${o.orderId}\t${keyText}\t${o.kind}\t${nullable(o.filledWh)}\t${nullable(o.fraction)}\t${nullable(o.blockOutcome)}\t${array(o.inputWh)}\t${array(o.chargeWh)}\t${array(o.dischargeWh)}\t${array(o.stateWh)}\t${array(o.storageValues)}\t${nullable(o.shortfallWh)}\n`;
    });
    if (data.journal) await this.writeJournal(data.journal);
    await this.client.query(MARK_AUCTION, [...key, 'CLEARED']);
    await this.client.query(NOTIFY, [AUCTION_CHANNEL, auctionNotice(seriesCode, deliveryStart)]);
  }

  private async writeJournal(journal: NonNullable<AuctionWrite['journal']>): Promise<void> {
    const { seriesCode, deliveryStart } = this.auction;
    await appendJournal(
      this.client,
      {
        lockTimeoutMs: this.context.lockTimeoutMs,
        endStuckLedgerHolder: () => this.context.endStuckLedgerHolder(),
        onLocked: async () => this.context.onLedgerStep?.('ledger-locked', this.auction),
        onCopy: async () => this.context.onLedgerStep?.('ledger-copy', this.auction),
      },
      { sql: INSERT_AUCTION_JOURNAL, key: [seriesCode, deliveryStart] },
      journal,
    );
  }
}

export interface AuctionClaimOptions {
  matcherId: string;
  claimTimeoutMs: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  /** Failed attempts before the auction's result is FAILED. */
  maxAttempts: number;
  retryBackoffMs: number;
  /** Only these series; all when absent. */
  series?: readonly string[];
  onLedgerStep?: (step: AuctionLedgerStep, auction: AuctionTermsRow) => Promise<void>;
  beforeFailureWrite?: (auction: AuctionTermsRow) => Promise<void>;
  /** Auctions this replica leaves alone for now. */
  skip?: readonly { seriesCode: string; deliveryStart: Date }[];
}

export type AuctionClaimOutcome<T> =
  | { kind: 'cleared'; value: T }
  | { kind: 'attempt-failed'; auction: AuctionTermsRow; attempt: number; error: unknown }
  | { kind: 'failed'; auction: AuctionTermsRow; attempts: number; reason: string }
  | { kind: 'failure-write-failed'; auction: AuctionTermsRow; error: unknown };

/**
 * The matcher's side of the integrated auction: claims a due auction exactly once (a row lock
 * held by the clearing transaction; a dead matcher's claim ends with its session), records each
 * attempt outside that transaction, and writes a FAILED result once the attempts are used up.
 * The same protocol as `ClearingRepository.clearNextDue` for product-intervals.
 */
@Injectable()
export class AuctionClearingRepository {
  private readonly pool: Pool;

  constructor(
    db: DataSource,
    private readonly clearings: ClearingRepository,
  ) {
    this.pool = pgPool(db);
  }

  /** Claims the due auction with the earliest gate and clears it with `work` (see `runClaim`). */
  async clearNextDue<T>(
    options: AuctionClaimOptions,
    work: (session: AuctionClearingSession) => Promise<T>,
  ): Promise<AuctionClaimOutcome<T> | null> {
    const outcome = await runClaim<AuctionTermsRow, AuctionClearingSession, T>(
      this.pool,
      {
        matcherId: options.matcherId,
        claimTimeoutMs: options.claimTimeoutMs,
        statementTimeoutMs: options.statementTimeoutMs,
        claim: async (client) => {
          const { rows } = await client.query<AuctionRow & { attempts: number }>(CLAIM_AUCTION, [
            options.series ?? null,
            options.maxAttempts,
            options.retryBackoffMs,
            (options.skip ?? []).map((k) => k.seriesCode),
            (options.skip ?? []).map((k) => k.deliveryStart),
          ]);
          return rows.length
            ? { key: toTermsRow(rows[0]), attempts: rows[0].attempts, allowed: options.maxAttempts }
            : null;
        },
        recordAttempt: (auction, event, error) =>
          this.recordAttempt(auction, options.matcherId, event, error),
        writeFailure: (client, auction, attempts) =>
          this.writeFailure(client, auction, attempts, options.matcherId),
        beforeFailureWrite: options.beforeFailureWrite,
        session: (client, auction) =>
          new AuctionClearingSession(client, auction, {
            lockTimeoutMs: options.lockTimeoutMs,
            onLedgerStep: options.onLedgerStep,
            endStuckLedgerHolder: () =>
              this.clearings.endStuckLedgerHolder(options.statementTimeoutMs),
          }),
        describe: describeError,
      },
      work,
    );
    if (outcome === null || outcome.kind === 'cleared') return outcome;
    const { key, ...rest } = outcome;
    return { ...rest, auction: key };
  }

  private async recordAttempt(
    auction: AuctionTermsRow,
    matcherId: string,
    event: 'STARTED' | 'FAILED',
    error: string | null,
  ): Promise<void> {
    await this.pool.query(INSERT_ATTEMPT, [
      auction.seriesCode,
      auction.deliveryStart,
      matcherId.slice(0, 200),
      event,
      error,
    ]);
  }

  /** The FAILED result under the claim: reason, state, audit row and NOTIFY in one transaction. */
  private async writeFailure(
    client: PoolClient,
    auction: AuctionTermsRow,
    attempts: number,
    matcherId: string,
  ): Promise<string> {
    const key = [auction.seriesCode, auction.deliveryStart] as const;
    const last = await client.query<{ error: string | null }>(LAST_ATTEMPT_ERROR, [...key]);
    const lastError =
      last.rows[0]?.error ?? 'the matcher stopped during the clearing (no error recorded)';
    let reason = `${attempts} attempt${attempts === 1 ? '' : 's'} failed; the last: ${lastError}`;
    if (reason.length > MAX_FAILURE_TEXT) reason = `${reason.slice(0, MAX_FAILURE_TEXT - 1)}…`;
    await client.query(INSERT_FAILURE, [...key, attempts, reason, matcherId]);
    await client.query(MARK_AUCTION, [...key, 'FAILED']);
    await insertAuditRow((text, values) => client.query(text, values), {
      actorId: null,
      action: 'auction:failed',
      args: {
        series: auction.seriesCode,
        deliveryStart: auction.deliveryStart.toISOString(),
        attempts,
        matcherId,
      },
      outcome: 'ERROR',
      errorCode: 'CLEARING_FAILED',
      message: reason,
    });
    await client.query(NOTIFY, [
      AUCTION_CHANNEL,
      auctionNotice(auction.seriesCode, auction.deliveryStart),
    ]);
    return reason;
  }
}
