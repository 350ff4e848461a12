import { Injectable } from '@nestjs/common';
import {
  ASSET_KINDS,
  defaultRules,
  SAFETY_LEVELS,
  type AssetKind,
  type Finding,
  type SafetyLevel,
  type SafetyRules,
  type TelemetryReading,
} from '@parkex/market';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool, queryRows, transaction } from '../pg-pool';
import { appendPendingAudit } from './audit-log.repository';
import { pgError } from './pg-errors';
import {
  FIND_ASSET,
  FIND_EVENT,
  INSERT_ASSET,
  LIST_ASSETS,
  LIST_EVENTS,
  LIST_IMBALANCES,
  LIST_RULES,
  RECENT_SAMPLES,
  UPSERT_RULES,
  type AssetSqlRow,
  type EventSqlRow,
  type ImbalanceSqlRow,
  type SampleSqlRow,
} from './safety.sql';

/** A participant's physical asset with its ratings and its safety state. Integers as text. */
export interface AssetRow {
  id: string;
  participantId: string;
  name: string;
  kind: AssetKind;
  energyCapacityWh: string;
  chargePowerW: string;
  dischargePowerW: string;
  createdAt: Date;
  level: SafetyLevel;
  /** The operator acknowledged the current ALARM. */
  acknowledged: boolean;
  /** Since when every evaluation was below the level (the hold runs from here); null when not. */
  belowSince: Date | null;
  lastSampleAt: Date | null;
  levelChangedAt: Date;
  /** The rules of the asset's kind (the operator's, or the defaults). */
  rules: SafetyRules;
}

export interface NewAsset {
  participantId: string;
  name: string;
  kind: AssetKind;
  energyCapacityWh: bigint;
  chargePowerW: bigint;
  dischargePowerW: bigint;
}

/** A stored sample as events and reads show it: the reading with its asset, `time` ISO-8601. */
export interface SampleRecord extends Omit<TelemetryReading, 'atMs'> {
  assetId: string;
  time: string;
}

/** An append-only safety event: a change of level, or the operator's acknowledgement. */
export interface SafetyEventRow {
  id: string;
  assetId: string;
  participantId: string;
  kind: 'LEVEL_CHANGED' | 'ACKNOWLEDGED';
  fromLevel: SafetyLevel;
  toLevel: SafetyLevel;
  /** The instant of the evaluation (a sample's time, the sweep's or the acknowledgement's). */
  at: Date;
  findings: Finding[];
  samples: SampleRecord[];
  cancelledOrderIds: string[];
  expectedImbalances: number;
  actorId: string | null;
  recordedAt: Date;
}

export interface ImbalanceRow {
  id: string;
  safetyEventId: string;
  assetId: string;
  participantId: string;
  orderId: string;
  productCode: string;
  deliveryStart: Date;
  side: 'BUY' | 'SELL';
  filledWh: string;
}

export interface StoredRules {
  kind: AssetKind;
  rules: SafetyRules;
  /** Null: the defaults (the operator has not set any). */
  updatedAt: Date | null;
}

/** Assets, their rules, events, imbalance flags and samples: registration and reads. */
@Injectable()
export class AssetRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /** Registers an asset (NORMAL); null when the owner already has an asset of this name. */
  async register(asset: NewAsset): Promise<AssetRow | null> {
    try {
      return await transaction(this.pool, { isolation: 'READ COMMITTED' }, async (client) => {
        const { rows } = await client.query<AssetSqlRow>(INSERT_ASSET, [
          asset.participantId,
          asset.name,
          asset.kind,
          asset.energyCapacityWh.toString(),
          asset.chargePowerW.toString(),
          asset.dischargePowerW.toString(),
        ]);
        await appendPendingAudit((text, values) => client.query(text, values));
        return toAsset(rows[0]);
      });
    } catch (error) {
      if (pgError(error).constraint === 'asset_name_per_participant') return null;
      throw error;
    }
  }

  async findById(id: string): Promise<AssetRow | null> {
    const rows = await queryRows<AssetSqlRow>(this.pool, FIND_ASSET, [id]);
    return rows.length ? toAsset(rows[0]) : null;
  }

  /** Assets of one participant (all when null), by owner and name. */
  async list(participantId: string | null, limit: number): Promise<AssetRow[]> {
    return (await queryRows<AssetSqlRow>(this.pool, LIST_ASSETS, [participantId, limit])).map(
      toAsset,
    );
  }

  /** Every kind's rules: the operator's where set, else the defaults. */
  async rules(): Promise<StoredRules[]> {
    const stored = await queryRows<{ kind: AssetKind; rules: SafetyRules; updated_at: Date }>(
      this.pool,
      LIST_RULES,
    );
    const byKind = new Map(stored.map((r) => [r.kind, r]));
    return ASSET_KINDS.map((kind) => {
      const row = byKind.get(kind);
      return { kind, rules: row?.rules ?? defaultRules(kind), updatedAt: row?.updated_at ?? null };
    });
  }

  /** Replaces a kind's rules (validated by the caller); audited in the same transaction. */
  async setRules(kind: AssetKind, rules: SafetyRules, actorId: string): Promise<StoredRules> {
    return transaction(this.pool, { isolation: 'READ COMMITTED' }, async (client) => {
      const { rows } = await client.query<{
        kind: AssetKind;
        rules: SafetyRules;
        updated_at: Date;
      }>(UPSERT_RULES, [kind, JSON.stringify(rules), actorId]);
      await appendPendingAudit((text, values) => client.query(text, values));
      return { kind: rows[0].kind, rules: rows[0].rules, updatedAt: rows[0].updated_at };
    });
  }

  async findEvent(id: string): Promise<SafetyEventRow | null> {
    const rows = await queryRows<EventSqlRow>(this.pool, FIND_EVENT, [id]);
    return rows.length ? toEvent(rows[0]) : null;
  }

  /** Events newest first, of an asset, of a participant's assets, or all; keyset on the id. */
  async events(query: {
    assetId?: string | null;
    participantId?: string | null;
    beforeId?: string | null;
    limit: number;
  }): Promise<SafetyEventRow[]> {
    const rows = await queryRows<EventSqlRow>(this.pool, LIST_EVENTS, [
      query.assetId ?? null,
      query.participantId ?? null,
      query.beforeId ?? null,
      query.limit,
    ]);
    return rows.map(toEvent);
  }

  /** Flagged cleared deliveries whose delivery has not ended yet, soonest first. */
  async imbalances(limit: number): Promise<ImbalanceRow[]> {
    const rows = await queryRows<ImbalanceSqlRow>(this.pool, LIST_IMBALANCES, [limit]);
    return rows.map((r) => ({
      id: r.id,
      safetyEventId: r.safety_event_id,
      assetId: r.asset_id,
      participantId: r.participant_id,
      orderId: r.order_id,
      productCode: r.product_code,
      deliveryStart: r.delivery_start,
      side: r.side,
      filledWh: r.filled_wh,
    }));
  }

  /** An asset's newest samples, newest first. */
  async recentSamples(assetId: string, limit: number): Promise<SampleRecord[]> {
    const rows = await queryRows<SampleSqlRow>(this.pool, RECENT_SAMPLES, [assetId, limit]);
    return rows.map(toSampleRecord);
  }
}

/** The rules an asset row goes by: its kind's stored rules, else the defaults. */
export function rulesOf(row: Pick<AssetSqlRow, 'kind' | 'rules'>): SafetyRules {
  return (row.rules as SafetyRules | null) ?? defaultRules(row.kind as AssetKind);
}

export function toAsset(row: AssetSqlRow): AssetRow {
  return {
    id: row.id,
    participantId: row.participant_id,
    name: row.name,
    kind: row.kind as AssetKind,
    energyCapacityWh: row.energy_capacity_wh,
    chargePowerW: row.charge_power_w,
    dischargePowerW: row.discharge_power_w,
    createdAt: row.created_at,
    level: asLevel(row.level),
    acknowledged: row.acknowledged,
    belowSince: row.below_since,
    lastSampleAt: row.last_sample_at,
    levelChangedAt: row.changed_at,
    rules: rulesOf(row),
  };
}

export function toEvent(row: EventSqlRow): SafetyEventRow {
  return {
    id: row.id,
    assetId: row.asset_id,
    participantId: row.participant_id,
    kind: row.kind as SafetyEventRow['kind'],
    fromLevel: asLevel(row.from_level),
    toLevel: asLevel(row.to_level),
    at: row.at,
    findings: row.findings as Finding[],
    samples: row.samples as SampleRecord[],
    cancelledOrderIds: row.effects.cancelledOrderIds ?? [],
    expectedImbalances: Number(row.effects.expectedImbalances ?? 0),
    actorId: row.actor_id,
    recordedAt: row.recorded_at,
  };
}

export function toSampleRecord(row: SampleSqlRow): SampleRecord {
  return {
    assetId: row.asset_id,
    time: row.sampled_at.toISOString(),
    socPermille: row.soc_permille,
    sohPermille: row.soh_permille,
    packVoltageMv: row.pack_voltage_mv,
    packCurrentMa: row.pack_current_ma,
    cellVoltageMinMv: row.cell_voltage_min_mv,
    cellVoltageMaxMv: row.cell_voltage_max_mv,
    cellTempMinDeciC: row.cell_temp_min_deci_c,
    cellTempMaxDeciC: row.cell_temp_max_deci_c,
    ambientTempDeciC: row.ambient_temp_deci_c,
    offGasPpm: row.off_gas_ppm,
    faultFlags: row.fault_flags,
  };
}

function asLevel(level: string): SafetyLevel {
  if (!(SAFETY_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`unknown safety level ${level}`);
  }
  return level as SafetyLevel;
}
