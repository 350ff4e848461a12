import { EnvError } from '@parkex/db';
import { loadMatcherConfig } from './matcher-config';

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
