import '../scripts/register.js';
import { dropDatabase, quoteIdent, withClient } from '@parkex/db';
import type { TestDatabaseState } from './support/test-database';

/** Drops the run's database, then its runtime role (KEEP_TEST_DATABASE=1 keeps both). */
export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __parkexTestDb?: TestDatabaseState }).__parkexTestDb;
  if (!state) return;
  if (!process.env.KEEP_TEST_DATABASE) {
    await dropDatabase(state.serverUrl, state.name);
    await withClient(state.serverUrl, (client) =>
      client.query(`DROP ROLE IF EXISTS ${quoteIdent(state.role)}`),
    );
  }
  await state.stop?.();
  // a later run in this process (jest --watch) sets up a database of its own
  delete (globalThis as { __parkexTestDb?: TestDatabaseState }).__parkexTestDb;
  delete process.env.TEST_DATABASE_URL;
  delete process.env.TEST_ADMIN_DATABASE_URL;
}
