import { loadApiConfig } from '@parkex/api/config/api-config';
import { loadMatcherConfig } from '@parkex/matcher/config/matcher-config';
import { EnvError } from './env';

describe('environment validation', () => {
  it('lists every bad variable at once', () => {
    let caught: unknown;
    try {
      loadApiConfig({
        PORT: 'eighty',
        NODE_ENV: 'staging',
        OPERATOR_API_KEY: 'short',
        DB_POOL_SIZE: '0',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvError);
    expect((caught as EnvError).problems).toEqual([
      'DATABASE_URL: is required (postgres://user:password@host:port/database)',
      'PORT: "eighty" is not a whole number',
      'NODE_ENV: "staging" is not one of development, production, test',
      'OPERATOR_API_KEY: is 5 characters long; at least 32 are needed: it must carry at least 128 random bits (e.g. `openssl rand -base64 32`, or leave it unset to have one generated)',
      'DB_POOL_SIZE: 0 is outside 1..200',
    ]);
  });

  it('rejects a DATABASE_URL that is not a PostgreSQL URL', () => {
    expect(() => loadApiConfig({ DATABASE_URL: 'mysql://localhost/db' })).toThrow(
      /must start with postgres:\/\//,
    );
  });

  it('applies defaults', () => {
    expect(loadApiConfig({ DATABASE_URL: 'postgres://localhost/parkex' })).toMatchObject({
      port: 3000,
      nodeEnv: 'development',
      operatorApiKey: undefined,
    });
  });

  it('migrates with MIGRATION_DATABASE_URL and runs with DATABASE_URL; one URL serves both', () => {
    const runtime = 'postgres://parkex_runtime:r@db.internal/parkex';
    const owner = 'postgres://parkex_owner:o@db.internal/parkex';
    for (const load of [loadApiConfig, loadMatcherConfig]) {
      expect(load({ DATABASE_URL: runtime, MIGRATION_DATABASE_URL: owner })).toMatchObject({
        databaseUrl: runtime,
        migrationDatabaseUrl: owner,
      });
      expect(load({ DATABASE_URL: runtime })).toMatchObject({
        databaseUrl: runtime,
        migrationDatabaseUrl: runtime,
      });
    }
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
});
