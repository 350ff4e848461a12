import { env, loadEnv } from '@parkex/db';

export interface MatcherConfig {
  databaseUrl: string;
  /** How often the matcher looks for intervals whose gate has closed. */
  pollMs: number;
  dbPoolSize: number;
}

/** Reads and validates the matcher's environment once; lists every bad variable. */
export function loadMatcherConfig(source: NodeJS.ProcessEnv = process.env): MatcherConfig {
  const values = loadEnv(
    {
      DATABASE_URL: env.postgresUrl(true),
      MATCHER_POLL_MS: env.int(250, 10, 60_000),
      DB_POOL_SIZE: env.int(4, 1, 100),
    },
    source,
  );
  return {
    databaseUrl: values.DATABASE_URL!,
    pollMs: values.MATCHER_POLL_MS,
    dbPoolSize: values.DB_POOL_SIZE,
  };
}

export const MATCHER_CONFIG = Symbol('MATCHER_CONFIG');
