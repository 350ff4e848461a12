import { loadApiConfig } from '@parkex/api/config/api-config';
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
      'OPERATOR_API_KEY: must be at least 32 characters (128 bits of randomness)',
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
});
