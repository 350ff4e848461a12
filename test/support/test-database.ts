import { Client } from 'pg';

export interface TestDatabaseState {
  /** The server's maintenance database, as the administrator. */
  serverUrl: string;
  name: string;
  /** This run's runtime login role (member of parkex_app). */
  role: string;
  stop?: () => Promise<void>;
}

/** The migrated database of this test run, as its runtime role: what the API and matcher use. */
export function testDatabaseUrl(): string {
  return fromEnv('TEST_DATABASE_URL');
}

/** The same database as the administrator who migrated it (a superuser). */
export function testAdminDatabaseUrl(): string {
  return fromEnv('TEST_ADMIN_DATABASE_URL');
}

/**
 * The database settings of an API or matcher process of this run (`startAppProcess`): it runs as
 * the runtime role and migrates (nothing left to do) as the administrator, as in production.
 */
export function appDatabaseEnv(): Record<string, string> {
  return { DATABASE_URL: testDatabaseUrl(), MIGRATION_DATABASE_URL: testAdminDatabaseUrl() };
}

/** A plain pg client on the test database, for assertions and for tampering like a superuser. */
export async function connectTestDatabase(): Promise<Client> {
  const client = new Client({ connectionString: testAdminDatabaseUrl() });
  await client.connect();
  return client;
}

/** A plain pg client as the runtime role, for showing what it may not do. */
export async function connectAsRuntimeRole(): Promise<Client> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  return client;
}

function fromEnv(name: string): string {
  const url = process.env[name];
  if (!url) throw new Error(`${name} is not set: run the specs through jest (npm test)`);
  return url;
}
