import { join } from 'node:path';
import {
  env,
  EnvError,
  loadEnv,
  PROJECT_ROOT,
  provideDatabase,
  type DatabaseHandle,
} from '@parkex/db';

/**
 * DATABASE_URL (runtime role) and MIGRATION_DATABASE_URL (owner; defaults to DATABASE_URL) when
 * set, else the embedded PostgreSQL under .data/ (port PG_PORT, default 54329; PG_DATA_DIR; as
 * root, a folder under /var/tmp when the `postgres` user cannot reach .data/) with its own owner
 * and runtime roles. The environment is validated here, once, every problem listed.
 */
export function platformDatabase(
  log: (line: string) => void,
  notice?: (line: string) => void,
): Promise<DatabaseHandle> {
  const values = loadEnv({
    DATABASE_URL: env.postgresUrl(false),
    MIGRATION_DATABASE_URL: env.postgresUrl(false),
    PG_PORT: env.int(54329, 1, 65535),
    PG_DATA_DIR: env.string(join(PROJECT_ROOT, '.data', 'postgres')),
  });
  if (values.MIGRATION_DATABASE_URL && !values.DATABASE_URL) {
    throw new EnvError([
      'MIGRATION_DATABASE_URL: needs DATABASE_URL too (without DATABASE_URL the embedded PostgreSQL is used with its own roles)',
    ]);
  }
  return provideDatabase({
    databaseUrl: values.DATABASE_URL,
    migrationDatabaseUrl: values.MIGRATION_DATABASE_URL,
    embeddedDataDir: values.PG_DATA_DIR,
    embeddedPort: values.PG_PORT,
    embeddedDatabase: 'parkex',
    // the default folder moves when root's `postgres` user cannot reach it; a chosen one fails
    embeddedRelocate: !process.env.PG_DATA_DIR,
    log,
    notice,
  });
}
