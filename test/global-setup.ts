/**
 * Once per `npm test`: selects PostgreSQL (the server of DATABASE_URL, else an embedded one under
 * .data/postgres-test), creates a fresh database for this run and applies the real migrations.
 * Specs read its URL from TEST_DATABASE_URL.
 */
// Global setup runs outside Jest's module system: resolve the @parkex/* aliases like the apps do.
import '../scripts/register.js';
import { join } from 'node:path';
import {
  createDatabaseIfMissing,
  migrate,
  PROJECT_ROOT,
  startEmbeddedPostgres,
  withDatabase,
} from '@parkex/db';
import type { TestDatabaseState } from './support/test-database';

export default async function globalSetup(): Promise<void> {
  const external = process.env.DATABASE_URL;
  const embedded = external
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: process.env.PG_TEST_DATA_DIR ?? join(PROJECT_ROOT, '.data', 'postgres-test'),
        port: Number(process.env.PG_TEST_PORT ?? 54330),
      });
  const serverUrl = external ?? embedded!.url;
  const name = `parkex_test_${Date.now()}_${process.pid}`;
  await createDatabaseIfMissing(withDatabase(serverUrl, 'postgres'), name);
  const url = withDatabase(serverUrl, name);
  await migrate(url);
  process.env.TEST_DATABASE_URL = url;
  const state: TestDatabaseState = {
    serverUrl: withDatabase(serverUrl, 'postgres'),
    name,
    stop: embedded?.stop,
  };
  (globalThis as { __parkexTestDb?: TestDatabaseState }).__parkexTestDb = state;
}
