import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool, queryRows, transaction } from '../pg-pool';
import { appendPendingAudit } from './audit-log.repository';
import { isUniqueViolation, pgError } from './pg-errors';

/** A stored meter reading; Wh and the id as text (int8). */
export interface MeterReadingRow {
  id: string;
  reading_id: string;
  version: number;
  participant_id: string;
  asset_id: string | null;
  product_code: string;
  delivery_start: Date;
  import_wh: string;
  export_wh: string;
  reason: string | null;
  submitted_by: string;
  received_at: Date;
}

/** One reading to store, checked by the caller (format, bounds, version and reason). */
export interface NewMeterReading {
  readingId: string;
  version: number;
  participantId: string;
  assetId: string | null;
  productCode: string;
  deliveryStart: Date;
  importWh: bigint;
  exportWh: bigint;
  reason: string | null;
}

/**
 * Why the database refused reading `index` of a batch (nothing of the batch was stored):
 * - `CHECK`: the `meter_reading_check` trigger (`constraint` names the rule:
 *   `meter_reading_product_metered`, `meter_reading_on_grid`, `meter_reading_window`,
 *   `meter_reading_participant`, `meter_reading_asset`) or `meter_reading_same_point` (a
 *   correction that does not follow the previous version of the same meter point and interval);
 * - `CHANGED`: the (readingId, version) is stored with other content;
 * - `POINT_TAKEN`: another reading id holds this meter point, interval and version;
 * - `UNKNOWN_REFERENCE`: the participant, asset or product does not exist.
 */
export type MeterReadingRefusal =
  | { kind: 'CHECK'; index: number; constraint: string | null; message: string }
  | { kind: 'CHANGED'; index: number; stored: MeterReadingRow }
  | { kind: 'POINT_TAKEN'; index: number }
  | { kind: 'UNKNOWN_REFERENCE'; index: number; constraint: string | null };

export type MeterReadingOutcome =
  { kind: 'STORED'; readings: MeterReadingRow[]; inserted: number } | MeterReadingRefusal;

/** A page of readings, newest first (by id). */
export interface MeterReadingQuery {
  participantId?: string;
  productCode?: string;
  readingId?: string;
  /** delivery_start >= from */
  from?: Date;
  /** delivery_start < to */
  to?: Date;
  /** id < beforeId (the cursor) */
  beforeId?: string;
  limit: number;
}

const COLUMNS = `id::text AS id, reading_id, version, participant_id, asset_id, product_code,
  delivery_start, import_wh::text AS import_wh, export_wh::text AS export_wh, reason, submitted_by,
  received_at`;

const FIND_VERSIONS = `SELECT ${COLUMNS} FROM meter_reading
  WHERE (reading_id, version) IN (SELECT * FROM unnest($1::text[], $2::integer[]))`;

const INSERT_READING = `INSERT INTO meter_reading (reading_id, version, participant_id, asset_id,
    product_code, delivery_start, import_wh, export_wh, reason, submitted_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  RETURNING ${COLUMNS}`;

const CHECK_VIOLATION = '23514';
const FOREIGN_KEY_VIOLATION = '23503';
/** A concurrent submission of the same readings: the whole batch is tried again, once. */
const MAX_ATTEMPTS = 2;

/**
 * Meter readings (migrations CreateMeterReadings, CreateImbalanceSettlement): append-only; the
 * `meter_reading_check` trigger decides what the database accepts (windows, grid, roles, assets).
 */
@Injectable()
export class MeterReadingRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /**
   * Stores a batch all or nothing, in one transaction with the mutation's audit row. A
   * (readingId, version) already stored with the same content is returned as stored and not
   * written again; with other content, or when the database refuses any reading, nothing is
   * written and the first refusal is returned. Returns the readings in the batch's order.
   */
  async submit(
    readings: readonly NewMeterReading[],
    submittedBy: string,
  ): Promise<MeterReadingOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await transaction(this.pool, { isolation: 'READ COMMITTED' }, (client) =>
          this.store(client, readings, submittedBy),
        );
      } catch (error) {
        if (error instanceof RefusedReading) return error.refusal;
        // Another call stored the same (readingId, version) meanwhile: seen on the next attempt.
        if (attempt < MAX_ATTEMPTS && isUniqueViolation(error, 'meter_reading_version')) continue;
        throw error;
      }
    }
  }

  /** One page of readings, newest first, matching the query. */
  list(query: MeterReadingQuery): Promise<MeterReadingRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (condition: (param: string) => string, value: unknown) => {
      values.push(value);
      where.push(condition(`$${values.length}`));
    };
    if (query.participantId !== undefined) add((p) => `participant_id = ${p}`, query.participantId);
    if (query.productCode !== undefined) add((p) => `product_code = ${p}`, query.productCode);
    if (query.readingId !== undefined) add((p) => `reading_id = ${p}`, query.readingId);
    if (query.from !== undefined) add((p) => `delivery_start >= ${p}`, query.from);
    if (query.to !== undefined) add((p) => `delivery_start < ${p}`, query.to);
    if (query.beforeId !== undefined) add((p) => `id < ${p}::bigint`, query.beforeId);
    values.push(query.limit);
    return queryRows<MeterReadingRow>(
      this.pool,
      `SELECT ${COLUMNS} FROM meter_reading
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY meter_reading.id DESC LIMIT $${values.length}`,
      values,
    );
  }

  private async store(
    client: PoolClient,
    readings: readonly NewMeterReading[],
    submittedBy: string,
  ): Promise<MeterReadingOutcome> {
    const found = await client.query<MeterReadingRow>(FIND_VERSIONS, [
      readings.map((r) => r.readingId),
      readings.map((r) => r.version),
    ]);
    const stored = new Map(found.rows.map((row) => [versionKey(row.reading_id, row.version), row]));
    const result: (MeterReadingRow | undefined)[] = readings.map(() => undefined);
    for (const [index, reading] of readings.entries()) {
      const row = stored.get(versionKey(reading.readingId, reading.version));
      if (!row) continue;
      if (!sameContent(row, reading)) return { kind: 'CHANGED', index, stored: row };
      result[index] = row;
    }
    // Versions in increasing order, so that a correction in the batch follows its earlier version.
    const order = [...readings.keys()]
      .filter((index) => result[index] === undefined)
      .sort((a, b) => readings[a].version - readings[b].version || a - b);
    for (const index of order) {
      const r = readings[index];
      try {
        const { rows } = await client.query<MeterReadingRow>({
          name: 'meter-reading-insert',
          text: INSERT_READING,
          values: [
            r.readingId,
            r.version,
            r.participantId,
            r.assetId,
            r.productCode,
            r.deliveryStart,
            r.importWh.toString(),
            r.exportWh.toString(),
            r.reason,
            submittedBy,
          ],
        });
        result[index] = rows[0];
      } catch (error) {
        const refusal = refusalOf(error, index);
        if (!refusal) throw error;
        // The transaction is aborted: `transaction` rolls it back, `submit` reports the refusal.
        throw new RefusedReading(refusal);
      }
    }
    await appendPendingAudit((text, values) => client.query(text, values));
    return { kind: 'STORED', readings: result as MeterReadingRow[], inserted: order.length };
  }
}

/** Carries a refusal out of the transaction (which rolls back) to `submit`'s caller. */
class RefusedReading extends Error {
  constructor(readonly refusal: MeterReadingRefusal) {
    super('meter reading refused');
  }
}

function refusalOf(error: unknown, index: number): MeterReadingRefusal | null {
  const e = pgError(error) as { code?: string; constraint?: string; message?: string };
  if (e.code === CHECK_VIOLATION) {
    return {
      kind: 'CHECK',
      index,
      constraint: e.constraint ?? null,
      message: (error as Error).message,
    };
  }
  if (isUniqueViolation(error, 'meter_reading_point_version'))
    return { kind: 'POINT_TAKEN', index };
  if (e.code === FOREIGN_KEY_VIOLATION) {
    return { kind: 'UNKNOWN_REFERENCE', index, constraint: e.constraint ?? null };
  }
  return null;
}

function versionKey(readingId: string, version: number): string {
  return `${version}|${readingId}`;
}

function sameContent(row: MeterReadingRow, r: NewMeterReading): boolean {
  return (
    row.participant_id === r.participantId &&
    row.asset_id === r.assetId &&
    row.product_code === r.productCode &&
    row.delivery_start.getTime() === r.deliveryStart.getTime() &&
    row.import_wh === r.importWh.toString() &&
    row.export_wh === r.exportWh.toString() &&
    row.reason === r.reason
  );
}
