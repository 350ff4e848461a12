import { databaseEnv, databaseUrls, env, EnvError, loadEnv } from './env';

/** The problems `loadEnv` lists for `source`, or [] when it accepts it. */
function problems(spec: Parameters<typeof loadEnv>[0], source: NodeJS.ProcessEnv): string[] {
  try {
    loadEnv(spec, source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe('environment validation', () => {
  const spec = {
    ...databaseEnv,
    PORT: env.int(3000, 1, 65_535),
    NODE_ENV: env.oneOf(['development', 'production', 'test'] as const, 'development'),
    OPERATOR_API_KEY: env.apiKey(),
    DB_POOL_SIZE: env.int(10, 1, 200),
    NAME: env.string('parkex'),
  };

  it('lists every bad variable at once, in the order of the spec', () => {
    let caught: unknown;
    try {
      loadEnv(spec, {
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
    expect((caught as EnvError).message).toContain('\n  - PORT: "eighty" is not a whole number');
  });

  it('rejects a DATABASE_URL that is not a PostgreSQL URL', () => {
    expect(problems(databaseEnv, { DATABASE_URL: 'mysql://localhost/db' })).toEqual([
      'DATABASE_URL: must start with postgres:// (got mysql://)',
    ]);
    expect(problems(databaseEnv, { DATABASE_URL: 'postgresql://localhost/db' })).toEqual([]);
  });

  it('applies defaults, and treats blank values as unset', () => {
    expect(loadEnv(spec, { DATABASE_URL: 'postgres://localhost/parkex', PORT: '  ' })).toEqual({
      DATABASE_URL: 'postgres://localhost/parkex',
      MIGRATION_DATABASE_URL: undefined,
      PORT: 3000,
      NODE_ENV: 'development',
      OPERATOR_API_KEY: undefined,
      DB_POOL_SIZE: 10,
      NAME: 'parkex',
    });
  });

  it('migrates with MIGRATION_DATABASE_URL and runs with DATABASE_URL; one URL serves both', () => {
    const runtime = 'postgres://parkex_runtime:r@db.internal/parkex';
    const owner = 'postgres://parkex_owner:o@db.internal/parkex';
    expect(
      databaseUrls(loadEnv(databaseEnv, { DATABASE_URL: runtime, MIGRATION_DATABASE_URL: owner })),
    ).toEqual({ databaseUrl: runtime, migrationDatabaseUrl: owner });
    expect(databaseUrls(loadEnv(databaseEnv, { DATABASE_URL: runtime }))).toEqual({
      databaseUrl: runtime,
      migrationDatabaseUrl: runtime,
    });
  });

  it('lists a bad MIGRATION_DATABASE_URL with the other problems', () => {
    expect(
      problems(
        { ...databaseEnv, MATCHER_POLL_MS: env.int(250, 10, 60_000) },
        { MIGRATION_DATABASE_URL: 'owner@db', MATCHER_POLL_MS: 'often' },
      ),
    ).toEqual([
      'DATABASE_URL: is required (postgres://user:password@host:port/database)',
      'MIGRATION_DATABASE_URL: "owner@db" is not a URL',
      'MATCHER_POLL_MS: "often" is not a whole number',
    ]);
  });
});
