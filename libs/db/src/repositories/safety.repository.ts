import { Injectable } from '@nestjs/common';
import {
  acknowledge,
  defaultRules,
  evaluateReading,
  evaluateSilence,
  nextRateReference,
  step,
  tradingLimit,
  ASSET_KINDS,
  type LevelChange,
  type RateReference,
  type SafetyRules,
  type SafetyState,
  type TelemetryReading,
} from '@parkex/market';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool, transaction } from '../pg-pool';
import {
  rulesOf,
  toAsset,
  toEvent,
  toSampleRecord,
  type AssetRow,
  type SafetyEventRow,
  type SampleRecord,
} from './asset.repository';
import { appendPendingAudit, insertAuditRow } from './audit-log.repository';
import { cancelAuctionOrdersOfAsset } from './auction.repository';
import { pgError } from './pg-errors';
import {
  CANCEL_ASSET_ORDERS,
  DROP_PARTITIONS_BEFORE,
  ENSURE_PARTITIONS,
  INSERT_EVENT,
  INSERT_SAMPLES,
  LAST_SAMPLE,
  LOCK_ASSETS,
  LOCK_OPEN_INTERVALS_OF_ASSET,
  LOCK_SILENT_ASSETS,
  MARK_RECEIVED,
  UPDATE_STATE,
  type AssetSqlRow,
  type EventSqlRow,
  type SampleSqlRow,
} from './safety.sql';

/** One sample of an ingest batch: the asset and the reading (time as ms since the epoch). */
export interface TelemetrySample extends TelemetryReading {
  assetId: string;
}

export type TelemetryRefusalReason = 'UNKNOWN_ASSET' | 'OUT_OF_ORDER' | 'IN_THE_FUTURE' | 'TOO_OLD';

/** The database's view refused the batch; nothing was written. `index` is the first sample at fault. */
export class TelemetryRefusedError extends Error {
  constructor(
    readonly reason: TelemetryRefusalReason,
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'TelemetryRefusedError';
  }
}

export interface IngestOptions {
  /** How far after the database's clock a sample's time may be (clock skew), ms. */
  maxFutureSkewMs: number;
  /** How far before the database's clock a sample's time may be, ms (within the retention). */
  maxAgeMs: number;
}

export interface IngestOutcome {
  /** Samples stored now. */
  accepted: number;
  /** Samples already stored under the same (asset, time): skipped, first write wins. */
  duplicates: number;
  /** Level changes the batch caused, in time order. */
  events: SafetyEventRow[];
  /** The batch's assets as they are after it. */
  assets: AssetRow[];
}

/** The hysteresis state stored in `asset_safety`, with the rate reference and last sample. */
interface StoredState {
  state: SafetyState;
  rateRef: RateReference | null;
  lastSampleMs: number | null;
}

/** A UTC day, ms: telemetry partitions are per day. */
const DAY_MS = 86_400_000;
/** "no partition of relation … found for row". */
const NO_PARTITION_STATE = '23514';

/**
 * Storage safety in the database: telemetry ingest with the early-warning evaluation and its
 * linkage to the order book in the same transaction, the operator's acknowledgement, the sweep
 * for lost telemetry and the retention of the samples. The rules are `@parkex/market`'s.
 */
@Injectable()
export class SafetyRepository {
  private readonly pool: Pool;
  /** UTC days (ms at midnight) whose partition is known to exist. */
  private readonly partitions = new Set<number>();

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /**
   * Stores a batch of one participant's samples, all or nothing, in one transaction:
   * 1. lock the batch's assets' safety rows (`FOR UPDATE`, id order) and read the database's clock;
   *    an asset that does not exist or is not the participant's refuses the batch;
   * 2. refuse samples beyond the clock skew in the future or older than `maxAgeMs`;
   * 3. make the day partitions that are missing, insert from arrays skipping stored (asset, time)
   *    pairs (idempotent resends); a new sample not after the asset's last one refuses the batch;
   * 4. evaluate the new samples in time order through the rules and the hysteresis; each change
   *    of level is applied to the asset's orders (`applyChange`), stored as an event with its
   *    sample, audited and NOTIFYed; the state is written back;
   * 5. the mutation's audit row. The caller checked the batch's shape (ranges, order per asset).
   */
  async ingest(
    participantId: string,
    samples: readonly TelemetrySample[],
    options: IngestOptions,
  ): Promise<IngestOutcome> {
    const days = [...new Set(samples.map((s) => s.atMs - (s.atMs % DAY_MS)))];
    try {
      const outcome = await this.ingestOnce(participantId, samples, options, days);
      for (const day of days) this.partitions.add(day);
      return outcome;
    } catch (error) {
      // A partition this process remembered was dropped (retention, by another replica).
      if (pgError(error).code !== NO_PARTITION_STATE) throw error;
      this.partitions.clear();
      return this.ingestOnce(participantId, samples, options, days);
    }
  }

  private async ingestOnce(
    participantId: string,
    samples: readonly TelemetrySample[],
    options: IngestOptions,
    days: number[],
  ): Promise<IngestOutcome> {
    const ids = [...new Set(samples.map((s) => s.assetId))];
    return transaction(this.pool, { isolation: 'READ COMMITTED' }, async (client) => {
      const { rows } = await client.query<AssetSqlRow & { db_now: Date }>(LOCK_ASSETS, [ids]);
      const assets = new Map(rows.map((r) => [r.id, r]));
      const foreign = samples.findIndex(
        (s) => assets.get(s.assetId)?.participant_id !== participantId,
      );
      if (foreign >= 0) {
        throw new TelemetryRefusedError(
          'UNKNOWN_ASSET',
          foreign,
          `sample ${foreign}: asset ${samples[foreign].assetId} does not exist or is not yours`,
        );
      }
      const nowMs = rows[0].db_now.getTime();
      checkTimes(samples, nowMs, options);

      const missing = days.filter((day) => !this.partitions.has(day));
      if (missing.length) {
        await client.query(ENSURE_PARTITIONS, [
          missing.map((d) => new Date(d).toISOString().slice(0, 10)),
        ]);
      }
      const inserted = await client.query<{ asset_id: string; sampled_at: Date }>(
        INSERT_SAMPLES,
        sampleArrays(samples),
      );
      const fresh = new Set(inserted.rows.map((r) => `${r.asset_id}/${r.sampled_at.getTime()}`));
      const bySample = new Map<string, TelemetrySample[]>();
      samples.forEach((s, index) => {
        if (!fresh.has(`${s.assetId}/${s.atMs}`)) return;
        const row = assets.get(s.assetId)!;
        if (row.last_sample_at && s.atMs <= row.last_sample_at.getTime()) {
          throw new TelemetryRefusedError(
            'OUT_OF_ORDER',
            index,
            `sample ${index}: ${new Date(s.atMs).toISOString()} is not after the last stored sample of asset ${s.assetId} (${row.last_sample_at.toISOString()}); only a resend of a stored sample may be older`,
          );
        }
        const list = bySample.get(s.assetId) ?? [];
        list.push(s);
        bySample.set(s.assetId, list);
      });

      const events: SafetyEventRow[] = [];
      for (const [assetId, list] of bySample) {
        const row = assets.get(assetId)!;
        const rules = rulesOf(row);
        let stored = storedState(row);
        for (const sample of list) {
          const evaluation = evaluateReading(sample, stored.rateRef, rules);
          const next = step(stored.state, evaluation, sample.atMs, rules);
          stored = {
            state: next.state,
            rateRef: nextRateReference(sample, stored.rateRef, rules),
            lastSampleMs: sample.atMs,
          };
          if (next.change) {
            events.push(
              await applyChange(client, row, next.change, rules, [sampleRecord(sample)], {
                actorId: participantId,
              }),
            );
          }
        }
        await writeState(client, assetId, stored);
      }
      // Telemetry arrived from every asset of the batch, resends included (loss of telemetry).
      await client.query(MARK_RECEIVED, [ids]);
      await appendPendingAudit((text, values) => client.query(text, values));
      const after = await client.query<AssetSqlRow & { db_now: Date }>(LOCK_ASSETS, [ids]);
      return {
        accepted: inserted.rows.length,
        duplicates: samples.length - inserted.rows.length,
        events,
        assets: after.rows.map(toAsset),
      };
    });
  }

  /**
   * The operator acknowledges an asset's ALARM: stored as an ACKNOWLEDGED event; when the hold is
   * already over the level falls at once (a LEVEL_CHANGED event, trading again). Null when the
   * asset does not exist; `'NOT_IN_ALARM'` when there is nothing to acknowledge.
   */
  async acknowledge(
    assetId: string,
    actorId: string,
  ): Promise<{ asset: AssetRow; events: SafetyEventRow[] } | null | 'NOT_IN_ALARM'> {
    return transaction(this.pool, { isolation: 'READ COMMITTED' }, async (client) => {
      const { rows } = await client.query<AssetSqlRow & { db_now: Date }>(LOCK_ASSETS, [[assetId]]);
      if (!rows.length) return null;
      const row = rows[0];
      const rules = rulesOf(row);
      const stored = storedState(row);
      const nowMs = row.db_now.getTime();
      const acked = acknowledge(stored.state, nowMs, rules);
      if (!acked) return 'NOT_IN_ALARM';
      const events = [
        await insertEvent(client, row, {
          kind: 'ACKNOWLEDGED',
          change: { from: 'ALARM', to: 'ALARM', atMs: nowMs, findings: [] },
          samples: [],
          cancelled: [],
          actorId,
        }),
      ];
      if (acked.change) {
        events.push(await applyChange(client, row, acked.change, rules, [], { actorId }));
      }
      await writeState(client, assetId, { ...stored, state: acked.state });
      await appendPendingAudit((text, values) => client.query(text, values));
      const after = await client.query<AssetSqlRow & { db_now: Date }>(LOCK_ASSETS, [[assetId]]);
      return { asset: toAsset(after.rows[0]), events };
    });
  }

  /**
   * One pass of the loss-of-telemetry sweep: up to `limit` assets silent for longer than their
   * rules allow, locked `SKIP LOCKED` (replicas share the work, none waits for an ingest), each
   * evaluated as a silence at the database's clock; a rise to WARNING is applied like a sample's.
   * Returns the events.
   */
  async sweepSilence(limit = 100): Promise<SafetyEventRow[]> {
    const defaults = Object.fromEntries(ASSET_KINDS.map((k) => [k, defaultRules(k)]));
    return transaction(this.pool, { isolation: 'READ COMMITTED' }, async (client) => {
      const { rows } = await client.query<AssetSqlRow & { db_now: Date }>(LOCK_SILENT_ASSETS, [
        JSON.stringify(defaults),
        limit,
      ]);
      const events: SafetyEventRow[] = [];
      for (const row of rows) {
        const rules = rulesOf(row);
        const stored = storedState(row);
        const nowMs = row.db_now.getTime();
        const lastSeen = (row.last_received_at ?? row.monitored_since).getTime();
        const silence = evaluateSilence(lastSeen, nowMs, rules);
        if (!silence) continue;
        const next = step(stored.state, silence, nowMs, rules);
        if (next.change) {
          const last = await client.query<SampleSqlRow>(LAST_SAMPLE, [row.id]);
          events.push(
            await applyChange(client, row, next.change, rules, last.rows.map(toSampleRecord), {
              actorId: null,
            }),
          );
        }
        await writeState(client, row.id, { ...stored, state: next.state });
      }
      return events;
    });
  }

  /**
   * Makes the partitions of today and tomorrow (UTC) ahead of their first sample, so that an
   * ingest seldom has to: creating a partition locks the whole table until its transaction ends.
   */
  async prepareTelemetryPartitions(): Promise<number> {
    const today = Date.now() - (Date.now() % DAY_MS);
    const days = [today, today + DAY_MS];
    const { rows } = await this.pool.query<{ made: number }>(ENSURE_PARTITIONS, [
      days.map((d) => new Date(d).toISOString().slice(0, 10)),
    ]);
    for (const day of days) this.partitions.add(day);
    return rows[0].made;
  }

  /** Retention: drops the telemetry day partitions older than `days` days (at least 7). */
  async dropExpiredTelemetry(days: number): Promise<number> {
    const cutoff = new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);
    const { rows } = await this.pool.query<{ dropped: number }>(DROP_PARTITIONS_BEFORE, [cutoff]);
    for (const day of [...this.partitions])
      if (day < Date.parse(cutoff)) this.partitions.delete(day);
    return rows[0].dropped;
  }
}

/** Refuses the first sample too far in the future or too old, by the database's clock. */
function checkTimes(samples: readonly TelemetrySample[], nowMs: number, options: IngestOptions) {
  samples.forEach((s, index) => {
    if (s.atMs > nowMs + options.maxFutureSkewMs) {
      throw new TelemetryRefusedError(
        'IN_THE_FUTURE',
        index,
        `sample ${index}: ${new Date(s.atMs).toISOString()} is more than ${options.maxFutureSkewMs} ms after the exchange's clock (${new Date(nowMs).toISOString()})`,
      );
    }
    if (s.atMs < nowMs - options.maxAgeMs) {
      throw new TelemetryRefusedError(
        'TOO_OLD',
        index,
        `sample ${index}: ${new Date(s.atMs).toISOString()} is more than ${options.maxAgeMs} ms before the exchange's clock`,
      );
    }
  });
}

function sampleArrays(samples: readonly TelemetrySample[]): unknown[] {
  return [
    samples.map((s) => s.assetId),
    samples.map((s) => new Date(s.atMs).toISOString()),
    samples.map((s) => s.socPermille),
    samples.map((s) => s.sohPermille),
    samples.map((s) => s.packVoltageMv),
    samples.map((s) => s.packCurrentMa),
    samples.map((s) => s.cellVoltageMinMv),
    samples.map((s) => s.cellVoltageMaxMv),
    samples.map((s) => s.cellTempMinDeciC),
    samples.map((s) => s.cellTempMaxDeciC),
    samples.map((s) => s.ambientTempDeciC),
    samples.map((s) => s.offGasPpm),
    samples.map((s) => s.faultFlags),
  ];
}

function sampleRecord(s: TelemetrySample): SampleRecord {
  const { atMs, ...reading } = s;
  return { ...reading, time: new Date(atMs).toISOString() };
}

function storedState(row: AssetSqlRow): StoredState {
  return {
    state: {
      level: row.level as SafetyState['level'],
      belowSinceMs: row.below_since?.getTime() ?? null,
      belowLevel: row.below_level as SafetyState['level'],
      acknowledged: row.acknowledged,
    },
    rateRef:
      row.rate_ref_at && row.rate_ref_temp_deci_c !== null
        ? { atMs: row.rate_ref_at.getTime(), cellTempMaxDeciC: row.rate_ref_temp_deci_c }
        : null,
    lastSampleMs: row.last_sample_at?.getTime() ?? null,
  };
}

async function writeState(client: PoolClient, assetId: string, stored: StoredState) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  await client.query(UPDATE_STATE, [
    assetId,
    stored.state.level,
    iso(stored.state.belowSinceMs),
    stored.state.belowLevel,
    stored.state.acknowledged,
    iso(stored.lastSampleMs),
    iso(stored.rateRef?.atMs ?? null),
    stored.rateRef?.cellTempMaxDeciC ?? null,
  ]);
}

/**
 * The linkage of a change of level to the market, in the caller's transaction: at WARNING the
 * asset's OPEN orders beyond its derated power are cancelled where their gate is open; at ALARM
 * all of them, and its cleared deliveries still to come are flagged as expected imbalance. The
 * event is stored with its findings, samples and effects, NOTIFYed, and audited.
 */
async function applyChange(
  client: PoolClient,
  row: AssetSqlRow,
  change: LevelChange,
  rules: SafetyRules,
  samples: SampleRecord[],
  who: { actorId: string | null },
): Promise<SafetyEventRow> {
  let cancelled: string[] = [];
  let cancelledAuctionOrders: string[] = [];
  const limit = tradingLimit(change.to, rules);
  if (limit.kind !== 'FULL') {
    const open = await client.query<{ product_code: string; delivery_start: Date }>(
      LOCK_OPEN_INTERVALS_OF_ASSET,
      [row.id],
    );
    if (open.rows.length) {
      const result = await client.query<{ id: string }>(CANCEL_ASSET_ORDERS, [
        row.id,
        open.rows.map((r) => r.product_code),
        open.rows.map((r) => r.delivery_start.toISOString()),
        limit.kind === 'DERATED' ? limit.permille : null,
      ]);
      cancelled = result.rows.map((r) => r.id);
    }
    cancelledAuctionOrders = await cancelAuctionOrdersOfAsset(
      client,
      {
        id: row.id,
        kind: row.kind,
        energyCapacityWh: BigInt(row.energy_capacity_wh),
        chargePowerW: BigInt(row.charge_power_w),
        dischargePowerW: BigInt(row.discharge_power_w),
      },
      limit.kind === 'DERATED' ? limit.permille : null,
    );
  }
  const event = await insertEvent(client, row, {
    kind: 'LEVEL_CHANGED',
    change,
    samples,
    cancelled,
    actorId: who.actorId,
  });
  await insertAuditRow((text, values) => client.query(text, values), {
    actorId: who.actorId,
    action: 'safetyLinkage',
    args: {
      assetId: row.id,
      eventId: event.id,
      from: change.from,
      to: change.to,
      rules: change.findings.map((f) => `${f.rule}:${f.level}`),
      cancelledOrderIds: cancelled,
      cancelledAuctionOrderIds: cancelledAuctionOrders,
      expectedImbalances: event.expectedImbalances,
    },
    outcome: 'OK',
  });
  return event;
}

async function insertEvent(
  client: PoolClient,
  row: AssetSqlRow,
  event: {
    kind: SafetyEventRow['kind'];
    change: LevelChange;
    samples: SampleRecord[];
    cancelled: string[];
    actorId: string | null;
  },
): Promise<SafetyEventRow> {
  const { rows } = await client.query<EventSqlRow>(INSERT_EVENT, [
    row.id,
    event.kind,
    event.change.from,
    event.change.to,
    new Date(event.change.atMs).toISOString(),
    JSON.stringify(event.change.findings),
    JSON.stringify(event.samples),
    event.cancelled,
    event.actorId,
    event.kind === 'LEVEL_CHANGED' && event.change.to === 'ALARM',
  ]);
  return toEvent(rows[0]);
}
