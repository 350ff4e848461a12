import { Injectable } from '@nestjs/common';
import {
  type ImbalanceLine,
  type ImbalanceParty,
  type ImbalancePrices,
  type ImbalanceRevision,
} from '@parkex/market';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { ImbalanceReadLine } from './imbalance-read.repository';
import { beginTransaction, pgPool, rollbackQuietly, withPoolClient } from '../pg-pool';
import {
  appendJournal,
  ClearingRepository,
  copyRows,
  ledgerAccounts,
  type JournalToAppend,
  type LedgerAccounts,
} from './clearing.repository';

/** One product-interval claimed for its next imbalance revision. */
export interface ImbalanceClaim {
  productCode: string;
  deliveryStart: Date;
  /** Meter readings of the interval so far (each version counts): what this revision settles. */
  readings: number;
  /** The revision this claim writes: 0 for the first settlement. */
  revision: number;
}

/** What the settlement of a claim reads (under the claim's lock). */
export interface ImbalanceInputs {
  /** Every participant with a position or a reading, in participant id order. */
  parties: ImbalanceParty[];
  /** The interval's clearing price, null when it did not clear with a price. */
  clearingPrice: string | null;
  /** The product's tariffs now (revision 0 freezes them). */
  importTariff: string;
  feedInTariff: string;
  /** Revision 0's prices on later revisions; null on revision 0. */
  frozen: ImbalancePrices | null;
  /** Every line of the earlier revisions, in revision and line order. */
  earlier: ImbalanceLine[];
}

export interface ImbalanceWrite {
  prices: ImbalancePrices;
  revision: ImbalanceRevision;
  inputHash: string;
  resultHash: string;
  matcherId: string;
  /** Absent when the revision moves no energy and no money. */
  journal?: JournalToAppend;
}

export type ImbalanceStep = 'after-claim' | 'ledger-locked' | 'after-write';

export interface ImbalanceClaimOptions {
  matcherId: string;
  claimTimeoutMs: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  /** Only these products' intervals; all when absent. */
  products?: readonly string[];
  /** Product-intervals this replica leaves alone for now (a settlement of theirs failed). */
  skip?: readonly { productCode: string; deliveryStart: Date }[];
  onStep?: (step: ImbalanceStep, claim: ImbalanceClaim) => Promise<void>;
}

/**
 * The product-interval due for its next revision with the earliest due time: its metering window
 * has closed (`due_at`), it has readings no revision has seen (or none settled yet), and its own
 * clearing is over. The row lock is the claim: a replica that finds it locked skips it, a meter
 * reading arriving meanwhile waits for the commit (its trigger counts it on this row).
 */
const CLAIM = `
  SELECT i.product_code, i.delivery_start, i.readings, i.revision + 1 AS next_revision
    FROM imbalance_interval i
   WHERE i.due_at <= now() AND i.readings > i.settled_readings
     AND ($1::text[] IS NULL OR i.product_code = ANY ($1))
     AND NOT EXISTS (SELECT 1 FROM product_interval p
                      WHERE p.product_code = i.product_code AND p.delivery_start = i.delivery_start
                        AND p.state IN ('OPEN', 'RETRYING'))
     AND (i.product_code, i.delivery_start) NOT IN (
           SELECT * FROM unnest($2::text[], $3::timestamptz[]))
   ORDER BY i.due_at, i.product_code
   LIMIT 1
   FOR NO KEY UPDATE OF i SKIP LOCKED`;

/** Positions and latest readings of one product-interval, one row per participant. */
const PARTIES = `
  SELECT coalesce(p.participant_id, m.participant_id)::text AS participant_id,
         coalesce(p.bought_wh, 0)::text AS bought_wh, coalesce(p.sold_wh, 0)::text AS sold_wh,
         m.import_wh::text AS import_wh, m.export_wh::text AS export_wh
    FROM (SELECT * FROM imbalance_position WHERE product_code = $1 AND delivery_start = $2) p
    FULL JOIN (SELECT * FROM meter_interval_total WHERE product_code = $1 AND delivery_start = $2) m
      ON m.participant_id = p.participant_id
   ORDER BY 1`;

const PRICES = `
  SELECT (SELECT r.price::text FROM clearing_result r
           WHERE r.product_code = $1 AND r.delivery_start = $2) AS clearing_price,
         p.import_tariff::text AS import_tariff, p.feed_in_tariff::text AS feed_in_tariff
    FROM product p WHERE p.code = $1`;

const FROZEN = `
  SELECT clearing_price::text AS clearing_price, import_tariff::text AS import_tariff,
         feed_in_tariff::text AS feed_in_tariff, shortfall_price::text AS shortfall_price,
         surplus_price::text AS surplus_price
    FROM imbalance_settlement WHERE product_code = $1 AND delivery_start = $2 AND revision = 0`;

const EARLIER_LINES = `
  SELECT line, kind, participant_id::text AS participant_id, position_wh::text AS position_wh,
         metered_import_wh::text AS metered_import_wh, metered_export_wh::text AS metered_export_wh,
         estimated, imbalance_wh::text AS imbalance_wh, price::text AS price,
         amount_minor::text AS amount_minor
    FROM imbalance_line WHERE product_code = $1 AND delivery_start = $2
   ORDER BY revision, line`;

const INSERT_SETTLEMENT = `
  INSERT INTO imbalance_settlement (product_code, delivery_start, revision, clearing_price,
      import_tariff, feed_in_tariff, shortfall_price, surplus_price, readings, estimated,
      shortfall_wh, surplus_wh, amount_minor, input_hash, result_hash, matcher_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`;

const COPY_LINES = `COPY imbalance_line (product_code, delivery_start, revision, line, kind,
  participant_id, position_wh, metered_import_wh, metered_export_wh, estimated, imbalance_wh,
  price, amount_minor) FROM STDIN`;

const INSERT_JOURNAL = `
  INSERT INTO journal (imbalance_product, delivery_start, imbalance_revision, entry_count,
      debit_minor, prev_hash, hash, hash_version)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`;

const MARK_SETTLED = `
  UPDATE imbalance_interval SET settled_readings = $3, revision = $4
   WHERE product_code = $1 AND delivery_start = $2`;

/** A stored line as the settlement reads its earlier revisions. */
type LineRow = Omit<
  ImbalanceReadLine,
  'product_code' | 'delivery_start' | 'revision' | 'participant_name'
>;

/** The matcher's transaction on one claimed product-interval: read its inputs, write a revision. */
export class ImbalanceSession {
  constructor(
    private readonly client: PoolClient,
    readonly claim: ImbalanceClaim,
    private readonly context: {
      lockTimeoutMs: number;
      onStep?: ImbalanceClaimOptions['onStep'];
      endStuckLedgerHolder(): Promise<number | null>;
    },
  ) {}

  async inputs(): Promise<ImbalanceInputs> {
    const key = [this.claim.productCode, this.claim.deliveryStart];
    const parties = await this.client.query<{
      participant_id: string;
      bought_wh: string;
      sold_wh: string;
      import_wh: string | null;
      export_wh: string | null;
    }>(PARTIES, key);
    const prices = await this.client.query<{
      clearing_price: string | null;
      import_tariff: string;
      feed_in_tariff: string;
    }>(PRICES, key);
    const frozen = await this.client.query<{
      clearing_price: string | null;
      import_tariff: string;
      feed_in_tariff: string;
      shortfall_price: string;
      surplus_price: string;
    }>(FROZEN, key);
    const earlier = await this.client.query<LineRow>(EARLIER_LINES, key);
    const f = frozen.rows[0];
    return {
      parties: parties.rows.map((r) => ({
        participantId: r.participant_id,
        boughtWh: BigInt(r.bought_wh),
        soldWh: BigInt(r.sold_wh),
        meteredImportWh: r.import_wh === null ? null : BigInt(r.import_wh),
        meteredExportWh: r.export_wh === null ? null : BigInt(r.export_wh),
      })),
      clearingPrice: prices.rows[0].clearing_price,
      importTariff: prices.rows[0].import_tariff,
      feedInTariff: prices.rows[0].feed_in_tariff,
      frozen: f
        ? {
            clearingPrice: f.clearing_price,
            importTariff: f.import_tariff,
            feedInTariff: f.feed_in_tariff,
            shortfallPrice: f.shortfall_price,
            surplusPrice: f.surplus_price,
          }
        : null,
      earlier: earlier.rows.map(toImbalanceLine),
    };
  }

  accounts(participantIds: readonly string[]): Promise<LedgerAccounts> {
    return ledgerAccounts(this.client, participantIds);
  }

  /** The revision, its lines and journal; the interval marked settled up to the claim's readings. */
  async write(data: ImbalanceWrite): Promise<void> {
    const { productCode, deliveryStart, readings, revision: number } = this.claim;
    const { prices, revision } = data;
    await this.client.query(INSERT_SETTLEMENT, [
      productCode,
      deliveryStart,
      number,
      prices.clearingPrice,
      prices.importTariff,
      prices.feedInTariff,
      prices.shortfallPrice,
      prices.surplusPrice,
      revision.readings,
      revision.estimated,
      revision.shortfallWh.toString(),
      revision.surplusWh.toString(),
      revision.amountMinor.toString(),
      data.inputHash,
      data.resultHash,
      data.matcherId.slice(0, 200),
    ]);
    const keyText = `${productCode}\t${deliveryStart.toISOString()}\t${number}`;
    const nullable = (value: bigint | null) => (value === null ? '\\N' : value.toString());
    const lines = revision.lines;
    await copyRows(this.client, COPY_LINES, lines.length, (i) => {
      const l = lines[i];
      return `${keyText}\t${l.line}\t${l.kind}\t${l.participantId}\t${l.positionWh}\t${nullable(l.meteredImportWh)}\t${nullable(l.meteredExportWh)}\t${l.estimated}\t${l.imbalanceWh}\t${l.price}\t${l.amountMinor}\n`;
    });
    if (data.journal) await this.writeJournal(data.journal);
    await this.client.query(MARK_SETTLED, [productCode, deliveryStart, readings, number]);
  }

  /** Nothing changed since the last revision: the readings are seen, no revision is written. */
  async markSeen(): Promise<void> {
    const { productCode, deliveryStart, readings, revision } = this.claim;
    await this.client.query(MARK_SETTLED, [productCode, deliveryStart, readings, revision - 1]);
  }

  private async writeJournal(journal: JournalToAppend): Promise<void> {
    const { productCode, deliveryStart, revision } = this.claim;
    await appendJournal(
      this.client,
      {
        lockTimeoutMs: this.context.lockTimeoutMs,
        endStuckLedgerHolder: () => this.context.endStuckLedgerHolder(),
        onLocked: async () => this.context.onStep?.('ledger-locked', this.claim),
      },
      { sql: INSERT_JOURNAL, key: [productCode, deliveryStart, revision] },
      journal,
    );
  }
}

export function toImbalanceLine(row: LineRow): ImbalanceLine {
  return {
    line: row.line,
    kind: row.kind,
    participantId: row.participant_id,
    positionWh: BigInt(row.position_wh),
    meteredImportWh: row.metered_import_wh === null ? null : BigInt(row.metered_import_wh),
    meteredExportWh: row.metered_export_wh === null ? null : BigInt(row.metered_export_wh),
    estimated: row.estimated,
    imbalanceWh: BigInt(row.imbalance_wh),
    price: row.price,
    amountMinor: BigInt(row.amount_minor),
  };
}

/**
 * The matcher's side of imbalance settlement: claims the next due product-interval exactly once
 * (a row lock held by the settlement transaction; a dead matcher's claim ends with its session),
 * runs `work` and commits. A revision is all or nothing: a crash before the commit leaves the
 * interval due, and the next claim (any replica) writes the same revision.
 */
@Injectable()
export class ImbalanceRepository {
  private readonly pool: Pool;

  constructor(
    db: DataSource,
    private readonly clearings: ClearingRepository,
  ) {
    this.pool = pgPool(db);
  }

  /** Null when nothing is due; else what `work` returned, committed. */
  settleNextDue<T>(
    options: ImbalanceClaimOptions,
    work: (session: ImbalanceSession) => Promise<T>,
  ): Promise<{ claim: ImbalanceClaim; value: T } | null> {
    return withPoolClient(this.pool, async (client) => {
      await beginTransaction(client, {
        isolation: 'READ COMMITTED',
        idleInTransactionTimeoutMs: options.claimTimeoutMs,
        statementTimeoutMs: options.statementTimeoutMs,
        applicationName: options.matcherId,
      });
      try {
        const skip = options.skip ?? [];
        const { rows } = await client.query<{
          product_code: string;
          delivery_start: Date;
          readings: number;
          next_revision: number;
        }>(CLAIM, [
          options.products ?? null,
          skip.map((k) => k.productCode),
          skip.map((k) => k.deliveryStart),
        ]);
        if (!rows.length) {
          await client.query('ROLLBACK');
          return null;
        }
        const claim: ImbalanceClaim = {
          productCode: rows[0].product_code,
          deliveryStart: rows[0].delivery_start,
          readings: rows[0].readings,
          revision: rows[0].next_revision,
        };
        await options.onStep?.('after-claim', claim);
        const value = await work(
          new ImbalanceSession(client, claim, {
            lockTimeoutMs: options.lockTimeoutMs,
            onStep: options.onStep,
            endStuckLedgerHolder: () =>
              this.clearings.endStuckLedgerHolder(options.statementTimeoutMs),
          }),
        );
        await options.onStep?.('after-write', claim);
        await client.query('COMMIT');
        return { claim, value };
      } catch (error) {
        await rollbackQuietly(client);
        throw error;
      }
    });
  }
}
