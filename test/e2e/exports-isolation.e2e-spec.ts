import { get, type IncomingMessage } from 'node:http';
import { generateApiKey } from '@parkex/db';
import type { Client } from 'pg';
import { TAMPER_WINDOW } from '@parkex/test-support/ledger-check';
import { createProduct } from '@parkex/test-support/market-factory';
import { startApiProcess } from '@parkex/test-support/api-process';
import type { AppProcess } from '../../scripts/support/processes';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { uniqueName } from '@parkex/test-support/test-api';

/** Ledger lines of the seeded journal: about 25 MB of CSV, far more than socket buffers hold. */
const LINES = 150_000;
/** The clearing's journal lock (libs/db clearing.repository): journals join one hash chain. */
const LEDGER_LOCK = 7_305_003;

/**
 * Finding "Exports starve the API": slow downloads must not hold the API's connections, and
 * SIGTERM must not wait for them. Each test runs its own API process on a journal of its own.
 */
jest.setTimeout(30_000);

describe('exports are isolated from the API', () => {
  let db: Client;
  let product: string;
  let window: { from: string; to: string };

  beforeAll(async () => {
    db = await connectTestDatabase();
    product = await createProduct(db);
    // In the tamper window: the seeded journal's hash is a placeholder, which whole-chain checks
    // (firstBrokenJournal) leave out there; days 310–359 of it, after audit-verification's days
    // (1–300), so that no other spec's verifyLedger window holds it. The product is our own.
    const start = new Date(TAMPER_WINDOW.from.getTime() + (310 + (process.pid % 50)) * 86_400_000);
    window = {
      from: start.toISOString(),
      to: new Date(start.getTime() + 900_000).toISOString(),
    };
    await seedJournal(db, product, start, LINES);
  });
  afterAll(() => db.end());

  it('answers GraphQL and /health promptly while 25 exports are read slowly, and cuts the stalled ones', async () => {
    const operatorKey = generateApiKey();
    const api = await startApi(operatorKey, { EXPORT_WRITE_TIMEOUT_MS: '4000' });
    const paused: Download[] = [];
    try {
      const auditors = await Promise.all(
        Array.from({ length: 5 }, () => createAuditor(api.port, operatorKey)),
      );
      // 25 downloads from 5 auditors, none of them read.
      for (let i = 0; i < 25; i++) {
        paused.push(download(api.port, settlementsPath(window), auditors[i % 5].key));
      }
      const statuses = await Promise.all(paused.map((d) => d.status));
      // 4 run (the replica's cap, 2 per auditor at most); the others are refused at once.
      expect(statuses.filter((s) => s === 200)).toHaveLength(4);
      expect(statuses.filter((s) => s === 429)).toHaveLength(21);
      const refused = paused.find((d) => d.statusNow() === 429)!;
      expect(JSON.parse(await refused.text())).toMatchObject({
        code: 'RATE_LIMITED',
        reason: expect.stringMatching(/^EXPORTS_(RUNNING|PER_PARTICIPANT)$/),
      });
      // The running ones hold connections of the exports' own pool, mid-statement.
      await until(async () => (await exportSessions(db, api.pid)) === 4);

      // Meanwhile the API answers (with a main pool of 2 connections).
      for (let i = 0; i < 5; i++) {
        const began = performance.now();
        expect(await httpGet(api.port, '/health')).toMatchObject({ status: 200 });
        const products = await graphql(api.port, '{ products { code } }', operatorKey);
        expect(products.errors).toBeUndefined();
        // Generous: without the isolation these waited for the exports (minutes).
        expect(performance.now() - began).toBeLessThan(2000);
      }

      // A client that takes nothing for EXPORT_WRITE_TIMEOUT_MS is cut; the slots come back.
      // (The paused clients see it once they read again: the body ends short.)
      await until(async () => (await exportSessions(db, api.pid)) === 0);
      const running = paused.filter((d) => d.statusNow() === 200);
      await Promise.all(running.map((d) => d.readToEnd()));
      expect(running.map((d) => d.complete())).toEqual([false, false, false, false]);
      const again = download(api.port, settlementsPath(window), auditors[0].key);
      expect(await again.status).toBe(200);
      again.destroy();
      const cut = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM audit_log
         WHERE action = 'export:settlements.csv' AND outcome = 'ERROR' AND actor_id = ANY($1)`,
        [auditors.map((a) => a.id)],
      );
      expect(Number(cut.rows[0].n)).toBeGreaterThanOrEqual(4 + 21);
    } finally {
      for (const d of paused) d.destroy();
      await api.process.stop();
    }
  });

  it('exits promptly on SIGTERM with exports open, cutting them', async () => {
    const operatorKey = generateApiKey();
    const api = await startApi(operatorKey, { EXPORT_WRITE_TIMEOUT_MS: '600000' });
    const auditor = await createAuditor(api.port, operatorKey);
    const open = [0, 1].map(() => download(api.port, settlementsPath(window), auditor.key));
    try {
      expect(await Promise.all(open.map((d) => d.status))).toEqual([200, 200]);
      await until(async () => (await exportSessions(db, api.pid)) === 2);

      const began = performance.now();
      api.process.child.kill('SIGTERM');
      await api.process.exited();
      const seconds = (performance.now() - began) / 1000;
      expect(api.process.child.signalCode).not.toBe('SIGKILL');
      // Generous; the process would otherwise wait for the downloads (10 minutes here).
      expect(seconds).toBeLessThan(8);
      await until(async () => (await exportSessions(db, api.pid)) === 0);
      await Promise.all(open.map((d) => d.readToEnd()));
      expect(open.map((d) => d.complete())).toEqual([false, false]);
    } finally {
      for (const d of open) d.destroy();
      await api.process.stop();
    }
  });
});

function settlementsPath(window: { from: string; to: string }): string {
  return `/exports/settlements.csv?from=${window.from}&to=${window.to}`;
}

async function startApi(
  operatorKey: string,
  env: Record<string, string>,
): Promise<{ process: AppProcess; port: number; pid: number }> {
  const { process: child, port } = await startApiProcess(operatorKey, {
    DB_POOL_SIZE: '2',
    EXPORT_MAX_CONCURRENT: '4',
    EXPORT_MAX_PER_PARTICIPANT: '2',
    AUDIT_SEAL_INTERVAL_MS: '0',
    ...env,
  });
  return { process: child, port, pid: child.child.pid! };
}

/** Sessions of the exports' pool of one API process that are in a statement (a cursor's). */
async function exportSessions(db: Client, pid: number): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_stat_activity
     WHERE application_name LIKE $1 AND state <> 'idle'`,
    [`%-export-${pid}`],
  );
  return Number(rows[0].n);
}

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${String(check)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Download {
  /** The response's status, once its head has arrived. */
  status: Promise<number>;
  statusNow(): number | undefined;
  /** The body, read (only call for small error bodies). */
  text(): Promise<string>;
  /** Reads (and drops) the rest of the body until the connection closes. */
  readToEnd(): Promise<void>;
  /** Whether the whole body arrived (only meaningful once read). */
  complete(): boolean;
  destroy(): void;
}

/** Starts a GET whose body is not read: the client pauses at once, as a stalled reader does. */
function download(port: number, path: string, key: string): Download {
  let response: IncomingMessage | undefined;
  let ended = false;
  let onClosed!: () => void;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const req = get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${key}` } });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      response = res;
      res.pause();
      res.on('end', () => (ended = true));
      req.on('close', onClosed);
      res.on('error', () => undefined);
      resolve(res.statusCode!);
    });
    req.on('error', (error) => {
      onClosed();
      reject(error);
    });
  });
  return {
    status,
    statusNow: () => response?.statusCode,
    text: () =>
      new Promise<string>((resolve) => {
        let body = '';
        response!.setEncoding('utf8');
        response!.on('data', (chunk: string) => (body += chunk));
        response!.on('end', () => resolve(body));
        response!.resume();
      }),
    readToEnd: () => {
      response!.resume();
      return closed;
    },
    complete: () => ended && response?.complete === true,
    destroy: () => req.destroy(),
  };
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

async function graphql(port: number, query: string, key: string): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

async function createAuditor(
  port: number,
  operatorKey: string,
): Promise<{ id: string; key: string }> {
  const result = await graphql(
    port,
    `mutation { createParticipant(input: { name: ${JSON.stringify(uniqueName('Auditor'))}, role: AUDITOR }) { participant { id } apiKey } }`,
    operatorKey,
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return {
    id: result.data.createParticipant.participant.id,
    key: result.data.createParticipant.apiKey,
  };
}

/**
 * One cleared interval of `product` with a balanced journal of `lines` entries between two new
 * participants, written as the administrator with bulk SQL (the triggers on: the journal joins
 * the hash chain under the clearing's lock and must balance at commit; its hashes are
 * placeholders, as exports do not read them: it must deliver in the tamper window).
 */
async function seedJournal(db: Client, product: string, start: Date, lines: number): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK]);
    const names = [uniqueName('Export buyer'), uniqueName('Export seller')];
    const accounts = await db.query<{ id: string }>(
      `WITH p AS (INSERT INTO participant (name, role) SELECT unnest($1::text[]), 'PARTICIPANT' RETURNING id, name)
       SELECT p.name, p.id FROM p ORDER BY p.name`,
      [names],
    );
    expect(accounts.rows).toHaveLength(2);
    await db.query(
      `INSERT INTO product_interval (product_code, delivery_start, gate_closure_at, state)
       VALUES ($1, $2, $2::timestamptz - interval '5 minutes', 'CLEARED')`,
      [product, start],
    );
    await db.query(
      `INSERT INTO clearing_result (product_code, delivery_start, status, price, volume_wh, amount_minor,
         fee_minor, mechanism, k, price_tick, min_price, max_price, network_fee, bid_count, offer_count,
         fill_count, input_hash, result_hash, demand_curve, supply_curve, matcher_version, matcher_id, timings)
       VALUES ($1, $2::timestamptz, 'CLEARED', 0.5, 1000, 123, 0, 'UNIFORM_PRICE', 0.5, 0.5, -100, 1000, 0,
               1, 1, 1, md5($1 || $3), md5($1 || $3 || 'r'), '[]', '[]', 'test', 'test', '{}')`,
      [product, start, start.toISOString()],
    );
    const journal = await db.query<{ id: string }>(
      `INSERT INTO journal (product_code, delivery_start, entry_count, debit_minor, prev_hash, hash, hash_version)
       VALUES ($1, $2, $3, $4,
               coalesce((SELECT hash FROM journal ORDER BY id DESC LIMIT 1), repeat('0', 64)),
               encode(sha256(convert_to($1 || $5 || 'export-isolation', 'UTF8')), 'hex'), 2)
       RETURNING id::text`,
      [product, start, lines, (lines / 2) * 123, start.toISOString()],
    );
    // Line 2n: the buyer receives 1 kWh and pays 1.23; line 2n+1: the seller is paid.
    await db.query(
      `INSERT INTO ledger_entry (journal_id, line, account_id, kind, fill_seq, energy_wh, amount_minor)
       SELECT $1, l, CASE WHEN l % 2 = 0 THEN b.id ELSE s.id END, 'ENERGY', l / 2,
              CASE WHEN l % 2 = 0 THEN 1000 ELSE -1000 END,
              CASE WHEN l % 2 = 0 THEN -123 ELSE 123 END
       FROM generate_series(0, $2 - 1) l,
            (SELECT a.id FROM account a JOIN participant p ON p.id = a.participant_id WHERE p.name = $3) b,
            (SELECT a.id FROM account a JOIN participant p ON p.id = a.participant_id WHERE p.name = $4) s`,
      [journal.rows[0].id, lines, names[0], names[1]],
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}
