import { createHash } from 'node:crypto';
import { scaledToText } from '../market/decimal';
import type { OrderIntent, ProductKey } from '../tenants/types';
import { ApiError, type GraphqlClient } from './graphql-client';
import { DEMO_PRODUCTS } from './products';
import { sleep } from './sleep';

/**
 * The utility's meters in the demo (README "Metering and imbalance settlement"): after each
 * delivery interval every tenant's main meter reports what physically flowed, and the matcher
 * settles the difference to the tenant's position (fills and day-ahead awards) with the utility
 * once the interval's metering window has closed.
 */

/** The demo products the meters read (storage capacity is traded, not metered). */
export type MeteredProduct = Exclude<ProductKey, 'storage'>;
export const METERED_PRODUCTS: readonly MeteredProduct[] = ['electricity', 'heat'];

/** The grid's tariffs for imbalances (currency per kWh), as the standard products have them. */
export const IMBALANCE_TARIFFS: Record<
  MeteredProduct,
  { importTariff: string; feedInTariff: string }
> = {
  electricity: { importTariff: '0.25', feedInTariff: '0.07' },
  heat: { importTariff: '0.095', feedInTariff: '0' },
};

/** Readings are due one interval after the delivery ends; then the matcher settles. */
export const METERING_WINDOW_INTERVALS = 1;
/** Late readings and corrections are accepted for ten intervals after the delivery ends. */
export const CORRECTION_WINDOW_INTERVALS = 10;
/**
 * The withheld reading goes in this many intervals after its delivery ended: after the metering
 * window (the matcher has settled the interval with an estimate), well inside the correction
 * window (the reading leads to revision 1).
 */
export const LATE_READING_INTERVALS = 3;
/** At most this many readings per `submitMeterReadings`. */
export const READING_BATCH = 1000;

export interface ImbalanceTermsInput {
  productCode: string;
  meteringWindowSeconds: number;
  correctionWindowSeconds: number;
  importTariff: string;
  feedInTariff: string;
  auctionSeries: string | null;
}

export const SET_IMBALANCE_TERMS = `mutation($input: ImbalanceTermsInput!) {
  setImbalanceTerms(input: $input) { code meteringWindowSeconds correctionWindowSeconds importTariff feedInTariff auctionSeries }
}`;

/** The operator registers the utility's metering system: a METER key submits readings only. */
export const REGISTER_METER = `mutation($input: CreateParticipantInput!) {
  createParticipant(input: $input) { participant { id role } apiKey }
}`;

export const SUBMIT_METER_READINGS = `mutation($readings: [MeterReadingInput!]!) {
  submitMeterReadings(readings: $readings) { id readingId version }
}`;

/**
 * The demo's imbalance terms: windows in demo intervals; `auctionSeries` the day-ahead series
 * whose awards count in the positions (null without the auction).
 */
export function imbalanceTerms(
  intervalSeconds: number,
  auctionSeries: string | null,
): ImbalanceTermsInput[] {
  return METERED_PRODUCTS.map((product) => ({
    productCode: DEMO_PRODUCTS[product],
    meteringWindowSeconds: METERING_WINDOW_INTERVALS * intervalSeconds,
    correctionWindowSeconds: CORRECTION_WINDOW_INTERVALS * intervalSeconds,
    ...IMBALANCE_TARIFFS[product],
    auctionSeries,
  }));
}

/**
 * How far the metered energy of a tenant's profile deviates from what it traded, per mille
 * (900–1100): the EMS orders its forecast of the quarter-hour, two intervals ahead; the load
 * (or the PV, or the heat-led CHP) then does what real ones do, ±10 %. Deterministic: a SHA-256
 * of the seed (the simulated day), the tenant, the product and the quarter-hour, so a day's run
 * meters the same every time.
 */
export function deviationPermille(
  seed: string,
  tenant: string,
  product: MeteredProduct,
  index: number,
): number {
  const digest = createHash('sha256').update(`${seed}|${tenant}|${product}|${index}`).digest();
  return 900 + (digest.readUInt32BE(0) % 201);
}

export interface MeteredFlow {
  importWh: number;
  exportWh: number;
}

/**
 * What a tenant's main meter shows for one product in one interval, in integer Wh: its profile
 * (the intents' BUY less SELL of the product) × the deviation, rounded half away from zero,
 * plus what its day-ahead assets took (> 0) or gave (< 0) on their schedule, which they keep
 * exactly. A net import is imported, a net export exported (one meter, netted per interval).
 */
export function meteredFlow(input: {
  profile: readonly OrderIntent[];
  product: MeteredProduct;
  permille: number;
  assetWh: number;
}): MeteredFlow {
  let profileWh = 0;
  for (const intent of input.profile) {
    if (intent.product !== input.product) continue;
    profileWh += intent.side === 'BUY' ? intent.quantityWh : -intent.quantityWh;
  }
  const magnitude = Math.floor((Math.abs(profileWh) * input.permille + 500) / 1000);
  const net = (profileWh < 0 ? -magnitude : magnitude) + input.assetWh;
  return { importWh: Math.max(0, net), exportWh: Math.max(0, -net) };
}

/** Integer Wh as kWh with exactly three decimals: 1234 → "1.234", 5 → "0.005". */
export function kwhText(wh: number): string {
  if (!Number.isSafeInteger(wh)) throw new Error(`not an integer Wh: ${wh}`);
  return scaledToText(BigInt(wh), 3, false);
}

/** A reading as `submitMeterReadings` takes it. */
export interface MeterReadingInput {
  readingId: string;
  version: number;
  participantId: string;
  productCode: string;
  deliveryStart: string;
  imported: string;
  exported: string;
}

/** The metering system's id of a tenant's reading: unique per run, ≤ 64 printable ASCII. */
export function readingIdOf(
  runId: string,
  tenant: string,
  product: MeteredProduct,
  index: number,
): string {
  const id = `m-${runId}-${tenant}-${product[0]}${index}`;
  if (!/^[\x21-\x7e]{1,64}$/.test(id)) throw new Error(`bad reading id ${JSON.stringify(id)}`);
  return id;
}

export function readingInput(reading: {
  runId: string;
  tenant: string;
  participantId: string;
  product: MeteredProduct;
  index: number;
  deliveryStart: Date;
  flow: MeteredFlow;
}): MeterReadingInput {
  return {
    readingId: readingIdOf(reading.runId, reading.tenant, reading.product, reading.index),
    version: 1,
    participantId: reading.participantId,
    productCode: DEMO_PRODUCTS[reading.product],
    deliveryStart: reading.deliveryStart.toISOString(),
    imported: kwhText(reading.flow.importWh),
    exported: kwhText(reading.flow.exportWh),
  };
}

/** The reading the demo withholds and sends late: one tenant's electricity, mid-run. */
export interface LateReading {
  tenant: string;
  product: MeteredProduct;
  index: number;
}

/**
 * Which reading goes in late: the electricity of the first of `preferred` that is metered (else
 * the first metered tenant) in the run's middle quarter-hour; null when nothing is metered.
 */
export function lateReadingOf(
  meteredTenants: readonly string[],
  count: number,
  preferred: readonly string[] = ['metal', 'plating', 'office'],
): LateReading | null {
  const tenant = preferred.find((key) => meteredTenants.includes(key)) ?? meteredTenants[0];
  if (tenant === undefined || count < 1) return null;
  return { tenant, product: 'electricity', index: Math.floor(count / 2) };
}

export function batches<T>(items: readonly T[], size = READING_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** When the readings of interval i go in: shortly after it ended, well inside its metering window. */
export function readingDelayMs(intervalMs: number): number {
  return Math.min(1000, Math.floor(intervalMs / 4));
}

export interface MeterTally {
  posted: number;
  failures: string[];
  /** The late reading as posted (null: none, or it failed). */
  late:
    (LateReading & { productCode: string; deliveryStart: string; participantId: string }) | null;
  /** Product-intervals with at least one reading posted. */
  intervals: { productCode: string; deliveryStart: string }[];
}

/**
 * The meters of the run: after each interval ends, one reading per metered tenant and product,
 * but `late`'s reading, which goes in LATE_READING_INTERVALS after its interval ended. Resolves
 * when every reading has been posted (or failed), or the signal aborts.
 */
export async function runMeter(options: {
  client: GraphqlClient;
  t0: number;
  intervalMs: number;
  count: number;
  signal: AbortSignal;
  /** The readings of one interval, every metered tenant and product. */
  readingsOf: (index: number) => MeterReadingInput[];
  late: LateReading | null;
  runId: string;
  onLog?: (message: string) => void;
}): Promise<MeterTally> {
  const { client, t0, intervalMs, count, signal } = options;
  const tally: MeterTally = { posted: 0, failures: [], late: null, intervals: [] };
  const seen = new Set<string>();
  const post = async (readings: MeterReadingInput[]) => {
    for (const batch of batches(readings)) {
      try {
        await client.request(SUBMIT_METER_READINGS, { readings: batch });
        tally.posted += batch.length;
        for (const r of batch) {
          const key = `${r.productCode}|${r.deliveryStart}`;
          if (seen.has(key)) continue;
          seen.add(key);
          tally.intervals.push({ productCode: r.productCode, deliveryStart: r.deliveryStart });
        }
      } catch (error) {
        const message = `meter readings of ${batch[0].deliveryStart}: ${error instanceof ApiError || error instanceof Error ? error.message : String(error)}`;
        if (tally.failures.length === 0) options.onLog?.(message);
        tally.failures.push(message);
        return false;
      }
    }
    return true;
  };
  const lateId = options.late
    ? readingIdOf(options.runId, options.late.tenant, options.late.product, options.late.index)
    : null;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count && !signal.aborted; i++) {
    const end = t0 + (i + 1) * intervalMs;
    await sleep(end + readingDelayMs(intervalMs) - Date.now(), signal);
    if (signal.aborted) break;
    const readings = options.readingsOf(i);
    const withheld = readings.filter((r) => r.readingId === lateId);
    await post(readings.filter((r) => r.readingId !== lateId));
    const [reading] = withheld;
    if (reading && options.late) {
      const late = options.late;
      pending.push(
        (async () => {
          await sleep(end + LATE_READING_INTERVALS * intervalMs - Date.now(), signal);
          if (signal.aborted) return;
          if (await post([reading])) {
            tally.late = {
              ...late,
              productCode: reading.productCode,
              deliveryStart: reading.deliveryStart,
              participantId: reading.participantId,
            };
            options.onLog?.(
              `meter: the late reading of interval ${late.index} (${late.tenant}, ${late.product}) went in after its metering window`,
            );
          }
        })(),
      );
    }
  }
  await Promise.all(pending);
  return tally;
}
