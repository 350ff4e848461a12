import { randomInt } from 'node:crypto';
import type { Client } from 'pg';
import {
  AUCTION_RESULT,
  auctionCounts,
  auctionStart,
  closeAuctionGate,
  createSeries,
  everyKind,
  openAuction,
  submitAuction,
  VERIFY_AUCTION,
  type Json,
} from '@parkex/test-support/auctions';
import { firstBrokenJournal, TAMPER_WINDOW } from '@parkex/test-support/ledger-check';
import { tamper } from '@parkex/test-support/market-factory';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher } from '@parkex/test-support/test-matcher';

/**
 * The auditor's proof of an integrated auction: `verifyAuction` is green for a clearing as
 * committed, and catches a changed price, award, state of charge or journal line. Tampered
 * auctions deliver in the ledger's tamper window (2040), which other specs' chain checks skip.
 */
describe('integrated auction: proof and failures', () => {
  let api: TestApi;
  let db: Client;
  let auditor: string;

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    auditor = (await api.createParticipant(uniqueName('auditor'), 'AUDITOR')).key;
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  /** An auction of every order kind in the tamper window, cleared by an in-process matcher. */
  async function clearedInTamperWindow(): Promise<{ series: string; start: Date }> {
    const series = await createSeries(api);
    const start = new Date(TAMPER_WINDOW.from.getTime() + randomInt(1, 8000) * 3_600_000);
    await openAuction(db, series, start);
    const batches = everyKind(series, start);
    for (const orders of [batches.factory, batches.pv, batches.heat]) {
      const { key } = await api.createParticipant(uniqueName('tenant'));
      await submitAuction(api, key, orders);
    }
    await closeAuctionGate(db, series, start);
    const matcher = await startTestMatcher([], { clearsAuctions: true, series: [series] });
    try {
      expect(await matcher.drain()).toBe(1);
    } finally {
      await matcher.close();
    }
    return { series, start };
  }

  async function verify(series: string, start: Date): Promise<Json> {
    const result = await api.gql(VERIFY_AUCTION, { series, start }, auditor);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data.verifyAuction;
  }

  const failed = (proof: Json) =>
    proof.checks.filter((c: Json) => !c.ok).map((c: Json) => c.name as string);

  it.each([
    {
      what: 'a price',
      sql: `UPDATE auction_price SET price_ticks = price_ticks + 1, price = price + 0.0001
            WHERE series_code = $1 AND delivery_start = $2 AND carrier = 'ELECTRICITY' AND interval = 1`,
      restore: `UPDATE auction_price SET price_ticks = price_ticks - 1, price = price - 0.0001
            WHERE series_code = $1 AND delivery_start = $2 AND carrier = 'ELECTRICITY' AND interval = 1`,
      caughtBy: ['result-hash', 'prices'],
    },
    {
      what: 'an award',
      sql: `UPDATE auction_award SET quantity_wh = quantity_wh + 1000
            WHERE series_code = $1 AND delivery_start = $2 AND line = 0`,
      restore: `UPDATE auction_award SET quantity_wh = quantity_wh - 1000
            WHERE series_code = $1 AND delivery_start = $2 AND line = 0`,
      caughtBy: ['result-hash', 'journal'],
    },
    {
      what: 'a state of charge',
      // a digit before the numerator: 45/1 becomes 145/1
      sql: `UPDATE auction_order_result SET state_wh[2] = '1' || state_wh[2]
            WHERE series_code = $1 AND delivery_start = $2 AND kind = 'STORAGE'`,
      restore: `UPDATE auction_order_result SET state_wh[2] = substr(state_wh[2], 2)
            WHERE series_code = $1 AND delivery_start = $2 AND kind = 'STORAGE'`,
      caughtBy: ['result-hash', 'storages'],
    },
    {
      what: 'a journal line',
      // a cent moved from one line to the next: the ledger still sums to zero
      sql: `UPDATE ledger_entry SET amount_minor = amount_minor + CASE line WHEN 0 THEN 1 ELSE -1 END
            WHERE line IN (0, 1) AND journal_id =
              (SELECT id FROM journal WHERE auction_series = $1 AND delivery_start = $2)`,
      restore: `UPDATE ledger_entry SET amount_minor = amount_minor - CASE line WHEN 0 THEN 1 ELSE -1 END
            WHERE line IN (0, 1) AND journal_id =
              (SELECT id FROM journal WHERE auction_series = $1 AND delivery_start = $2)`,
      caughtBy: ['journal'],
    },
  ])(
    'verifyAuction is green as cleared, catches $what changed, and is green again once restored',
    async ({ sql, restore, caughtBy }) => {
      const { series, start } = await clearedInTamperWindow();
      const before = await verify(series, start);
      expect(failed(before)).toEqual([]);
      expect(before.ok).toBe(true);

      // restored at once: a whole-ledger sum of another spec must not see the change for long
      await tamper(db, sql, [series, start]);
      let after: Json;
      try {
        after = await verify(series, start);
      } finally {
        await tamper(db, restore, [series, start]);
      }
      expect((await verify(series, start)).ok).toBe(true);
      expect(after.ok).toBe(false);
      expect(failed(after)).toEqual(expect.arrayContaining(caughtBy));
      const detail = after.checks.find((c: Json) => c.name === caughtBy.at(-1)).detail;
      expect(detail).toEqual(expect.any(String));
    },
  );

  it('a clearing that keeps failing is FAILED and published as such; other auctions clear meanwhile', async () => {
    const broken = await createSeries(api);
    const healthy = await createSeries(api);
    const start = auctionStart(40);
    const tenant = await api.createParticipant(uniqueName('tenant'));
    for (const series of [broken, healthy]) {
      await submitAuction(
        api,
        tenant.key,
        everyKind(series, start).pv.map((o: Json) => ({
          ...o,
          clientOrderId: `${series}-${o.clientOrderId}`,
        })),
      );
      await closeAuctionGate(db, series, start);
    }
    const matcher = await startTestMatcher([], {
      clearsAuctions: true,
      series: [broken, healthy],
      failpoint: `after-clear:throw@${broken}`,
      maxAttempts: 2,
      retryBackoffMs: 1,
    });
    try {
      for (let i = 0; i < 20 && (await auctionCounts(db, broken, start)).state === 'OPEN'; i++) {
        await matcher.drain();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await matcher.close();
    }
    expect(await auctionCounts(db, broken, start)).toMatchObject({
      state: 'FAILED',
      results: 0,
      awards: 0,
      journals: 0,
    });
    expect((await auctionCounts(db, healthy, start)).state).toBe('CLEARED');
    const result = await api.gql(AUCTION_RESULT, { series: broken, start }, api.operatorKey);
    expect(result.data.auctionResult).toMatchObject({
      status: 'FAILED',
      failureReason: expect.stringMatching(/2 attempts failed; the last: FailpointError/),
    });
    expect(await firstBrokenJournal(db)).toBeNull();
  });

  it('only an auditor or the operator may verify', async () => {
    const tenant = await api.createParticipant(uniqueName('tenant'));
    const refused = await api.gql(
      VERIFY_AUCTION,
      { series: 'PARK_DA', start: auctionStart().toISOString() },
      tenant.key,
    );
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const missing = await api.gql(
      VERIFY_AUCTION,
      { series: 'PARK_DA', start: auctionStart().toISOString() },
      auditor,
    );
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
