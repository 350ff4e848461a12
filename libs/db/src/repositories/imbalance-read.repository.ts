import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool, transaction } from '../pg-pool';

/**
 * A participant's traded and metered energy in one product-interval: its row of
 * `imbalance_position` and of `meter_interval_total`, either of which may be missing (int8 as text).
 */
export interface ImbalanceReadPosition {
  participant_id: string;
  delivery_start: Date;
  bought_wh: string;
  sold_wh: string;
  /** Null (with `export_wh`): no reading. */
  import_wh: string | null;
  export_wh: string | null;
}

/** One stored revision of an imbalance settlement, with its journal (numeric and int8 as text). */
export interface ImbalanceReadSettlement {
  product_code: string;
  delivery_start: Date;
  revision: number;
  clearing_price: string | null;
  import_tariff: string;
  feed_in_tariff: string;
  shortfall_price: string;
  surplus_price: string;
  readings: number;
  estimated: number;
  shortfall_wh: string;
  surplus_wh: string;
  amount_minor: string;
  input_hash: string;
  result_hash: string;
  settled_at: Date;
  journal_id: string | null;
}

/** One stored imbalance line with its participant's name (numeric and int8 as text). */
export interface ImbalanceReadLine {
  product_code: string;
  delivery_start: Date;
  revision: number;
  line: number;
  kind: 'NEW' | 'REVERSAL';
  participant_id: string;
  participant_name: string;
  position_wh: string;
  metered_import_wh: string | null;
  metered_export_wh: string | null;
  estimated: boolean;
  imbalance_wh: string;
  price: string;
  amount_minor: string;
}

/** A settlement revision and its lines (all of them, or one participant's). */
export interface ImbalanceReadSettlementWithLines extends ImbalanceReadSettlement {
  lines: ImbalanceReadLine[];
}

/** The claim row of one product-interval (`imbalance_interval`). */
export interface ImbalanceReadInterval {
  readings: number;
  settled_readings: number;
  revision: number;
}

type PositionTotal = ImbalanceVerificationRows['positions'][number];
type ReadingTotal = ImbalanceVerificationRows['readings'][number];

/** Everything `verifyImbalance` needs of one product-interval, read in one snapshot. */
export interface ImbalanceVerificationRows {
  interval: ImbalanceReadInterval | null;
  /** The interval's stored clearing price; null when not cleared or cleared without a price. */
  clearingPrice: string | null;
  settlements: ImbalanceReadSettlementWithLines[];
  positions: { participant_id: string; bought_wh: string; sold_wh: string }[];
  readings: { participant_id: string; import_wh: string; export_wh: string }[];
}

const POSITIONS = `
  SELECT coalesce(p.participant_id, m.participant_id)::text AS participant_id,
         coalesce(p.delivery_start, m.delivery_start) AS delivery_start,
         coalesce(p.bought_wh, 0)::text AS bought_wh, coalesce(p.sold_wh, 0)::text AS sold_wh,
         m.import_wh::text AS import_wh, m.export_wh::text AS export_wh
    FROM (SELECT participant_id, delivery_start, bought_wh, sold_wh
            FROM imbalance_position
           WHERE product_code = $1 AND delivery_start >= $2 AND delivery_start < $3
             AND ($4::uuid IS NULL OR participant_id = $4)) p
    FULL OUTER JOIN (
          SELECT participant_id, delivery_start, import_wh, export_wh
            FROM meter_interval_total
           WHERE product_code = $1 AND delivery_start >= $2 AND delivery_start < $3
             AND ($4::uuid IS NULL OR participant_id = $4)) m
      ON m.participant_id = p.participant_id AND m.delivery_start = p.delivery_start
   ORDER BY 2, 1
   LIMIT $5`;

const SETTLEMENT_COLUMNS = `
  s.product_code, s.delivery_start, s.revision, s.clearing_price::text AS clearing_price,
  s.import_tariff::text AS import_tariff, s.feed_in_tariff::text AS feed_in_tariff,
  s.shortfall_price::text AS shortfall_price, s.surplus_price::text AS surplus_price,
  s.readings, s.estimated, s.shortfall_wh::text AS shortfall_wh,
  s.surplus_wh::text AS surplus_wh, s.amount_minor::text AS amount_minor, s.input_hash,
  s.result_hash, s.settled_at, j.id::text AS journal_id`;

const SETTLEMENT_JOURNAL = `
  LEFT JOIN journal j
    ON j.imbalance_product = s.product_code AND j.delivery_start = s.delivery_start
   AND j.imbalance_revision = s.revision`;

const SETTLEMENTS = `
  SELECT ${SETTLEMENT_COLUMNS}
    FROM imbalance_settlement s ${SETTLEMENT_JOURNAL}
   WHERE ($1::text IS NULL OR s.product_code = $1)
     AND s.delivery_start >= $2 AND s.delivery_start < $3
     AND ($4::uuid IS NULL OR EXISTS (
           SELECT 1 FROM imbalance_line l
            WHERE l.product_code = s.product_code AND l.delivery_start = s.delivery_start
              AND l.revision = s.revision AND l.participant_id = $4))
   ORDER BY s.delivery_start, s.product_code, s.revision
   LIMIT $5`;

const LINE_COLUMNS = `
  l.product_code, l.delivery_start, l.revision, l.line, l.kind,
  l.participant_id::text AS participant_id, p.name AS participant_name,
  l.position_wh::text AS position_wh, l.metered_import_wh::text AS metered_import_wh,
  l.metered_export_wh::text AS metered_export_wh, l.estimated,
  l.imbalance_wh::text AS imbalance_wh, l.price::text AS price,
  l.amount_minor::text AS amount_minor`;

const LINES_OF = `
  SELECT ${LINE_COLUMNS}
    FROM unnest($1::text[], $2::timestamptz[], $3::int[]) AS k (product_code, delivery_start, revision)
    JOIN imbalance_line l USING (product_code, delivery_start, revision)
    JOIN participant p ON p.id = l.participant_id
   WHERE $4::uuid IS NULL OR l.participant_id = $4
   ORDER BY l.delivery_start, l.product_code, l.revision, l.line`;

const INTERVAL = `
  SELECT readings, settled_readings, revision FROM imbalance_interval
   WHERE product_code = $1 AND delivery_start = $2`;

const CLEARING_PRICE = `
  SELECT price::text AS price FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`;

const INTERVAL_SETTLEMENTS = `
  SELECT ${SETTLEMENT_COLUMNS}
    FROM imbalance_settlement s ${SETTLEMENT_JOURNAL}
   WHERE s.product_code = $1 AND s.delivery_start = $2
   ORDER BY s.revision`;

const INTERVAL_POSITIONS = `
  SELECT participant_id::text AS participant_id, bought_wh::text AS bought_wh,
         sold_wh::text AS sold_wh
    FROM imbalance_position WHERE product_code = $1 AND delivery_start = $2`;

const INTERVAL_READINGS = `
  SELECT participant_id::text AS participant_id, import_wh::text AS import_wh,
         export_wh::text AS export_wh
    FROM meter_interval_total WHERE product_code = $1 AND delivery_start = $2`;

/**
 * Reads of imbalance settlement for the API: positions against readings, the stored revisions and
 * their lines, and what an auditor's verification needs. Writes belong to the matcher.
 */
@Injectable()
export class ImbalanceReadRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /**
   * Positions and latest readings of the product's intervals starting in [from, to) (one
   * participant's, or everyone's), by delivery start and participant: every participant-interval
   * with a position or a reading. At most `limit` rows.
   */
  positions(
    productCode: string,
    from: Date,
    to: Date,
    participantId: string | null,
    limit: number,
  ): Promise<ImbalanceReadPosition[]> {
    return this.snapshot(
      async (client) =>
        (
          await client.query<ImbalanceReadPosition>(POSITIONS, [
            productCode,
            from,
            to,
            participantId,
            limit,
          ])
        ).rows,
    );
  }

  /**
   * The settlement revisions of intervals starting in [from, to) (of one product or every one),
   * by delivery start, product and revision, at most `limit`; with `participantId`, only the
   * revisions with a line of that participant, and only its lines.
   */
  settlements(
    productCode: string | null,
    from: Date,
    to: Date,
    participantId: string | null,
    limit: number,
  ): Promise<ImbalanceReadSettlementWithLines[]> {
    return this.snapshot(async (client) => {
      const { rows } = await client.query<ImbalanceReadSettlement>(SETTLEMENTS, [
        productCode,
        from,
        to,
        participantId,
        limit,
      ]);
      return withLines(client, rows, participantId);
    });
  }

  /** One product-interval's stored settlement and what it is checked against, in one snapshot. */
  verificationInputs(productCode: string, deliveryStart: Date): Promise<ImbalanceVerificationRows> {
    return this.snapshot(async (client) => {
      const key = [productCode, deliveryStart];
      const interval = (await client.query<ImbalanceReadInterval>(INTERVAL, key)).rows[0] ?? null;
      const price = (await client.query<{ price: string | null }>(CLEARING_PRICE, key)).rows[0];
      const headers = (await client.query<ImbalanceReadSettlement>(INTERVAL_SETTLEMENTS, key)).rows;
      return {
        interval,
        clearingPrice: price?.price ?? null,
        settlements: await withLines(client, headers, null),
        positions: (await client.query<PositionTotal>(INTERVAL_POSITIONS, key)).rows,
        readings: (await client.query<ReadingTotal>(INTERVAL_READINGS, key)).rows,
      };
    });
  }

  /** One REPEATABLE READ, read-only snapshot: the reads agree with each other. */
  private snapshot<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return transaction(this.pool, { isolation: 'REPEATABLE READ', readOnly: true }, work);
  }
}

async function withLines(
  client: PoolClient,
  headers: ImbalanceReadSettlement[],
  participantId: string | null,
): Promise<ImbalanceReadSettlementWithLines[]> {
  if (headers.length === 0) return [];
  const { rows } = await client.query<ImbalanceReadLine>(LINES_OF, [
    headers.map((h) => h.product_code),
    headers.map((h) => h.delivery_start),
    headers.map((h) => h.revision),
    participantId,
  ]);
  const key = (r: { product_code: string; delivery_start: Date; revision: number }) =>
    `${r.product_code}|${r.delivery_start.getTime()}|${r.revision}`;
  const byKey = new Map<string, ImbalanceReadLine[]>();
  for (const line of rows) {
    const list = byKey.get(key(line));
    if (list) list.push(line);
    else byKey.set(key(line), [line]);
  }
  return headers.map((h) => ({ ...h, lines: byKey.get(key(h)) ?? [] }));
}
