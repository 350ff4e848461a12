/**
 * Settlement-export benchmark: `npm run bench:export`.
 *
 * In a fresh benchmark database (bench/support/bench-database.ts: DATABASE_URL's server, else an
 * embedded one) it writes BENCH_EXPORT_ROWS (default 1,000,000) ledger entries with bulk SQL:
 * 100 participants, one product, 10,000 cleared intervals with a journal of 100 balanced entries
 * each (hashes are placeholders: the export does not read them). Then it starts the real API as a
 * child process (NODE_ENV=production, DB_POOL_SIZE=5), streams GET /exports/settlements.csv over
 * the whole window with the operator key, counts the CSV records and watches the API's memory:
 * the peak RSS (VmHWM, reset through /proc/<pid>/clear_refs just before the export when the
 * kernel allows it) and the RSS before the export. One JSON line on stdout:
 *   {"bench":"export","rows":…,"seconds":…,"peakRssMB":…,"rssBeforeMB":…,"mbPerSecond":…}
 * Progress on stderr. Exits non-zero when the row count is wrong.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { generateApiKey } from '@parkex/db';
import { Client } from 'pg';
import { freePort, stopChild } from '../scripts/support/processes';
import { startBenchApi } from './support/bench-api';
import { benchDatabase } from './support/bench-database';

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const LINES_PER_JOURNAL = 100;
const PARTICIPANTS = 100;
const PRODUCT = 'BENCH_EXPORT';
const FIRST_START = Date.UTC(2032, 0, 1);

function log(message: string): void {
  process.stderr.write(`[bench:export] ${message}\n`);
}

async function main(): Promise<void> {
  const journals = Math.ceil(ROWS / LINES_PER_JOURNAL);
  const database = await benchDatabase('export');
  let api: ChildProcess | undefined;
  try {
    await seed(database.url, journals);
    const port = await freePort();
    const operatorKey = generateApiKey();
    api = await startBenchApi({ databaseUrl: database.url, port, operatorKey, poolSize: 5, log });
    const pid = api.pid!;
    const reset = resetPeak(pid);
    const rssBefore = status(pid).VmRSS;
    let sampledPeak = rssBefore;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, status(pid).VmRSS);
    }, 50);
    const to = new Date(FIRST_START + journals * 900_000).toISOString();
    log(`streaming /exports/settlements.csv (pid ${pid})`);
    const began = performance.now();
    const { records, bytes } = await download(
      port,
      `/exports/settlements.csv?from=${new Date(FIRST_START).toISOString()}&to=${to}`,
      operatorKey,
    );
    const seconds = (performance.now() - began) / 1000;
    clearInterval(sampler);
    const after = status(pid);
    const peakKb = reset ? after.VmHWM : Math.max(sampledPeak, after.VmRSS);
    const rows = records - 1; // the header
    log(
      `${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s; RSS before ${mb(rssBefore)} MB, ` +
        `peak ${mb(peakKb)} MB (${reset ? 'VmHWM since reset' : 'sampled every 50 ms'}), lifetime VmHWM ${mb(after.VmHWM)} MB`,
    );
    console.log(
      JSON.stringify({
        bench: 'export',
        rows,
        seconds: Number(seconds.toFixed(2)),
        peakRssMB: mb(peakKb),
        rssBeforeMB: mb(rssBefore),
        mbPerSecond: Number((bytes / 1e6 / seconds).toFixed(1)),
      }),
    );
    if (rows !== journals * LINES_PER_JOURNAL) {
      throw new Error(`expected ${journals * LINES_PER_JOURNAL} rows, got ${rows}`);
    }
  } finally {
    if (api) await stopChild(api);
    await database.close();
  }
}

/** 100 participants, one product, `journals` cleared intervals with 100 entries each. */
async function seed(url: string, journals: number): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const began = performance.now();
    await db.query(
      `INSERT INTO product (code, name, unit, interval_seconds, gate_closure_seconds, horizon_seconds,
                            price_tick, min_price, max_price, mechanism, k, network_fee)
       VALUES ($1, 'Benchmark power', 'kWh', 900, 300, 86400, 0.0001, -1, 4, 'UNIFORM_PRICE', 0.5, 0)`,
      [PRODUCT],
    );
    await db.query(
      `INSERT INTO participant (name, role)
       SELECT 'bench tenant, no. ' || g, 'PARTICIPANT' FROM generate_series(1, $1) g`,
      [PARTICIPANTS],
    );
    const starts = `SELECT $1::text AS code, to_timestamp($2::double precision / 1000) + (g - 1) * interval '15 minutes' AS start
                    FROM generate_series(1, $3) g`;
    const params = [PRODUCT, FIRST_START, journals];
    await db.query(
      `INSERT INTO product_interval (product_code, delivery_start, gate_closure_at, state)
       SELECT code, start, start - interval '5 minutes', 'CLEARED' FROM (${starts}) s`,
      params,
    );
    await db.query(
      `INSERT INTO clearing_result (product_code, delivery_start, status, price, volume_wh, amount_minor,
         fee_minor, mechanism, k, price_tick, min_price, max_price, network_fee, bid_count, offer_count,
         fill_count, input_hash, result_hash, demand_curve, supply_curve, matcher_version, matcher_id, timings)
       SELECT code, start, 'CLEARED', 0.1234, 50000, 6150, 0, 'UNIFORM_PRICE', 0.5, 0.0001, -1, 4, 0,
              50, 50, 50, md5(start::text), md5(start::text || 'r'), '[]', '[]', 'bench', 'bench', '{}'
       FROM (${starts}) s`,
      params,
    );
    await db.query(
      `INSERT INTO journal (product_code, delivery_start, entry_count, debit_minor, prev_hash, hash)
       SELECT code, start, $4, 50 * 123,
              encode(sha256(convert_to('prev ' || start::text, 'UTF8')), 'hex'),
              encode(sha256(convert_to(start::text, 'UTF8')), 'hex')
       FROM (${starts}) s ORDER BY start`,
      [...params, LINES_PER_JOURNAL],
    );
    log(
      `seeded ${journals} intervals and journals in ${seconds(began)} s; writing ledger entries…`,
    );
    const entriesBegan = performance.now();
    // Line 2n: a buyer receives 1 kWh and pays 1.23; line 2n+1: a seller delivers it and is paid.
    await db.query(
      `WITH accounts AS (
         SELECT array_agg(id ORDER BY id) AS ids FROM account WHERE kind = 'PARTICIPANT'
       )
       INSERT INTO ledger_entry (journal_id, line, account_id, kind, fill_seq, energy_wh, amount_minor)
       SELECT j.id, l,
              a.ids[1 + ((l / 2 + j.id::int) % ($1 / 2)) + CASE WHEN l % 2 = 1 THEN $1 / 2 ELSE 0 END],
              'ENERGY', l / 2,
              CASE WHEN l % 2 = 0 THEN 1000 ELSE -1000 END,
              CASE WHEN l % 2 = 0 THEN -123 ELSE 123 END
       FROM journal j CROSS JOIN generate_series(0, $2 - 1) l CROSS JOIN accounts a`,
      [PARTICIPANTS, LINES_PER_JOURNAL],
    );
    await db.query('ANALYZE');
    const count = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ledger_entry`);
    log(`${count.rows[0].n} ledger entries written in ${seconds(entriesBegan)} s`);
  } finally {
    await db.end();
  }
}

/** GET with the key; counts CRLF-terminated records and bytes without keeping the body. */
function download(
  port: number,
  path: string,
  key: string,
): Promise<{ records: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = get(
      { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${key}` } },
      (res) => {
        if (res.statusCode !== 200) {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => reject(new Error(`HTTP ${res.statusCode}: ${body}`)));
          return;
        }
        let records = 0;
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) records += 1;
        });
        res.on('end', () => resolve({ records, bytes }));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('the export was cut off')));
      },
    );
    req.on('error', reject);
  });
}

/** Resets the peak RSS (VmHWM) of a process (Linux ≥ 4.0, needs permission); false if refused. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function status(pid: number): { VmRSS: number; VmHWM: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { VmRSS: kb('VmRSS'), VmHWM: kb('VmHWM') };
}

function mb(kb: number): number {
  return Number((kb / 1024).toFixed(1));
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
