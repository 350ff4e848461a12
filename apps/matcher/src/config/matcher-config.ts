import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  databaseEnv,
  databaseUrls,
  type DatabaseUrls,
  dbConnectionEnv,
  dbConnectionSettings,
  env,
  loadEnv,
  logEnv,
  logSettings,
  type DbConnectionSettings,
  type LogSettings,
} from '@parkex/db';

export interface MatcherConfig extends DatabaseUrls {
  /** How often the matcher looks for intervals whose gate has closed. */
  pollMs: number;
  dbPoolSize: number;
  /** The server drops a claim whose session stays idle in its transaction this long. */
  claimTimeoutMs: number;
  /** Names this replica in results and in pg_stat_activity. */
  matcherId: string;
  /** Server-side bound on each statement of the clearing transaction. */
  statementTimeoutMs: number;
  /** How long a clearing waits for the ledger lock before it gives up (and retries later). */
  lockTimeoutMs: number;
  /** Failed attempts before an interval's result is FAILED (a re-run gets one attempt). */
  maxAttempts: number;
  /** Wait after the first failed attempt; doubles with each further one. */
  retryBackoffMs: number;
  /** `<step>:<action>[@PRODUCT]`, for failure tests only (see failpoints.ts). */
  failpoint: string | undefined;
  /** Only these products' intervals (MATCHER_PRODUCTS, comma-separated); all when absent. */
  products: string[] | undefined;
  /**
   * Only these auction series (MATCHER_SERIES, comma-separated); all when absent. A replica
   * limited to products (MATCHER_PRODUCTS) clears auctions only of the series it names.
   */
  series: string[] | undefined;
  /** Whether this replica clears integrated auctions at all (see `series`). */
  clearsAuctions: boolean;
  /** Start the polling loop at boot (tests drive `drain()` themselves). */
  autoStart: boolean;
  /** How often the storage safety sweep looks for assets whose telemetry fell silent (0: never). */
  safetySweepMs: number;
  /**
   * How often the imbalance settlement looks for product-intervals whose metering window has
   * closed (MATCHER_IMBALANCE_MS; 0: this replica does not settle imbalances).
   */
  imbalanceMs: number;
  /** Days battery telemetry is kept; older day partitions are dropped (at least 7). */
  telemetryRetentionDays: number;
  /** Keepalives and timeouts of every PostgreSQL connection (DB_* variables). */
  dbConnection: DbConnectionSettings;
  /** LOG_LEVEL (default info) and LOG_FORMAT (text, the default, or json). */
  log: LogSettings;
}

/** Reads and validates the matcher's environment once; lists every bad variable. */
export function loadMatcherConfig(source: NodeJS.ProcessEnv = process.env): MatcherConfig {
  const values = loadEnv(
    {
      ...databaseEnv,
      MATCHER_POLL_MS: env.int(250, 10, 60_000),
      MATCHER_CLAIM_TIMEOUT_MS: env.int(60_000, 100, 3_600_000),
      MATCHER_STATEMENT_TIMEOUT_MS: env.int(60_000, 100, 3_600_000),
      MATCHER_LOCK_TIMEOUT_MS: env.int(10_000, 10, 3_600_000),
      MATCHER_MAX_ATTEMPTS: env.int(3, 1, 100),
      MATCHER_RETRY_BACKOFF_MS: env.int(1_000, 1, 3_600_000),
      MATCHER_ID: env.string(
        `matcher-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      ),
      MATCHER_FAILPOINT: env.optionalString(),
      MATCHER_PRODUCTS: env.optionalString(),
      SAFETY_SWEEP_MS: env.int(1_000, 0, 600_000),
      MATCHER_IMBALANCE_MS: env.int(1_000, 0, 600_000),
      TELEMETRY_RETENTION_DAYS: env.int(90, 8, 3650),
      MATCHER_SERIES: env.optionalString(),
      // the clearing transaction holds one connection; attempts are recorded on another
      DB_POOL_SIZE: env.int(4, 2, 100),
      ...dbConnectionEnv(),
      ...logEnv(),
    },
    source,
  );
  return {
    ...databaseUrls(values),
    pollMs: values.MATCHER_POLL_MS,
    dbPoolSize: values.DB_POOL_SIZE,
    claimTimeoutMs: values.MATCHER_CLAIM_TIMEOUT_MS,
    statementTimeoutMs: values.MATCHER_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: values.MATCHER_LOCK_TIMEOUT_MS,
    maxAttempts: values.MATCHER_MAX_ATTEMPTS,
    retryBackoffMs: values.MATCHER_RETRY_BACKOFF_MS,
    matcherId: values.MATCHER_ID,
    failpoint: values.MATCHER_FAILPOINT,
    products: values.MATCHER_PRODUCTS?.split(',').map((code) => code.trim()),
    series: values.MATCHER_SERIES?.split(',').map((code) => code.trim()),
    clearsAuctions: values.MATCHER_SERIES !== undefined || values.MATCHER_PRODUCTS === undefined,
    autoStart: true,
    safetySweepMs: values.SAFETY_SWEEP_MS,
    imbalanceMs: values.MATCHER_IMBALANCE_MS,
    telemetryRetentionDays: values.TELEMETRY_RETENTION_DAYS,
    dbConnection: dbConnectionSettings(values),
    log: logSettings(values),
  };
}

export const MATCHER_CONFIG = Symbol('MATCHER_CONFIG');
