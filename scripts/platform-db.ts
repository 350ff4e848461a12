import { join } from 'node:path';
import { PROJECT_ROOT, provideDatabase, type DatabaseHandle } from '@parkex/db';

/** DATABASE_URL when set, else the embedded PostgreSQL under .data/ (port PG_PORT, default 54329). */
export function platformDatabase(log: (line: string) => void): Promise<DatabaseHandle> {
  const port = process.env.PG_PORT ? Number(process.env.PG_PORT) : 54329;
  return provideDatabase({
    databaseUrl: process.env.DATABASE_URL || undefined,
    embeddedDataDir: process.env.PG_DATA_DIR || join(PROJECT_ROOT, '.data', 'postgres'),
    embeddedPort: port,
    embeddedDatabase: 'parkex',
    log,
  });
}
