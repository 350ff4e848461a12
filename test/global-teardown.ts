import '../scripts/register.js';
import { dropDatabase } from '@parkex/db';
import type { TestDatabaseState } from './support/test-database';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __parkexTestDb?: TestDatabaseState }).__parkexTestDb;
  if (!state) return;
  if (!process.env.KEEP_TEST_DATABASE) await dropDatabase(state.serverUrl, state.name);
  await state.stop?.();
}
