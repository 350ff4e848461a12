import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  dbConnectionEnv,
  dbConnectionSettings,
  env,
  loadEnv,
  type DbConnectionSettings,
} from '@parkex/db';

export interface MatcherConfig {
  databaseUrl: string;
  /** How often the matcher looks for intervals whose gate has closed. */
  pollMs: number;
  dbPoolSize: number;
  /** The server drops a claim whose session stays idle in its transaction this long. */
  claimTimeoutMs: number;
  /** Names this replica in results and in pg_stat_activity. */
  matcherId: string;
  /** `<step>:exit|stall`, for crash tests only. */
  failpoint: string | undefined;
  /** Only these products' intervals (MATCHER_PRODUCTS, comma-separated); all when absent. */
  products: string[] | undefined;
  /** Start the polling loop at boot (tests drive `drain()` themselves). */
  autoStart: boolean;
  /** Keepalives and timeouts of every PostgreSQL connection (DB_* variables). */
  dbConnection: DbConnectionSettings;
}

/** Reads and validates the matcher's environment once; lists every bad variable. */
export function loadMatcherConfig(source: NodeJS.ProcessEnv = process.env): MatcherConfig {
  const values = loadEnv(
    {
      DATABASE_URL: env.postgresUrl(true),
      MATCHER_POLL_MS: env.int(250, 10, 60_000),
      MATCHER_CLAIM_TIMEOUT_MS: env.int(60_000, 100, 3_600_000),
      MATCHER_ID: env.string(
        `matcher-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      ),
      MATCHER_FAILPOINT: env.optionalString(),
      MATCHER_PRODUCTS: env.optionalString(),
      DB_POOL_SIZE: env.int(4, 1, 100),
      ...dbConnectionEnv(),
    },
    source,
  );
  return {
    databaseUrl: values.DATABASE_URL!,
    pollMs: values.MATCHER_POLL_MS,
    dbPoolSize: values.DB_POOL_SIZE,
    claimTimeoutMs: values.MATCHER_CLAIM_TIMEOUT_MS,
    matcherId: values.MATCHER_ID,
    failpoint: values.MATCHER_FAILPOINT,
    products: values.MATCHER_PRODUCTS?.split(',').map((code) => code.trim()),
    autoStart: true,
    dbConnection: dbConnectionSettings(values),
  };
}

export const MATCHER_CONFIG = Symbol('MATCHER_CONFIG');
