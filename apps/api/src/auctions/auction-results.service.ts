import { Injectable } from '@nestjs/common';
import {
  clearAuction,
  hashAuction,
  hashAuctionResult,
  verifyAuction,
  type LpSolver,
} from '@parkex/auction';
import {
  AuctionRepository,
  auctionJournalHeader,
  auctionJournalLines,
  clearedFromRows,
  engineAuction,
  parseRatioText,
  type StoredAuctionOutcome,
} from '@parkex/db';
import {
  formatMoney,
  formatPrice,
  formatQuantity,
  isJournalHashVersion,
  journalHash,
} from '@parkex/market';
import { loadHighsSolver } from '@parkex/solver';
import type { Principal } from '@parkex/api/auth/principal';
import { ClearingFeedService } from '@parkex/api/live/clearing-feed.service';
import { PushQueue } from '@parkex/api/live/push-queue';
import { notFound } from '../common/app-error';
import { decodeCursor, pageSize } from '../graphql/page-info.model';
import {
  AuctionOrderKindEnum,
  AuctionStatusEnum,
  BlockOutcomeEnum,
  CarrierEnum,
} from './models/auction-enums';
import type {
  AuctionAwardModel,
  AuctionCheckModel,
  AuctionResultModel,
  AuctionVerificationModel,
  CarrierScheduleModel,
} from './models/auction.model';

export const AWARD_CURSOR = 'auction-award';
const SUBSCRIBER_QUEUE_LIMIT = 100;

/** A result as the API shows it, with the awards the viewer may see (by order id). */
export interface AuctionResultView extends AuctionResultModel {
  awardList: AuctionAwardModel[];
}

/** Results, live results and the auditor's proof of the integrated auction. */
@Injectable()
export class AuctionResultsService {
  private solver: Promise<LpSolver> | null = null;

  constructor(
    private readonly auctions: AuctionRepository,
    private readonly feed: ClearingFeedService,
  ) {}

  /** The auction's result, or null when it was never opened; a participant sees its own awards. */
  async result(
    principal: Principal,
    seriesCode: string,
    deliveryStart: Date,
  ): Promise<AuctionResultView | null> {
    const viewer = principal.role === 'PARTICIPANT' ? principal.id : null;
    const stored = await this.auctions.outcome(seriesCode, deliveryStart, viewer);
    return stored ? view(stored) : null;
  }

  /** One page of a result's awards, by order id. */
  awards(
    result: AuctionResultView,
    first: number | null | undefined,
    after: string | null | undefined,
  ): { awards: AuctionAwardModel[]; hasNextPage: boolean } {
    const limit = pageSize(first);
    const afterId =
      after === null || after === undefined
        ? null
        : BigInt(decodeCursor(AWARD_CURSOR, after, (k) => /^\d{1,19}$/.test(k)));
    const rest = result.awardList.filter((a) => afterId === null || BigInt(a.orderId) > afterId);
    return { awards: rest.slice(0, limit), hasNextPage: rest.length > limit };
  }

  /**
   * Every auction outcome committed from now on (of one series, or all), read once per notice
   * for all of this replica's subscribers; each subscriber sees the awards its role allows
   * (the awards field filters by the subscriber).
   */
  subscribe(seriesCode: string | null): AsyncIterableIterator<StoredAuctionOutcome> {
    let unsubscribe = () => {};
    const queue = new PushQueue<StoredAuctionOutcome>({
      limit: SUBSCRIBER_QUEUE_LIMIT,
      onClose: () => unsubscribe(),
      overflowMessage: `more than ${SUBSCRIBER_QUEUE_LIMIT} auction results waiting: the subscriber reads too slowly and was dropped`,
    });
    unsubscribe = this.feed.onAuction((notice) => {
      if (seriesCode !== null && notice.seriesCode !== seriesCode) return;
      const deliver = async () => {
        const stored = await this.auctions.outcome(notice.seriesCode, notice.deliveryStart, null);
        if (stored) queue.push(stored);
      };
      deliver().catch((error: unknown) =>
        queue.fail(error instanceof Error ? error : new Error(String(error))),
      );
    });
    return queue;
  }

  /** The view of a published outcome for one subscriber. */
  publishedView(stored: StoredAuctionOutcome, principal: Principal | undefined): AuctionResultView {
    const full = view(stored);
    if (principal?.role === 'OPERATOR' || principal?.role === 'AUDITOR') return full;
    return { ...full, awardList: full.awardList.filter((a) => a.participantId === principal?.id) };
  }

  /**
   * Replays the auction from its stored book and frozen terms with the solver (hashes), rebuilds
   * the published result from the stored rows, and runs every exact check of the engine on it,
   * plus: the stored rows hash to the stored result hash, the replay gives the same result, and
   * the journal is exactly the award lines, fees and rounding, linked into the chain.
   */
  async verify(seriesCode: string, deliveryStart: Date): Promise<AuctionVerificationModel> {
    const proof = await this.auctions.proof(seriesCode, deliveryStart);
    if (!proof) {
      throw notFound(`auction ${seriesCode} ${deliveryStart.toISOString()} has no stored result`);
    }
    const checks: AuctionCheckModel[] = [];
    const check = (name: string, ok: boolean, detail: string | null = null) =>
      checks.push({ name, ok, detail: ok ? null : detail });
    const auction = engineAuction(proof.auction, proof.book);
    const stored = proof.outcome;
    const recomputedInputHash = hashAuction(auction);
    check(
      'input-hash',
      recomputedInputHash === stored.inputHash,
      `the stored book and terms hash to ${recomputedInputHash}, the result says ${stored.inputHash}`,
    );
    const published = clearedFromRows(auction, {
      header: stored.header,
      prices: stored.prices,
      awards: stored.awards,
      orders: stored.orders,
    });
    const publishedHash = hashAuctionResult(published);
    check(
      'result-hash',
      publishedHash === stored.resultHash,
      `the stored prices, awards and schedules hash to ${publishedHash}, the result says ${stored.resultHash}`,
    );
    const solver = await this.loadSolver();
    check(
      'solver',
      solver.version === stored.header.solver,
      `cleared with ${stored.header.solver}, replayed with ${solver.version}`,
    );
    const replay = clearAuction(auction, solver, () => 0);
    const recomputedResultHash =
      replay.status === 'CLEARED'
        ? hashAuctionResult(replay)
        : `rejected: ${replay.rejections[0]?.code}`;
    check(
      'replay',
      recomputedResultHash === stored.resultHash,
      `the replay gives ${recomputedResultHash}, the stored result ${stored.resultHash}`,
    );
    for (const result of verifyAuction(auction, published).checks) {
      check(result.name, result.ok, result.details.join('; '));
    }
    check('journal', true);
    const journalProblems = this.journalProblems(proof, recomputedInputHash);
    if (journalProblems.length)
      checks[checks.length - 1] = {
        name: 'journal',
        ok: false,
        detail: journalProblems.join('; '),
      };
    return {
      ok: checks.every((c) => c.ok),
      storedInputHash: stored.inputHash,
      storedResultHash: stored.resultHash,
      recomputedInputHash,
      recomputedResultHash,
      checks,
    };
  }

  private journalProblems(
    proof: NonNullable<Awaited<ReturnType<AuctionRepository['proof']>>>,
    inputHash: string,
  ): string[] {
    const fees = new Map(proof.auction.carriers.map((c) => [c.carrier, c.fee]));
    let expected;
    try {
      expected = auctionJournalLines(proof.outcome.awards, fees, proof.accounts);
    } catch (error) {
      return [`the award lines cannot be settled: ${(error as Error).message}`];
    }
    const problems: string[] = [];
    if (!proof.journal) {
      return expected.length ? ['the auction has awards but no journal'] : [];
    }
    const actual = proof.entries;
    if (actual.length !== expected.length) {
      problems.push(`the journal has ${actual.length} lines, the awards make ${expected.length}`);
    }
    const key = (l: (typeof expected)[number]) =>
      `${l.line}|${l.accountId}|${l.kind}|${l.fillSeq ?? ''}|${l.energyWh}|${l.amountMinor}`;
    for (let i = 0; i < Math.min(actual.length, expected.length) && problems.length < 10; i++) {
      if (key(actual[i]) !== key(expected[i])) {
        problems.push(
          `journal line ${i} is ${key(actual[i])}, the awards make ${key(expected[i])}`,
        );
      }
    }
    const sum = actual.reduce((s, l) => s + l.amountMinor, 0n);
    if (sum !== 0n) problems.push(`the journal's lines sum to ${sum}, not 0`);
    const j = proof.journal;
    if (!isJournalHashVersion(j.hashVersion)) {
      problems.push(`unknown journal hash version ${j.hashVersion}`);
    } else {
      const header = auctionJournalHeader(
        proof.auction.seriesCode,
        proof.auction.deliveryStart,
        inputHash,
        proof.outcome.resultHash,
      );
      const hash = journalHash(j.hashVersion, j.prevHash, header, actual);
      if (hash !== j.hash)
        problems.push(`the journal's stored hash ${j.hash} differs from the recomputed ${hash}`);
    }
    return problems;
  }

  private loadSolver(): Promise<LpSolver> {
    this.solver ??= loadHighsSolver().catch((error: unknown) => {
      this.solver = null;
      throw error;
    });
    return this.solver;
  }
}

function view(stored: StoredAuctionOutcome): AuctionResultView {
  const { auction, result, failure } = stored;
  const grid = {
    priceTick: auction.priceTick,
    minPrice: auction.minPrice,
    maxPrice: auction.maxPrice,
  };
  const base: AuctionResultView = {
    series: auction.seriesCode,
    deliveryStart: auction.deliveryStart,
    status: AuctionStatusEnum.OPEN,
    clearedAt: null,
    welfare: null,
    schedules: [],
    paradoxicallyRejectedBlocks: [],
    solver: null,
    inputHash: null,
    resultHash: null,
    failureReason: null,
    awardList: [],
  };
  if (failure)
    return {
      ...base,
      status: AuctionStatusEnum.FAILED,
      clearedAt: failure.failedAt,
      failureReason: failure.reason,
    };
  if (!result) return base;
  const T = auction.intervals;
  const schedules: CarrierScheduleModel[] = auction.carriers.map((c) => ({
    carrier: c.carrier as CarrierEnum,
    prices: new Array<string | null>(T).fill(null),
    volumes: new Array<string>(T).fill('0'),
    gridImport: new Array<string>(T).fill('0'),
    gridExport: new Array<string>(T).fill('0'),
  }));
  const byCarrier = new Map(schedules.map((s) => [s.carrier as string, s]));
  for (const p of result.prices) {
    const s = byCarrier.get(p.carrier);
    if (!s || p.interval >= T) continue;
    s.prices[p.interval] = p.priceTicks === null ? null : formatPrice(BigInt(p.priceTicks), grid);
    s.volumes[p.interval] = formatQuantity(BigInt(p.volumeWh));
    s.gridImport[p.interval] = formatQuantity(BigInt(p.importWh));
    s.gridExport[p.interval] = formatQuantity(BigInt(p.exportWh));
  }
  const linesByOrder = new Map<string, typeof result.awards>();
  for (const line of result.awards) {
    if (line.orderId === null) continue;
    const list = linesByOrder.get(line.orderId) ?? [];
    list.push(line);
    linesByOrder.set(line.orderId, list);
  }
  const awardList: AuctionAwardModel[] = result.orders.map((order) => {
    const flows = new Map<string, bigint[]>();
    let amount = 0n;
    for (const line of linesByOrder.get(order.orderId) ?? []) {
      const q = flows.get(line.carrier) ?? new Array<bigint>(T).fill(0n);
      const wh = BigInt(line.quantityWh);
      q[line.interval] += line.side === 'BUY' ? wh : -wh;
      flows.set(line.carrier, q);
      amount += line.side === 'BUY' ? -BigInt(line.amountMinor) : BigInt(line.amountMinor);
    }
    return {
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      participantId: order.participantId,
      kind: order.kind as AuctionOrderKindEnum,
      flows: [...flows].map(([carrier, quantities]) => ({
        carrier: carrier as CarrierEnum,
        quantities: quantities.map((wh) => formatQuantity(wh)),
      })),
      // kWh at the end of each interval, to the Wh (efficiencies make fractions of a Wh)
      stateOfCharge:
        order.stateWh === null ? null : order.stateWh.map((s) => formatQuantity(roundWh(s))),
      shortfall: order.shortfallWh === null ? null : formatQuantity(BigInt(order.shortfallWh)),
      blockOutcome: (order.blockOutcome as BlockOutcomeEnum | null) ?? null,
      amount: formatMoney(amount),
    };
  });
  return {
    ...base,
    status: result.status === 'CLEARED' ? AuctionStatusEnum.CLEARED : AuctionStatusEnum.NO_TRADE,
    clearedAt: result.clearedAt,
    welfare: result.welfare,
    schedules,
    paradoxicallyRejectedBlocks: result.header.paradoxicallyRejected,
    solver: result.header.solver,
    inputHash: result.inputHash,
    resultHash: result.resultHash,
    awardList,
  };
}

function roundWh(text: string): bigint {
  const r = parseRatioText(text);
  const twice = 2n * r.num + r.den;
  const den = 2n * r.den;
  const q = twice / den;
  return twice % den !== 0n && twice < 0n ? q - 1n : q;
}
