/**
 * Once per `npm test`: selects PostgreSQL (the server of DATABASE_URL, else an embedded one under
 * .data/postgres-test on a free port, or PG_TEST_PORT), creates a fresh database for this run and
 * applies the real migrations as the administrator. The specs' API and matcher then run as a
 * login role of this run in `parkex_app`, like production: the suite passing is the proof that
 * the runtime role's grants suffice. Specs read TEST_DATABASE_URL (that role) and
 * TEST_ADMIN_DATABASE_URL (the administrator, for assertions and tampering).
 */
// Global setup runs outside Jest's module system: resolve the @parkex/* aliases like the apps do.
import '../scripts/register.js';
import { join } from 'node:path';
import type { Client } from 'pg';
import {
  createDatabaseIfMissing,
  type EmbeddedServer,
  migrate,
  PROJECT_ROOT,
  quoteIdent,
  randomPassword,
  RUNTIME_GROUP_ROLE,
  startEmbeddedPostgres,
  withClient,
  withCredentials,
  withDatabase,
} from '@parkex/db';
import { freePort } from '../scripts/support/processes';
import type { TestDatabaseState } from './support/test-database';

export default async function globalSetup(): Promise<void> {
  // an outer process (scripts/each-test-alone.ts) prepared the database for several runs
  if (process.env.TEST_DATABASE_URL && process.env.TEST_ADMIN_DATABASE_URL) return;
  const external = process.env.DATABASE_URL;
  const embedded = external ? undefined : await startTestServer();
  const serverUrl = withDatabase(external ?? embedded!.url, 'postgres');
  const name = `parkex_test_${Date.now()}_${process.pid}`;
  const role = `${name}_app`;
  const password = randomPassword();
  await createDatabaseIfMissing(serverUrl, name);
  const adminUrl = withDatabase(serverUrl, name);
  await migrate(adminUrl);
  await withClient(serverUrl, async (client) => {
    await dropLeftoverRoles(client);
    await client.query(
      `CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD ${client.escapeLiteral(password)} IN ROLE ${RUNTIME_GROUP_ROLE}`,
    );
  });
  process.env.TEST_DATABASE_URL = withCredentials(serverUrl, name, role, password);
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  const state: TestDatabaseState = { serverUrl, name, role, stop: embedded?.stop };
  (globalThis as { __parkexTestDb?: TestDatabaseState }).__parkexTestDb = state;
}

/** The embedded test server on PG_TEST_PORT, else on a free port (two checkouts may test at once). */
async function startTestServer(): Promise<EmbeddedServer> {
  const dataDir = process.env.PG_TEST_DATA_DIR ?? join(PROJECT_ROOT, '.data', 'postgres-test');
  if (process.env.PG_TEST_PORT) {
    return startEmbeddedPostgres({ dataDir, port: Number(process.env.PG_TEST_PORT) });
  }
  // a port free a moment ago may be taken before the server binds it: try another
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmbeddedPostgres({ dataDir, port: await freePort() });
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** Runtime roles of earlier runs that were killed before their teardown (their database is gone). */
async function dropLeftoverRoles(client: Client): Promise<void> {
  const { rows } = await client.query<{ role: string }>(
    `SELECT r.rolname AS role FROM pg_roles r
     WHERE r.rolname LIKE 'parkex\\_test\\_%\\_app'
       AND NOT EXISTS (SELECT FROM pg_database d WHERE d.datname = left(r.rolname, -4))`,
  );
  for (const { role } of rows) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
}
