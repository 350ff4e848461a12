/**
 * Order-ingest benchmark: `npm run bench:ingest`.
 *
 * Starts everything it needs: PostgreSQL (a fresh database on the server of DATABASE_URL, else
 * an embedded server on port PG_BENCH_PORT, default 54332, data in .data/postgres-bench-ingest), the
 * migrations, and the real API as a child process (NODE_ENV=production) on a free loopback port.
 * Through the API it registers participants and a product whose gate stays open for the run,
 * then drives `submitOrders` over keep-alive HTTP connections from this process:
 *   single: 1 order per call from 32 concurrent clients (one participant each) for ~10 s;
 *   batch:  1,000 orders per call from 4 concurrent clients for ~10 s;
 *   replicas: like single, against two API processes on the same database (a second API is
 *           started for it), the clients split between them: what a second replica adds;
 *   floor:  `{ __typename }` with a participant's key from 32 clients: the same HTTP server, request
 *           gate, key check and Apollo with no resolver and no SQL, i.e. the ceiling this stack
 *           puts on `single` on this machine ("orders" per second counts calls).
 * Each case has a short unmeasured warm-up. One JSON line per case on stdout:
 *   {"bench":"ingest","case":"single"|"batch"|"replicas"|"floor","ordersPerSec":…,"p50Ms":…,"p99Ms":…}
 * ordersPerSec counts acknowledged orders over the measured wall time; p50/p99 are the latencies
 * of the calls (request sent → response parsed). Progress and details go to stderr.
 * Knobs (env): BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_SINGLE_CLIENTS (32),
 * BENCH_BATCH_CLIENTS (4), BENCH_BATCH_SIZE (1000), BENCH_CASES (single,batch,replicas,floor),
 * DB_POOL_SIZE (passed to each API),
 * BENCH_API_NODE_ARGS (extra node flags for the API, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { generateApiKey } from '@parkex/db';
import { freePort, stopChild } from '../scripts/support/processes';
import { startBenchApi } from './support/bench-api';
import { benchDatabase } from './support/bench-database';
import { runBench, type BenchLifecycle } from './support/lifecycle';
import { BENCH_INTERVAL_SECONDS, BENCH_PRODUCT, upsertBenchProduct } from './support/bench-product';
import { GraphqlClient } from './support/graphql-client';
import { seededRandom } from './support/random';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const SINGLE_CLIENTS = Number(process.env.BENCH_SINGLE_CLIENTS ?? 32);
const BATCH_CLIENTS = Number(process.env.BENCH_BATCH_CLIENTS ?? 4);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 1000);
const CASES = (process.env.BENCH_CASES ?? 'single,batch,replicas,floor').split(',');
/** Hard stop for the whole run, whatever happens. */
const DEADLINE_MS = 10 * 60_000;

const PRODUCT = BENCH_PRODUCT;
const INTERVAL_SECONDS = BENCH_INTERVAL_SECONDS;
/** Delivery intervals the orders spread over (one day of quarter hours). */
const INTERVALS = 96;

function log(message: string): void {
  process.stderr.write(`[bench:ingest] ${message}\n`);
}

async function main({ cleanups }: BenchLifecycle): Promise<number> {
  const database = await benchDatabase('ingest');
  cleanups.push(() => database.close());
  const databaseUrl = database.url;
  benchDatabaseName = new URL(databaseUrl).pathname.slice(1);
  log(`database ${benchDatabaseName}`);

  const operatorKey = generateApiKey();
  const startApi = async (): Promise<GraphqlClient> => {
    const port = await freePort();
    const api = await startBenchApi({
      databaseUrl,
      port,
      operatorKey,
      poolSize: Number(process.env.DB_POOL_SIZE ?? 20),
      nodeArgs: process.env.BENCH_API_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [],
      log,
    });
    if (api.pid !== undefined) apiPids.push(api.pid);
    cleanups.unshift(() => stopChild(api));
    return new GraphqlClient(port);
  };
  const client = await startApi();

  await upsertBenchProduct(client, operatorKey);
  // Intervals from one hour ahead on: their gates stay open for the whole run.
  const first = Math.ceil((Date.now() + 3_600_000) / (INTERVAL_SECONDS * 1000)) * INTERVAL_SECONDS;
  const starts = Array.from({ length: INTERVALS }, (_, i) =>
    new Date((first + i * INTERVAL_SECONDS) * 1000).toISOString(),
  );

  const keys: string[] = [];
  for (let i = 0; i < Math.max(SINGLE_CLIENTS, BATCH_CLIENTS); i++) {
    const created = await client.call(
      `mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { apiKey } }`,
      { input: { name: `bench-${process.pid}-${i}`, role: 'PARTICIPANT' } },
      operatorKey,
    );
    keys.push(created.createParticipant.apiKey as string);
  }
  log(`${keys.length} participants, product ${PRODUCT}, ${INTERVALS} intervals from ${starts[0]}`);

  let errors = 0;
  const measure = async (
    name: string,
    apis: GraphqlClient[],
    caseKeys: string[],
    workload: Workload,
  ): Promise<void> => {
    const result = await runCase(apis, name, caseKeys, workload);
    report(name, result);
    errors += result.errors;
  };
  const singleKeys = keys.slice(0, SINGLE_CLIENTS);
  const batchKeys = keys.slice(0, BATCH_CLIENTS);
  if (CASES.includes('single')) {
    await measure('single', [client], singleKeys, orders('single', 1, singleKeys.length, starts));
  }
  if (CASES.includes('batch')) {
    const workload = orders('batch', BATCH_SIZE, batchKeys.length, starts);
    await measure('batch', [client], batchKeys, workload);
  }
  if (CASES.includes('replicas')) {
    const second = await startApi();
    const workload = orders('replicas', 1, singleKeys.length, starts);
    await measure('replicas', [client, second], singleKeys, workload);
    second.close();
  }
  if (CASES.includes('floor')) await measure('floor', [client], singleKeys, FLOOR);
  client.close();
  return errors > 0 ? 1 : 0;
}

interface CaseResult {
  orders: number;
  calls: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

const SUBMIT = `mutation($orders: [OrderInput!]!) { submitOrders(orders: $orders) { id status } }`;

/** What every call of a case sends, and what counts as its answer. */
interface Workload {
  /** For the log: what one call carries. */
  perCall: string;
  /** What an answered call adds to `orders` (the floor counts calls). */
  ordersPerCall: number;
  body(clientIndex: number): string;
  /** Whether the answer's `data` is complete. */
  answered(data: { submitOrders?: unknown[]; __typename?: string } | undefined): boolean;
}

/**
 * `perCall` random orders per call, for the case `name`: bids below 0.20 and offers from 0.20 up
 * (a participant never crosses itself), over `starts`; clientOrderIds unique within the case.
 */
function orders(name: string, perCall: number, clients: number, starts: string[]): Workload {
  let sequence = 0;
  const random = seededRandom(perCall * 7919 + clients);
  return {
    perCall: `${perCall} orders`,
    ordersPerCall: perCall,
    body(clientIndex) {
      const batch: string[] = [];
      for (let i = 0; i < perCall; i++) {
        const buy = random() < 0.5;
        const ticks = buy ? 500 + Math.floor(random() * 1500) : 2000 + Math.floor(random() * 2000);
        const price = `0.${String(ticks).padStart(4, '0')}`;
        const quantity = `${1 + Math.floor(random() * 500)}.${Math.floor(random() * 1000)}`;
        const start = starts[Math.floor(random() * starts.length)];
        batch.push(
          `{"clientOrderId":"${name}-${clientIndex}-${++sequence}","productCode":"${PRODUCT}","deliveryStart":"${start}","side":"${buy ? 'BUY' : 'SELL'}","price":"${price}","quantity":"${quantity}"}`,
        );
      }
      return `{"query":${JSON.stringify(SUBMIT)},"variables":{"orders":[${batch.join(',')}]}}`;
    },
    answered: (data) => data?.submitOrders?.length === perCall,
  };
}

const TYPENAME = JSON.stringify({ query: '{ __typename }' });
/** The floor: `{ __typename }`, each answered call counted as one. */
const FLOOR: Workload = {
  perCall: '{ __typename }',
  ordersPerCall: 1,
  body: () => TYPENAME,
  answered: (data) => data?.__typename === 'Query',
};

/**
 * Runs one case: a warm-up, then `SECONDS` measured; every client loops call after call, client i
 * on API `apis[i % apis.length]`.
 */
async function runCase(
  apis: readonly GraphqlClient[],
  name: string,
  keys: string[],
  workload: Workload,
): Promise<CaseResult> {
  const run = async (seconds: number, measure: boolean): Promise<CaseResult> => {
    const result: CaseResult = { orders: 0, calls: 0, errors: 0, seconds: 0, latenciesMs: [] };
    const started = performance.now();
    const endAt = started + seconds * 1000;
    let firstError: string | undefined;
    await Promise.all(
      keys.map(async (key, clientIndex) => {
        while (performance.now() < endAt) {
          const payload = workload.body(clientIndex);
          const sent = performance.now();
          const response = await apis[clientIndex % apis.length].post(payload, key);
          const took = performance.now() - sent;
          const parsed = JSON.parse(response) as {
            data?: { submitOrders?: unknown[]; __typename?: string };
            errors?: unknown[];
          };
          if (parsed.errors || !workload.answered(parsed.data)) {
            result.errors += 1;
            firstError ??= response.slice(0, 500);
            continue;
          }
          result.calls += 1;
          result.orders += workload.ordersPerCall;
          if (measure) result.latenciesMs.push(took);
        }
      }),
    );
    result.seconds = (performance.now() - started) / 1000;
    if (firstError) log(`${name}: ${result.errors} failed calls; first: ${firstError}`);
    return result;
  };

  log(
    `${name}: warm-up ${WARMUP_SECONDS} s, ${keys.length} clients × ${workload.perCall} per call, ${apis.length} API process(es)`,
  );
  await run(WARMUP_SECONDS, false);
  log(`${name}: measuring ${SECONDS} s`);
  const cpuBefore = cpuSnapshot();
  const result = await run(SECONDS, true);
  log(`${name}: CPU ${describeCpu(cpuBefore, cpuSnapshot())}`);
  log(
    `${name}: ${result.calls} calls, ${result.orders} orders in ${result.seconds.toFixed(2)} s, ${result.errors} errors`,
  );
  return result;
}

const apiPids: number[] = [];
let benchDatabaseName = '';

interface CpuSnapshot {
  /** Clock ticks (1/100 s) of the machine: busy and all. */
  busy: number;
  all: number;
  /** Ticks of the APIs (user, kernel), this process, and the PostgreSQL backends of our database. */
  api: number;
  apiKernel: number;
  bench: number;
  backends: Map<number, number>;
}

function processTicks(pid: number | 'self'): { user: number; system: number } {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { user: Number(fields[11]), system: Number(fields[12]) };
  } catch {
    return { user: 0, system: 0 };
  }
}

/** CPU time so far, from /proc (Linux; zeros elsewhere). */
function cpuSnapshot(): CpuSnapshot {
  const snapshot: CpuSnapshot = {
    busy: 0,
    all: 0,
    api: 0,
    apiKernel: 0,
    bench: 0,
    backends: new Map(),
  };
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
    const ticks = cpu.map(Number);
    snapshot.all = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    snapshot.busy = snapshot.all - ticks[3] - ticks[4]; // minus idle and iowait
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let command = '';
      try {
        command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (command.startsWith('postgres:') && command.includes(` ${benchDatabaseName} `)) {
        const t = processTicks(Number(entry));
        snapshot.backends.set(Number(entry), t.user + t.system);
      }
    }
  } catch {
    // not Linux
  }
  for (const pid of apiPids) {
    const api = processTicks(pid);
    snapshot.api += api.user + api.system;
    snapshot.apiKernel += api.system;
  }
  const bench = processTicks('self');
  snapshot.bench = bench.user + bench.system;
  return snapshot;
}

/** Where the CPU went between two snapshots, in cores. */
function describeCpu(a: CpuSnapshot, b: CpuSnapshot): string {
  const seconds = (b.all - a.all) / 100 / cpus().length || 1;
  const cores = (ticks: number) => (ticks / 100 / seconds).toFixed(2);
  let backends = 0;
  for (const [pid, ticks] of b.backends) backends += ticks - (a.backends.get(pid) ?? 0);
  const api = b.api - a.api;
  const bench = b.bench - a.bench;
  const rest = b.busy - a.busy - api - bench - backends;
  return (
    `machine ${cores(b.busy - a.busy)} of ${cpus().length} cores busy: API ${cores(api)} ` +
    `(kernel ${cores(b.apiKernel - a.apiKernel)}), PostgreSQL backends ${cores(backends)}, ` +
    `load generator ${cores(bench)}, everything else ${cores(rest)}`
  );
}

function report(name: string, result: CaseResult): void {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  log(
    `${name}: p90 ${pct(90).toFixed(1)} ms, p99.9 ${pct(99.9).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
  );
  process.stdout.write(
    `${JSON.stringify({
      bench: 'ingest',
      case: name,
      ordersPerSec: round(result.orders / result.seconds, 0),
      p50Ms: round(pct(50), 2),
      p99Ms: round(pct(99), 2),
    })}\n`,
  );
}

runBench(log, DEADLINE_MS, main);
