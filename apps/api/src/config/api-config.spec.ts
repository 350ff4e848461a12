import { EnvError, generateApiKey } from '@parkex/db';
import { loadApiConfig } from './api-config';

const BASE = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

function problems(env: Record<string, string>): string[] {
  try {
    loadApiConfig({ ...BASE, ...env });
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadApiConfig', () => {
  it('refuses a weak OPERATOR_API_KEY with a clear message that never repeats the key', () => {
    const found = problems({ OPERATOR_API_KEY: 'a'.repeat(32), TRUSTED_PROXIES: 'nope' });
    expect(found).toEqual([
      'OPERATOR_API_KEY: uses only 1 distinct character; at least 8 are needed: it must carry at least 128 random bits (e.g. `openssl rand -base64 32`, or leave it unset to have one generated)',
      'TRUSTED_PROXIES: "nope" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)',
    ]);
  });

  it('reads the limits and their defaults', () => {
    const key = generateApiKey();
    const config = loadApiConfig({ ...BASE, OPERATOR_API_KEY: key, TRUSTED_PROXIES: '10.0.0.0/8' });
    expect(config).toMatchObject({
      operatorApiKey: key,
      trustedProxies: ['10.0.0.0/8'],
      rateLimitPerSecond: 50_000,
      rateLimitBurst: 250_000,
      rateLimitAnonPerSecond: 10,
      rateLimitAnonBurst: 100,
      authNegativeCacheMs: 5000,
      bodyLimitBytes: 65_536,
      participantBodyLimitBytes: 8_388_608,
    });
  });

  it('logs at info as text by default', () => {
    expect(loadApiConfig(BASE).log).toEqual({ level: 'info', format: 'text' });
  });

  it('reads LOG_LEVEL and LOG_FORMAT', () => {
    expect(loadApiConfig({ ...BASE, LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }).log).toEqual({
      level: 'debug',
      format: 'json',
    });
  });

  it('lists a bad LOG_LEVEL and LOG_FORMAT with the other bad variables', () => {
    expect(problems({ LOG_LEVEL: 'loud', LOG_FORMAT: 'xml', PORT: 'x' })).toEqual([
      'PORT: "x" is not a whole number',
      'LOG_LEVEL: "loud" is not one of error, warn, info, debug, verbose',
      'LOG_FORMAT: "xml" is not one of text, json',
    ]);
  });
});
