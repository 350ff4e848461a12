/**
 * Telemetry benchmark: `npm run bench:telemetry`.
 *
 * Starts what it needs like bench/ingest.ts: PostgreSQL (a fresh database on the server of
 * DATABASE_URL, else an embedded one), the migrations, and the real API as a child process
 * (NODE_ENV=production) on a free loopback port. Through the API the operator registers
 * participants with BATTERY assets; then, over keep-alive HTTP from this process:
 *   ingest: `ingestTelemetry` batches of BENCH_BATCH_SIZE healthy samples (default 1000) from
 *           BENCH_CLIENTS concurrent clients (default 4, one participant with 8 assets each) for
 *           ~BENCH_SECONDS; samples/s counts stored samples over the measured wall time;
 *   alarm:  while the ingest clients keep the API busy (half of them), BENCH_ALARMS times
 *           (default 100) a fresh asset with BENCH_ALARM_ORDERS OPEN orders (default 10) gets one
 *           sample over its ALARM threshold; the latency is from sending that sample to the
 *           response, which the API gives after the transaction that stored the sample, raised
 *           ALARM and cancelled the orders has committed (checked: every order cancelled).
 * One JSON line per case on stdout:
 *   {"bench":"telemetry","case":"ingest","samplesPerSec":…,"p50Ms":…,"p99Ms":…,"batch":…}
 *   {"bench":"telemetry","case":"alarm","alarms":…,"ordersPerAsset":…,"p50Ms":…,"p99Ms":…}
 * Progress goes to stderr. Knobs (env): BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2),
 * BENCH_CLIENTS (4), BENCH_BATCH_SIZE (1000), BENCH_ALARMS (100), BENCH_ALARM_ORDERS (10),
 * BENCH_CASES (ingest,alarm), DB_POOL_SIZE (passed to the API).
 */
import { performance } from 'node:perf_hooks';
import { generateApiKey } from '@parkex/db';
import { freePort, stopChild } from '../scripts/support/processes';
import { startBenchApi } from './support/bench-api';
import { benchDatabase } from './support/bench-database';
import { runBench, type BenchLifecycle } from './support/lifecycle';
import { BENCH_INTERVAL_SECONDS, BENCH_PRODUCT, upsertBenchProduct } from './support/bench-product';
import { GraphqlClient } from './support/graphql-client';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 1000);
const ALARMS = Number(process.env.BENCH_ALARMS ?? 100);
const ALARM_ORDERS = Number(process.env.BENCH_ALARM_ORDERS ?? 10);
const CASES = (process.env.BENCH_CASES ?? 'ingest,alarm').split(',');
const ASSETS_PER_CLIENT = 8;
const DEADLINE_MS = 10 * 60_000;
const PRODUCT = BENCH_PRODUCT;
const INTERVAL_SECONDS = BENCH_INTERVAL_SECONDS;

function log(message: string): void {
  process.stderr.write(`[bench:telemetry] ${message}\n`);
}

const INGEST = `mutation($samples: [TelemetrySampleInput!]!) { ingestTelemetry(samples: $samples) { accepted events { cancelledOrderIds } } }`;

interface Feeder {
  key: string;
  assets: string[];
  /** Next sample time per asset, ms (each asset's samples strictly increase). */
  next: number[];
}

async function main({ cleanups }: BenchLifecycle): Promise<number> {
  const database = await benchDatabase('telemetry');
  cleanups.push(() => database.close());
  const port = await freePort();
  const operatorKey = generateApiKey();
  const api = await startBenchApi({
    databaseUrl: database.url,
    port,
    operatorKey,
    poolSize: Number(process.env.DB_POOL_SIZE ?? 20),
    log,
  });
  cleanups.unshift(() => stopChild(api));
  const client = new GraphqlClient(port);

  await upsertBenchProduct(client, operatorKey);

  let participants = 0;
  const participant = async (): Promise<{ id: string; key: string }> => {
    const created = await client.call(
      `mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } apiKey } }`,
      { input: { name: `bench-${process.pid}-${participants++}`, role: 'PARTICIPANT' } },
      operatorKey,
    );
    const { participant: p, apiKey } = created.createParticipant as {
      participant: { id: string };
      apiKey: string;
    };
    return { id: p.id, key: apiKey };
  };
  const asset = async (participantId: string, name: string): Promise<string> => {
    const created = await client.call(
      `mutation($input: AssetInput!) { registerAsset(input: $input) { id } }`,
      {
        input: {
          participantId,
          name,
          kind: 'BATTERY',
          energyCapacity: '2000',
          chargePower: '1000',
          dischargePower: '1000',
        },
      },
      operatorKey,
    );
    return created.registerAsset.id as string;
  };

  const feeders: Feeder[] = [];
  // Samples from a day ago on, 10 ms apart per asset: the run never reaches the clock.
  const from = Date.now() - 86_400_000;
  for (let c = 0; c < CLIENTS; c++) {
    const p = await participant();
    const assets: string[] = [];
    for (let a = 0; a < ASSETS_PER_CLIENT; a++) assets.push(await asset(p.id, `feed-${a}`));
    feeders.push({ key: p.key, assets, next: assets.map(() => from) });
  }
  log(`${CLIENTS} clients × ${ASSETS_PER_CLIENT} assets, batches of ${BATCH_SIZE} samples`);

  const batch = (feeder: Feeder): string => {
    const samples: string[] = [];
    for (let i = 0; i < BATCH_SIZE; i++) {
      const a = i % feeder.assets.length;
      const at = (feeder.next[a] += 10);
      const temp = 250 + (i % 7);
      samples.push(
        `{"assetId":"${feeder.assets[a]}","time":"${new Date(at).toISOString()}","socPermille":${400 + (i % 100)},"sohPermille":950,"packVoltageMv":768000,"packCurrentMa":${(i % 200) * 1000},"cellVoltageMinMv":3300,"cellVoltageMaxMv":3325,"cellTempMinDeciC":${temp - 10},"cellTempMaxDeciC":${temp},"ambientTempDeciC":210,"offGasPpm":0,"faultFlags":0}`,
      );
    }
    return `{"query":${JSON.stringify(INGEST)},"variables":{"samples":[${samples.join(',')}]}}`;
  };

  /** Each feeder sends batch after batch until `stop()` says so; counts stored samples. */
  const feed = async (list: Feeder[], stop: () => boolean, latencies: number[] | null) => {
    let stored = 0;
    let errors = 0;
    await Promise.all(
      list.map(async (feeder) => {
        while (!stop()) {
          const payload = batch(feeder);
          const sent = performance.now();
          const text = await client.post(payload, feeder.key);
          const took = performance.now() - sent;
          const parsed = JSON.parse(text) as {
            data?: { ingestTelemetry?: { accepted: number } };
            errors?: unknown[];
          };
          if (parsed.errors || !parsed.data?.ingestTelemetry) {
            if (errors++ === 0) log(`ingest failed: ${text.slice(0, 400)}`);
            continue;
          }
          stored += parsed.data.ingestTelemetry.accepted;
          latencies?.push(took);
        }
      }),
    );
    return { stored, errors };
  };

  let failed = 0;
  if (CASES.includes('ingest')) {
    log(`ingest: warm-up ${WARMUP_SECONDS} s`);
    let end = performance.now() + WARMUP_SECONDS * 1000;
    await feed(feeders, () => performance.now() >= end, null);
    log(`ingest: measuring ${SECONDS} s`);
    const latencies: number[] = [];
    const started = performance.now();
    end = started + SECONDS * 1000;
    const result = await feed(feeders, () => performance.now() >= end, latencies);
    const seconds = (performance.now() - started) / 1000;
    failed += result.errors;
    log(`ingest: ${result.stored} samples in ${seconds.toFixed(2)} s, ${result.errors} errors`);
    emit({
      case: 'ingest',
      samplesPerSec: Math.round(result.stored / seconds),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      batch: BATCH_SIZE,
      clients: CLIENTS,
    });
  }

  if (CASES.includes('alarm')) {
    const owner = await participant();
    const first = Math.ceil((Date.now() + 3_600_000) / (INTERVAL_SECONDS * 1000));
    let stopped = false;
    const background = feed(
      feeders.slice(0, Math.max(1, Math.floor(CLIENTS / 2))),
      () => stopped,
      null,
    );
    const latencies: number[] = [];
    let incomplete = 0;
    for (let n = 0; n < ALARMS; n++) {
      const id = await asset(owner.id, `alarm-${n}`);
      const orders = Array.from({ length: ALARM_ORDERS }, (_, i) => ({
        clientOrderId: `alarm-${n}-${i}`,
        productCode: PRODUCT,
        deliveryStart: new Date((first + i) * INTERVAL_SECONDS * 1000).toISOString(),
        side: 'SELL',
        price: '3',
        quantity: '10',
        assetId: id,
      }));
      await client.call(
        `mutation($orders: [OrderInput!]!) { submitOrders(orders: $orders) { id } }`,
        { orders },
        owner.key,
      );
      const sample = {
        assetId: id,
        time: new Date(Date.now() - 100).toISOString(),
        socPermille: 500,
        sohPermille: 950,
        packVoltageMv: 768000,
        packCurrentMa: 0,
        cellVoltageMinMv: 3300,
        cellVoltageMaxMv: 3320,
        cellTempMinDeciC: 600,
        cellTempMaxDeciC: 700,
        offGasPpm: 150,
        faultFlags: 0,
      };
      const sent = performance.now();
      const data = await client.call(INGEST, { samples: [sample] }, owner.key);
      latencies.push(performance.now() - sent);
      const events = (
        data.ingestTelemetry as unknown as { events: { cancelledOrderIds: string[] }[] }
      ).events;
      if (events[0]?.cancelledOrderIds.length !== ALARM_ORDERS) incomplete += 1;
    }
    stopped = true;
    await background;
    if (incomplete) log(`alarm: ${incomplete} alarms did not cancel all ${ALARM_ORDERS} orders`);
    failed += incomplete;
    emit({
      case: 'alarm',
      alarms: ALARMS,
      ordersPerAsset: ALARM_ORDERS,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Number(Math.max(...latencies).toFixed(2)),
    });
  }
  client.close();
  return failed > 0 ? 1 : 0;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return 0;
  return Number(
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(2),
  );
}

function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'telemetry', ...fields })}\n`);
}

runBench(log, DEADLINE_MS, main);
