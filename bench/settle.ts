/**
 * `npm run bench:settle`: one product-interval with 10k and 100k orders in PostgreSQL; the time
 * from gate closure to the committed result (claim, load, clear, write, commit), split into
 * load / clear / write. One JSON line per size on stdout; progress on stderr.
 */
import { NestFactory } from '@nestjs/core';
import { ClearingRunner } from '@parkex/matcher/clearing/clearing-runner';
import { loadMatcherConfig } from '@parkex/matcher/config/matcher-config';
import { MatcherModule } from '@parkex/matcher/matcher.module';
import { Client } from 'pg';
import { benchDatabase } from './support/bench-database';

const SIZES = (process.env.BENCH_SETTLE_SIZES ?? '10000,100000').split(',').map(Number);
const PARTICIPANTS = 200;

async function main(): Promise<void> {
  const database = await benchDatabase('settle');
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const app = await NestFactory.createApplicationContext(
    MatcherModule.forRoot({
      ...loadMatcherConfig({ DATABASE_URL: database.url }),
      autoStart: false,
    }),
    { logger: ['error', 'warn'] },
  );
  await app.init();
  const runner = app.get(ClearingRunner);
  try {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role)
       SELECT 'bench tenant ' || g, 'PARTICIPANT' FROM generate_series(1, $1) g RETURNING id`,
      [PARTICIPANTS],
    );
    const participants = rows.map((row) => row.id);
    // Each tenant trades one side only (500 orders of up to 500 kWh in the 100k book): allow it
    // more than the default 100,000 kWh per interval and side.
    await db.query(
      `UPDATE product SET max_participant_quantity_wh = 1000000000 WHERE code = 'ELECTRICITY'`,
    );
    for (const [index, size] of SIZES.entries()) {
      const start = new Date(Date.UTC(2031, 0, 1) + index * 900_000);
      await placeBook(db, start, size, participants);
      // Bench only: close the gate now. The database refuses to move a gate, so the trigger is
      // skipped for this one statement (as the superuser, session_replication_role = replica).
      await db.query('BEGIN');
      await db.query(`SET LOCAL session_replication_role = replica`);
      await db.query(
        `UPDATE product_interval SET gate_closure_at = now() WHERE delivery_start = $1`,
        [start],
      );
      await db.query('COMMIT');
      await db.query('ANALYZE market_order');
      process.stderr.write(`settling ${size} orders…\n`);
      const began = performance.now();
      const outcome = await runner.clearNext();
      const totalMs = performance.now() - began;
      if (outcome?.kind !== 'cleared') throw new Error(`not cleared: ${JSON.stringify(outcome)}`);
      const result = outcome.result;
      process.stderr.write(
        `  ${result.status} price ${result.price} volume ${result.volumeWh} Wh, ${result.fills} fills\n`,
      );
      console.log(
        JSON.stringify({
          bench: 'settle',
          orders: size,
          totalMs: round(totalMs),
          loadMs: result.timings.loadMs,
          clearMs: result.timings.clearMs,
          writeMs: result.timings.writeMs,
          fills: result.fills,
        }),
      );
    }
  } finally {
    await app.close();
    await db.end();
    await database.close();
  }
}

/**
 * Random realistic book: prices 0.05–0.40 /kWh on a 0.0001 tick around a 0.20 centre, bids a
 * little above offers so that about half of the book trades; 1–500 kWh each.
 */
async function placeBook(
  db: Client,
  start: Date,
  size: number,
  participants: string[],
): Promise<void> {
  await db.query(
    `INSERT INTO product_interval (product_code, delivery_start, gate_closure_at)
     VALUES ('ELECTRICITY', $1, now() + interval '1 hour')`,
    [start],
  );
  await db.query(
    `INSERT INTO market_order (participant_id, client_order_id, product_code, delivery_start, side, price, quantity_wh)
     SELECT ($3::uuid[])[1 + (g % array_length($3::uuid[], 1))],
            'bench-' || $1::text || '-' || g, 'ELECTRICITY', $1::timestamptz,
            CASE WHEN g % 2 = 0 THEN 'BUY' ELSE 'SELL' END,
            round(least(0.40, greatest(0.05,
              0.20 + CASE WHEN g % 2 = 0 THEN 0.01 ELSE -0.01 END + (random()::numeric - 0.5) * 0.16)), 4),
            (1 + floor(random() * 500))::bigint * 1000
     FROM generate_series(1, $2) g`,
    [start.toISOString(), size, participants],
  );
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
