import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';

/** A first report (version 1) of one meter point over one interval. */
export interface FixtureReading {
  readingId: string;
  participantId: string;
  assetId?: string | null;
  productCode: string;
  deliveryStart: Date;
  /** Wh */
  importWh: number;
  /** Wh */
  exportWh?: number;
  /** The METER participant that reports it. */
  submittedBy: string;
}

/**
 * Tests only: meter readings written as the administrator with the triggers off
 * (`SET LOCAL session_replication_role = replica`, which only a superuser may set), all in one
 * transaction, so that the setting ends with it.
 *
 * Why: the carbon fixtures meter intervals in the future (2039, or an auction a day ahead), since
 * they place orders and clear them there first; the metering system itself could never report
 * those (`meter_reading_check` refuses a reading before its interval has ended), and some meter a
 * test product without imbalance tariffs, which that trigger refuses as well. The rule stays as
 * it is for everyone else: the setting lasts for this transaction only.
 *
 * What the triggers off leave out, and why that is fine here:
 * - `meter_reading_check` would also open the product-interval's `imbalance_interval` row and
 *   count the reading in `readings`; the fixtures are not imbalance-settled (and their intervals
 *   are not due), nothing they assert reads imbalance_interval.
 * - `meter_reading_same_point` checks that a correction follows its previous version; only first
 *   reports (version 1) are written here, which it lets through anyway.
 * - Foreign keys are enforced by triggers too: they are checked here by hand instead (an unknown
 *   participant, asset or product fails the fixture). CHECK and UNIQUE constraints still apply.
 */
export async function insertFixtureReadings(
  admin: Client,
  rows: readonly FixtureReading[],
): Promise<void> {
  await admin.query('BEGIN');
  try {
    await admin.query('SET LOCAL session_replication_role = replica');
    for (const row of rows) {
      await admin.query(
        `INSERT INTO meter_reading (reading_id, version, participant_id, asset_id, product_code,
                                    delivery_start, import_wh, export_wh, submitted_by)
         VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          row.readingId,
          row.participantId,
          row.assetId ?? null,
          row.productCode,
          row.deliveryStart,
          row.importWh,
          row.exportWh ?? 0,
          row.submittedBy,
        ],
      );
    }
    const dangling = await admin.query(
      `SELECT x.reading_id FROM unnest($1::text[]) AS x (reading_id)
         JOIN meter_reading m ON m.reading_id = x.reading_id AND m.version = 1
        WHERE NOT EXISTS (SELECT 1 FROM participant p WHERE p.id = m.participant_id)
           OR NOT EXISTS (SELECT 1 FROM participant p WHERE p.id = m.submitted_by)
           OR NOT EXISTS (SELECT 1 FROM product p WHERE p.code = m.product_code)
           OR (m.asset_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM asset a WHERE a.id = m.asset_id))`,
      [rows.map((row) => row.readingId)],
    );
    if (dangling.rowCount) {
      throw new Error(`fixture readings with unknown references: ${JSON.stringify(dangling.rows)}`);
    }
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK');
    throw error;
  }
}

/** A reading of an ended interval, through every trigger as the metering system's would go. */
export interface MeterReport {
  participantId: string;
  productCode: string;
  deliveryStart: Date;
  /** Wh */
  importWh: number;
  /** Wh */
  exportWh: number;
  /** The METER participant that reports it. */
  submittedBy: string;
  /** A correction: version n + 1 of an earlier reading, with its reason. */
  correction?: { readingId: string; version: number; reason: string };
}

/** Inserts one reading (the triggers on: its interval must have ended); returns its reading id. */
export async function insertReading(db: Client, report: MeterReport): Promise<string> {
  const readingId = report.correction?.readingId ?? `r-${randomUUID()}`;
  await db.query(
    `INSERT INTO meter_reading (reading_id, version, participant_id, product_code, delivery_start,
                                import_wh, export_wh, reason, submitted_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      readingId,
      report.correction?.version ?? 1,
      report.participantId,
      report.productCode,
      report.deliveryStart,
      report.importWh,
      report.exportWh,
      report.correction?.reason ?? null,
      report.submittedBy,
    ],
  );
  return readingId;
}
