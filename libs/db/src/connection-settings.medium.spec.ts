import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { testDatabaseUrl } from '@parkex/test-support/test-database';
import { databaseEnv, env, EnvError, loadEnv } from './config/env';
import {
  DEFAULT_DB_CONNECTION,
  dbConnectionEnv,
  dbConnectionSettings,
  KEEPALIVE_IDLE_MS,
  pgConnectionOptions,
  type DbConnectionSettings,
} from './connection-settings';
import { createDataSource } from './data-source';
import { ExportRepository } from './repositories/export.repository';

const settings: DbConnectionSettings = {
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 300,
  idleInTransactionTimeoutMs: 400,
  longReadTimeoutMs: 0,
};

/** Keepalives and timeouts of pool and stand-alone connections, on the run's real PostgreSQL. */
describe('connection settings', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await createDataSource(testDatabaseUrl(), {
      poolSize: 1,
      name: 'parkex-connection-spec',
      connection: settings,
    }).initialize();
  });
  afterAll(() => dataSource.destroy());

  it('sets keepalive and a connect timeout on the pool, and the session defaults on the server', async () => {
    const pool = (dataSource.driver as unknown as { master: { options: Record<string, unknown> } })
      .master;
    expect(pool.options).toMatchObject({
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
      connectionTimeoutMillis: 5_000,
    });
    const [row] = await dataSource.query<Record<string, string>[]>(
      `SELECT current_setting('statement_timeout') AS statement,
              current_setting('idle_in_transaction_session_timeout') AS idle,
              current_setting('tcp_keepalives_idle') AS keepalive_idle,
              current_setting('tcp_keepalives_count') AS keepalive_count`,
    );
    expect(row).toEqual({
      statement: '300ms',
      idle: '400ms',
      keepalive_idle: '10',
      keepalive_count: '3',
    });
  });

  it('refuses a statement that runs past the statement timeout, and the pool goes on', async () => {
    await expect(dataSource.query('SELECT pg_sleep(5)')).rejects.toMatchObject({
      code: '57014',
      message: expect.stringMatching(/statement timeout/),
    });
    await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('ends a session left idle in its transaction past the bound', async () => {
    const client = new Client({
      connectionString: testDatabaseUrl(),
      ...pgConnectionOptions(settings),
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('BEGIN');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await expect(client.query('SELECT 1')).rejects.toThrow(
        /idle-in-transaction|terminat|Connection/i,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  it('gives an export cursor the long-read timeout and hands its connection back with the default', async () => {
    const exports = new ExportRepository(dataSource, { ...settings, longReadTimeoutMs: 0 });
    const rows = await exports.fills({ from: new Date(0), to: new Date(1) });
    for await (const row of rows) expect(row).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [row] = await dataSource.query<{ statement: string }[]>(
      `SELECT current_setting('statement_timeout') AS statement`,
    );
    expect(row.statement).toBe('300ms');
  });

  it('reads the DB_* variables, listing bad ones with the app’s own', () => {
    const read = (source: NodeJS.ProcessEnv) =>
      dbConnectionSettings(loadEnv({ ...dbConnectionEnv() }, source));
    expect(read({})).toEqual(DEFAULT_DB_CONNECTION);
    expect(
      read({ DB_STATEMENT_TIMEOUT_MS: '0', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '120000' }),
    ).toMatchObject({ statementTimeoutMs: 0, idleInTransactionTimeoutMs: 120_000 });
    let caught: unknown;
    try {
      loadEnv(
        { ...databaseEnv, PORT: env.int(3000, 1, 65_535), ...dbConnectionEnv() },
        { PORT: 'x', DB_CONNECT_TIMEOUT_MS: '5', DB_LONG_READ_TIMEOUT_MS: 'soon' },
      );
    } catch (error) {
      caught = error;
    }
    expect((caught as EnvError).problems).toEqual([
      'DATABASE_URL: is required (postgres://user:password@host:port/database)',
      'PORT: "x" is not a whole number',
      'DB_CONNECT_TIMEOUT_MS: 5 is outside 100..600000',
      'DB_LONG_READ_TIMEOUT_MS: "soon" is not a whole number',
    ]);
  });
});
