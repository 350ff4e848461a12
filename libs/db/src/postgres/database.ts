import { Client } from 'pg';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded';

export const PROJECT_ROOT = join(__dirname, '..', '..', '..', '..');

export interface DatabaseHandle {
  /** Connection URL of the application database. */
  url: string;
  /** True when this process started an embedded PostgreSQL. */
  embedded: boolean;
  stop(): Promise<void>;
}

export interface ProvideOptions {
  /** `DATABASE_URL`; when absent an embedded PostgreSQL is started. */
  databaseUrl?: string;
  embeddedDataDir?: string;
  embeddedPort?: number;
  /** Database created on the embedded server if missing. */
  embeddedDatabase?: string;
  log?: (line: string) => void;
}

/** Selects the PostgreSQL server: `DATABASE_URL` when given, else an embedded one. */
export async function provideDatabase(options: ProvideOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, embedded: false, stop: async () => undefined };
  }
  const server: EmbeddedServer = await startEmbeddedPostgres({
    dataDir: options.embeddedDataDir ?? join(PROJECT_ROOT, '.data', 'postgres'),
    port: options.embeddedPort ?? 54329,
    log: options.log,
  });
  const name = options.embeddedDatabase ?? 'parkex';
  await createDatabaseIfMissing(server.url, name);
  return { url: withDatabase(server.url, name), embedded: true, stop: () => server.stop() };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<boolean> {
  return withClient(serverUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  });
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
