import type { Client } from 'pg';
import {
  AUCTION_RESULT,
  auctionCounts,
  auctionStart,
  closeAuctionGate,
  createSeries,
  everyKind,
  submitAuction,
  VERIFY_AUCTION,
  type Json,
} from '@parkex/test-support/auctions';
import { connectLive, wsUrlOf } from '@parkex/test-support/graphql-ws-client';
import { firstBrokenJournal } from '@parkex/test-support/ledger-check';
import { appDatabaseEnv, connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestMatcher } from '@parkex/test-support/test-matcher';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { eventually, startAppProcess, type AppProcess } from '../../scripts/support/processes';

/**
 * The integrated day-ahead auction end to end: orders of every kind through the API, real
 * matcher processes clearing at the gate, the result, the ledger and the proof.
 */
describe('integrated auction: clearing by matcher processes', () => {
  let api: TestApi;
  let db: Client;
  let auditor: string;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    auditor = (await api.createParticipant(uniqueName('auditor'), 'AUDITOR')).key;
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await db.end();
    await api.close();
  });

  function matcher(series: string, env: Record<string, string> = {}): AppProcess {
    const started = startAppProcess('matcher', {
      ...appDatabaseEnv(),
      MATCHER_POLL_MS: '50',
      MATCHER_PRODUCTS: 'NONE',
      MATCHER_SERIES: series,
      ...env,
    });
    processes.push(started);
    return started;
  }

  /** A series and an auction of every order kind, gate closed: due for the matcher. */
  async function dueAuction(): Promise<{ series: string; start: Date; keys: string[] }> {
    const series = await createSeries(api);
    const start = auctionStart(48);
    const batches = everyKind(series, start);
    const keys: string[] = [];
    for (const orders of [batches.factory, batches.pv, batches.heat]) {
      const { key } = await api.createParticipant(uniqueName('tenant'));
      await submitAuction(api, key, orders);
      keys.push(key);
    }
    await closeAuctionGate(db, series, start);
    return { series, start, keys };
  }

  async function ledgerOf(series: string, start: Date) {
    const { rows } = await db.query(
      `SELECT coalesce(sum(e.amount_minor), 0)::text AS sum, count(*)::int AS lines
       FROM journal j JOIN ledger_entry e ON e.journal_id = j.id
       WHERE j.auction_series = $1 AND j.delivery_start = $2`,
      [series, start],
    );
    return rows[0] as { sum: string; lines: number };
  }

  it('two matchers clear an auction of every order kind exactly once; the ledger and the proof hold', async () => {
    const { series, start, keys } = await dueAuction();
    // the result reaches the subscribers of another API replica too (each LISTENs on its own)
    const replica = await startTestApi();
    const live = connectLive(wsUrlOf(replica.app), replica.operatorKey);
    const published = live.subscribe(
      `subscription($series: String) { auctionPublished(series: $series) { series status resultHash } }`,
      { series },
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the subscription is set up
    const a = matcher(series, { MATCHER_ID: 'auction-a' });
    const b = matcher(series, { MATCHER_ID: 'auction-b' });
    await eventually(async () =>
      (await auctionCounts(db, series, start)).state === 'CLEARED' ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // both keep polling
    const counts = await auctionCounts(db, series, start);
    expect(counts).toMatchObject({ results: 1, journals: 1, prices: 8, state: 'CLEARED' });
    expect(counts.orders).toBe(20);
    const attempts = await db.query(
      `SELECT count(*)::int AS n FROM auction_attempt WHERE series_code = $1`,
      [series],
    );
    expect(attempts.rows[0].n).toBe(1);
    expect(`${a.output()}${b.output()}`).toMatch(
      /committed auction \S+ \S+: CLEARED, 20 orders, \d+ award lines; load [\d.]+ ms, clear [\d.]+ ms, write [\d.]+ ms, total [\d.]+ ms/,
    );
    expect(`${a.output()}${b.output()}`).not.toMatch(/ERROR/);

    // zero-sum, and the whole chain verifies
    expect((await ledgerOf(series, start)).sum).toBe('0');
    expect(await firstBrokenJournal(db)).toBeNull();
    const ledger = await api.gql(
      `query($from: DateTime!, $to: DateTime!) { verifyLedger(from: $from, to: $to) { ok } }`,
      { from: start.toISOString(), to: new Date(start.getTime() + 3_600_000).toISOString() },
      auditor,
    );
    expect(ledger.data?.verifyLedger.ok).toBe(true);

    // the result: every kind has its award; the battery's state of charge; prices per carrier
    const result: Json = (await api.gql(AUCTION_RESULT, { series, start }, api.operatorKey)).data
      ?.auctionResult;
    expect(result).toMatchObject({
      series,
      status: 'CLEARED',
      solver: expect.stringMatching(/^highs /),
    });
    const awards = result.awards.edges.map((e: Json) => e.node);
    expect(new Set(awards.map((a: Json) => a.kind))).toEqual(
      new Set(['STEP', 'BLOCK', 'CONVERSION', 'STORAGE']),
    );
    const battery = awards.find((a: Json) => a.clientOrderId === 'battery');
    expect(battery.stateOfCharge).toHaveLength(4);
    const blocks = awards.filter((a: Json) => a.kind === 'BLOCK');
    expect(blocks.every((b: Json) => b.blockOutcome !== null)).toBe(true);
    expect(result.schedules.map((s: Json) => s.carrier).sort()).toEqual(['ELECTRICITY', 'HEAT']);
    // the devices ran: the heat pump turned electricity into heat, the battery moved energy
    const heatPump = awards.find((a: Json) => a.clientOrderId === 'heat-pump');
    expect(heatPump.flows.map((f: Json) => f.carrier).sort()).toEqual(['ELECTRICITY', 'HEAT']);
    expect(battery.flows[0].quantities.some((q: string) => q.startsWith('-'))).toBe(true);

    // a participant sees its own awards only
    const own = (await api.gql(AUCTION_RESULT, { series, start }, keys[1])).data?.auctionResult;
    const ownIds = new Set(own.awards.edges.map((e: Json) => e.node.clientOrderId));
    expect(ownIds.has('battery')).toBe(true);
    expect(ownIds.has('heat-pump')).toBe(false);

    // the proof: replay and every check of the engine
    const proof = (await api.gql(VERIFY_AUCTION, { series, start }, auditor)).data?.verifyAuction;
    expect(proof.checks.filter((c: Json) => !c.ok)).toEqual([]);
    expect(proof.ok).toBe(true);
    expect(proof.recomputedInputHash).toBe(proof.storedInputHash);
    expect(proof.recomputedResultHash).toBe(proof.storedResultHash);
    expect(proof.checks.map((c: Json) => c.name)).toEqual(
      expect.arrayContaining([
        'input-hash',
        'result-hash',
        'replay',
        'journal',
        'prices',
        'balance',
        'money',
        'storages',
        'duality',
      ]),
    );

    // the live feed delivered it
    const [first] = await published.waitForResults(1, 10_000);
    expect(first.auctionPublished).toEqual({
      series,
      status: 'CLEARED',
      resultHash: result.resultHash,
    });
    await live.close();
    await replica.close();
  });

  it.each(['after-clear', 'ledger-copy', 'after-write'])(
    'a matcher killed with SIGKILL at %s leaves nothing; the restart gives the same hashes',
    async (step) => {
      const { series, start } = await dueAuction();
      const doomed = matcher(series, { MATCHER_FAILPOINT: `${step}:exit@${series}` });
      const code = await doomed.exited();
      if (code !== null) throw new Error(`the matcher exited with ${code}:\n${doomed.output()}`);
      expect(doomed.child.signalCode).toBe('SIGKILL');
      expect(await auctionCounts(db, series, start)).toEqual({
        results: 0,
        awards: 0,
        prices: 0,
        orders: 0,
        journals: 0,
        state: 'OPEN',
      });

      matcher(series);
      await eventually(async () =>
        (await auctionCounts(db, series, start)).state === 'CLEARED' ? true : undefined,
      );
      const proof = (await api.gql(VERIFY_AUCTION, { series, start }, auditor)).data?.verifyAuction;
      expect(proof.ok).toBe(true);
      expect(proof.recomputedResultHash).toBe(proof.storedResultHash);
      expect(proof.recomputedInputHash).toBe(proof.storedInputHash);
      expect(await firstBrokenJournal(db)).toBeNull();
    },
  );

  it('a replica whose LISTEN connection was lost catches up on the auction committed meanwhile', async () => {
    const replica = startAppProcess('api', {
      ...appDatabaseEnv(),
      PORT: '0',
      OPERATOR_API_KEY: api.operatorKey,
      NODE_ENV: 'development',
      DB_POOL_SIZE: '4',
      LIVE_RECONNECT_MS: '3000',
    });
    processes.push(replica);
    await replica.waitFor(/GraphQL API on http:\/\/localhost:\d+\/graphql/, 30_000);
    const port = /GraphQL API on http:\/\/localhost:(\d+)\/graphql/.exec(replica.output())![1];
    const { series } = await dueAuction();
    const live = connectLive(`ws://127.0.0.1:${port}/graphql`, api.operatorKey);
    const published = live.subscribe(
      `subscription($series: String) { auctionPublished(series: $series) { series status } }`,
      { series },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const listener = `parkex-api-live-${replica.child.pid}`;
    const killed = await db.query(
      `SELECT pg_terminate_backend(pid, 5000) AS terminated FROM pg_stat_activity
       WHERE application_name = $1 AND datname = current_database()`,
      [listener],
    );
    expect(killed.rows).toEqual([{ terminated: true }]);
    const matcher = await startTestMatcher([], { clearsAuctions: true, series: [series] });
    try {
      expect(await matcher.drain()).toBe(1);
    } finally {
      await matcher.close();
    }
    const [first] = await published.waitForResults(1, 20_000);
    expect(first.auctionPublished).toEqual({ series, status: 'CLEARED' });
    await replica.waitFor(/listening again; caught up on [1-9]\d* result/);
    await live.close();
  }, 60_000);
});
