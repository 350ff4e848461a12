import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  createDatabaseIfMissing,
  dropDatabase,
  migrate,
  PROJECT_ROOT,
  startEmbeddedPostgres,
  withDatabase,
} from '@parkex/db';

export interface BenchDatabase {
  url: string;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database for one benchmark run: on the server of DATABASE_URL when set,
 * else on an embedded PostgreSQL of its own (port PG_BENCH_PORT, default 54332). Dropped after.
 */
export async function benchDatabase(tag: string): Promise<BenchDatabase> {
  const embedded = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: join(PROJECT_ROOT, '.data', `postgres-bench-${tag}`),
        port: Number(process.env.PG_BENCH_PORT ?? 54332),
      });
  const server = withDatabase(process.env.DATABASE_URL ?? embedded!.url, 'postgres');
  const name = `parkex_bench_${tag}_${randomBytes(4).toString('hex')}`;
  await createDatabaseIfMissing(server, name);
  const url = withDatabase(server, name);
  await migrate(url);
  return {
    url,
    close: async () => {
      await dropDatabase(server, name);
      await embedded?.stop();
    },
  };
}
