import { Client } from 'pg';

export interface TestDatabaseState {
  serverUrl: string;
  name: string;
  stop?: () => Promise<void>;
}

/** The migrated database of this test run (created by the global setup). */
export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the specs through jest (npm test)');
  return url;
}

/** A plain pg client on the test database, for assertions and for tampering like a superuser. */
export async function connectTestDatabase(): Promise<Client> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  return client;
}
