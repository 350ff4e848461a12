import {
  databaseEnv,
  databaseUrls,
  type DatabaseUrls,
  dbConnectionEnv,
  dbConnectionSettings,
  env,
  loadEnv,
  type DbConnectionSettings,
} from '@parkex/db';

export interface ApiConfig extends DatabaseUrls {
  port: number;
  nodeEnv: 'development' | 'production' | 'test';
  operatorApiKey: string | undefined;
  dbPoolSize: number;
  /** Requests per second allowed per API key (token bucket), and the bucket's burst size. */
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** First retry after the live feed's LISTEN connection is lost (doubles up to 30 s). */
  liveReconnectMs: number;
  /** How long a resolved API key is trusted without asking the database (0: always ask). */
  authCacheMs: number;
  /** Keepalives and timeouts of every PostgreSQL connection (DB_* variables). */
  dbConnection: DbConnectionSettings;
  /** How often this replica seals new audit rows (0: never; another replica must). */
  auditSealIntervalMs: number;
  /** Audit rows older than this without a seal are reported by verifyAuditLog as unsealed. */
  auditSealGraceMs: number;
  /** verifyAuditLog refuses a range holding more seals than this. */
  auditVerifyMaxSeals: number;
  /** CSV exports running at once in this replica (and connections of their own pool). */
  exportMaxConcurrent: number;
  /** CSV exports running at once per participant (whichever of its keys). */
  exportMaxPerParticipant: number;
  /** An export whose client takes nothing for this long is cut. */
  exportWriteTimeoutMs: number;
}

/** Reads and validates the API's environment once; lists every bad variable. */
export function loadApiConfig(source: NodeJS.ProcessEnv = process.env): ApiConfig {
  const values = loadEnv(
    {
      ...databaseEnv,
      PORT: env.int(3000, 0, 65535),
      NODE_ENV: env.oneOf(['development', 'production', 'test'] as const, 'development'),
      OPERATOR_API_KEY: env.apiKey(),
      DB_POOL_SIZE: env.int(20, 1, 200),
      RATE_LIMIT_PER_SECOND: env.int(5000, 1, 1_000_000),
      RATE_LIMIT_BURST: env.int(10000, 1, 10_000_000),
      LIVE_RECONNECT_MS: env.int(1000, 10, 60_000),
      AUTH_CACHE_MS: env.int(1000, 0, 60_000),
      AUDIT_SEAL_INTERVAL_MS: env.int(1000, 0, 60_000),
      AUDIT_SEAL_GRACE_MS: env.int(60_000, 1000, 86_400_000),
      AUDIT_VERIFY_MAX_SEALS: env.int(1_000_000, 1, 100_000_000),
      EXPORT_MAX_CONCURRENT: env.int(4, 1, 100),
      EXPORT_MAX_PER_PARTICIPANT: env.int(2, 1, 100),
      EXPORT_WRITE_TIMEOUT_MS: env.int(30_000, 100, 3_600_000),
      ...dbConnectionEnv(),
    },
    source,
  );
  return {
    ...databaseUrls(values),
    port: values.PORT,
    nodeEnv: values.NODE_ENV,
    operatorApiKey: values.OPERATOR_API_KEY,
    dbPoolSize: values.DB_POOL_SIZE,
    rateLimitPerSecond: values.RATE_LIMIT_PER_SECOND,
    rateLimitBurst: values.RATE_LIMIT_BURST,
    liveReconnectMs: values.LIVE_RECONNECT_MS,
    authCacheMs: values.AUTH_CACHE_MS,
    dbConnection: dbConnectionSettings(values),
    auditSealIntervalMs: values.AUDIT_SEAL_INTERVAL_MS,
    auditSealGraceMs: values.AUDIT_SEAL_GRACE_MS,
    auditVerifyMaxSeals: values.AUDIT_VERIFY_MAX_SEALS,
    exportMaxConcurrent: values.EXPORT_MAX_CONCURRENT,
    exportMaxPerParticipant: values.EXPORT_MAX_PER_PARTICIPANT,
    exportWriteTimeoutMs: values.EXPORT_WRITE_TIMEOUT_MS,
  };
}

export const API_CONFIG = Symbol('API_CONFIG');
