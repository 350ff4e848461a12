/**
 * The integrated auction inside the matcher: `npm run bench:auction-matcher`.
 *
 * Stores the auction of `bench/auction.ts` (96 intervals, 40,000 steps, 200 blocks, 15
 * conversions, 7 storages) as orders of an auction in a fresh database, closes its gate and lets
 * the real matcher module clear it (claim, load, clear with HiGHS, write result, prices, awards,
 * order outcomes and journal, commit). Prints one JSON line:
 *   {"bench":"auction-matcher","orders","awardLines","loadMs","clearMs","writeMs","totalMs"}
 * loadMs: reading the book and accounts; clearMs: `clearAuction` and the hashes; writeMs: every
 * row and the journal up to the COMMIT; totalMs: claim to commit.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { storedOrderTerms } from '@parkex/db';
import { AuctionRunner } from '@parkex/matcher/auction/auction-runner';
import { loadMatcherConfig } from '@parkex/matcher/config/matcher-config';
import { MatcherModule } from '@parkex/matcher/matcher.module';
import { Client } from 'pg';
import { buildAuction } from './auction';
import { benchDatabase } from './support/bench-database';

const SERIES = 'BENCH_DA';

async function main(): Promise<void> {
  const database = await benchDatabase('auction');
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    const auction = buildAuction();
    const start = new Date(Math.ceil(Date.now() / 86_400_000 + 2) * 86_400_000);
    await db.query(
      `INSERT INTO auction_series (code, name, interval_seconds, intervals, gate_closure_seconds,
                                   price_tick, min_price, max_price, k, carriers)
       VALUES ($1, 'bench', 900, 96, 0, 0.0001, -0.5, 4, 0.5,
               '[{"carrier": "ELECTRICITY", "fee": "0.015",
                  "grid": {"importLimitWh": "2000000", "importPrice": "0.3",
                           "exportLimitWh": "2000000", "exportPrice": "0.05"}},
                 {"carrier": "HEAT", "fee": "0.005", "grid": null}]')`,
      [SERIES],
    );
    await db.query(
      `INSERT INTO auction (series_code, delivery_start, gate_closure_at, interval_seconds,
                            intervals, price_tick, min_price, max_price, k, carriers)
       VALUES ($1, $2, $2, 0, 0, 0, 0, 0, 0, '[]')`,
      [SERIES, start],
    );
    const names = [...new Set(auction.orders.map((o) => o.participant))];
    const ids = new Map<string, string>();
    for (const name of names) {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO participant (name, role) VALUES ($1, 'PARTICIPANT') RETURNING id`,
        [`bench ${name} ${start.getTime()}`],
      );
      ids.set(name, rows[0].id);
    }
    for (let i = 0; i < auction.orders.length; i += 10_000) {
      const chunk = auction.orders.slice(i, i + 10_000);
      await db.query(
        `INSERT INTO auction_order (participant_id, client_order_id, series_code, delivery_start, kind, terms)
         SELECT p, c, $1, $2, k, t FROM unnest($3::uuid[], $4::text[], $5::text[], $6::jsonb[])
           WITH ORDINALITY AS x(p, c, k, t, n) ORDER BY n`,
        [
          SERIES,
          start,
          chunk.map((o) => ids.get(o.participant)),
          chunk.map((o) => o.id),
          chunk.map((o) => o.kind),
          chunk.map((o) => JSON.stringify(storedOrderTerms(o))),
        ],
      );
    }
    await db.query('BEGIN');
    await db.query('SET LOCAL session_replication_role = replica');
    await db.query(`UPDATE auction SET gate_closure_at = now() WHERE series_code = $1`, [SERIES]);
    await db.query('COMMIT');

    const app = await NestFactory.createApplicationContext(
      MatcherModule.forRoot({
        ...loadMatcherConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'warn' }),
        autoStart: false,
        series: [SERIES],
        clearsAuctions: true,
        products: [],
        statementTimeoutMs: 600_000,
        claimTimeoutMs: 600_000,
      }),
      { logger: ['error', 'warn'] },
    );
    try {
      const outcome = await app.get(AuctionRunner).clearNext();
      if (outcome?.kind !== 'cleared') throw new Error(`not cleared: ${JSON.stringify(outcome)}`);
      const r = outcome.result;
      console.log(
        JSON.stringify({
          bench: 'auction-matcher',
          orders: r.orders,
          awardLines: r.awards,
          ...r.timings,
        }),
      );
    } finally {
      await app.close();
    }
  } finally {
    await db.end();
    await database.close();
  }
}

void main();
