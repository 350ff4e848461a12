import { EnvError } from '@parkex/db';
import { loadMatcherConfig } from './matcher-config';

describe('loadMatcherConfig', () => {
  it('migrates with MIGRATION_DATABASE_URL and runs with DATABASE_URL; one URL serves both', () => {
    const runtime = 'postgres://parkex_runtime:r@db.internal/parkex';
    const owner = 'postgres://parkex_owner:o@db.internal/parkex';
    expect(
      loadMatcherConfig({ DATABASE_URL: runtime, MIGRATION_DATABASE_URL: owner }),
    ).toMatchObject({ databaseUrl: runtime, migrationDatabaseUrl: owner });
    expect(loadMatcherConfig({ DATABASE_URL: runtime })).toMatchObject({
      databaseUrl: runtime,
      migrationDatabaseUrl: runtime,
    });
  });

  it('lists a bad MIGRATION_DATABASE_URL with the other problems', () => {
    expect(() =>
      loadMatcherConfig({ MIGRATION_DATABASE_URL: 'owner@db', MATCHER_POLL_MS: 'often' }),
    ).toThrow(
      new EnvError([
        'DATABASE_URL: is required (postgres://user:password@host:port/database)',
        'MIGRATION_DATABASE_URL: "owner@db" is not a URL',
        'MATCHER_POLL_MS: "often" is not a whole number',
      ]),
    );
  });

  it('reads the DB_* variables with its own', () => {
    const matcher = loadMatcherConfig({
      DATABASE_URL: 'postgres://localhost/parkex',
      DB_STATEMENT_TIMEOUT_MS: '0',
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '120000',
    });
    expect(matcher.dbConnection).toMatchObject({
      statementTimeoutMs: 0,
      idleInTransactionTimeoutMs: 120_000,
    });
    expect(() => loadMatcherConfig({ MATCHER_POLL_MS: 'x', DB_CONNECT_TIMEOUT_MS: '5' })).toThrow(
      new EnvError([
        'DATABASE_URL: is required (postgres://user:password@host:port/database)',
        'MATCHER_POLL_MS: "x" is not a whole number',
        'DB_CONNECT_TIMEOUT_MS: 5 is outside 100..600000',
      ]),
    );
  });
});

const BASE = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

function problems(env: Record<string, string>): string[] {
  try {
    loadMatcherConfig({ ...BASE, ...env });
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadMatcherConfig: logging', () => {
  it('logs at info as text by default', () => {
    expect(loadMatcherConfig(BASE).log).toEqual({ level: 'info', format: 'text' });
  });

  it('reads LOG_LEVEL and LOG_FORMAT', () => {
    expect(loadMatcherConfig({ ...BASE, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' }).log).toEqual({
      level: 'warn',
      format: 'json',
    });
  });

  it('lists a bad LOG_LEVEL and LOG_FORMAT with the other bad variables', () => {
    expect(problems({ MATCHER_POLL_MS: 'often', LOG_LEVEL: 'INFO', LOG_FORMAT: 'pretty' })).toEqual(
      [
        'MATCHER_POLL_MS: "often" is not a whole number',
        'LOG_LEVEL: "INFO" is not one of error, warn, info, debug, verbose',
        'LOG_FORMAT: "pretty" is not one of text, json',
      ],
    );
  });
});
