import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  DEFAULT_DB_CONNECTION,
  pgConnectionOptions,
  withoutStatementTimeout,
  type DbConnectionSettings,
} from './connection-settings';
import { MIGRATIONS } from './migrations';
import { ApiKeyEntity } from './entities/api-key.entity';
import { ParticipantEntity } from './entities/participant.entity';
import { ProductEntity } from './entities/product.entity';

/**
 * The TypeORM entities: the configuration tables, which the API edits row by row. Every other
 * table is read and written with SQL through the pool (`pgPool`); see CONTRIBUTING.md.
 */
export const ENTITIES = [ParticipantEntity, ApiKeyEntity, ProductEntity];

/**
 * The one DataSource definition both apps, the migration command and the tests use. Every pool
 * connection gets the `connection` settings: TCP keepalives on both ends, a connect timeout (also
 * the longest wait for a free pool connection), and the session's default statement and
 * idle-in-transaction timeouts.
 */
export function createDataSource(
  url: string,
  options: { poolSize?: number; name?: string; connection?: DbConnectionSettings } = {},
): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // The schema needs no extension (gen_random_uuid is built in), and the runtime role may not
    // create one: TypeORM would try `CREATE EXTENSION "uuid-ossp"` at every start otherwise.
    installExtensions: false,
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.name ?? 'parkex',
      ...pgConnectionOptions(options.connection ?? DEFAULT_DB_CONNECTION),
    },
  });
}

/**
 * Arbitrary constant: the advisory lock that serialises migration runs of several replicas.
 * Keys in use: 7_305_001 migrations, 7_305_002 operator bootstrap, 7_305_003 ledger,
 * 7_305_004 audit sealer; two-key class 730_510 order submissions.
 */
const MIGRATION_LOCK = 7_305_001;

/**
 * Applies every pending migration (one replica at a time); returns the names applied. Its sessions
 * have no statement timeout: waiting for another replica's migrations, or a long index build, is
 * legitimate; they keep the keepalives, the connect and the idle-in-transaction timeouts.
 */
export async function migrate(
  url: string,
  settings: DbConnectionSettings = DEFAULT_DB_CONNECTION,
): Promise<string[]> {
  const connection = withoutStatementTimeout(settings);
  const lock = new Client({
    connectionString: url,
    application_name: 'parkex-migrate-lock',
    ...pgConnectionOptions(connection),
  });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const dataSource = createDataSource(url, { poolSize: 1, name: 'parkex-migrate', connection });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.end();
  }
}
