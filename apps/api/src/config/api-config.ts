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
import { parseTrustedProxies } from '@parkex/api/rate-limit/client-address';

export interface ApiConfig extends DatabaseUrls {
  port: number;
  nodeEnv: 'development' | 'production' | 'test';
  /** LOG_LEVEL (default info) and LOG_FORMAT (text, the default, or json). */
  log: LogSettings;
  operatorApiKey: string | undefined;
  dbPoolSize: number;
  /** Tokens per second per API key (a request takes its query cost), and the burst. */
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  /** Requests per second without a valid key, per client address, and the burst. */
  rateLimitAnonPerSecond: number;
  rateLimitAnonBurst: number;
  /** Proxies (addresses, CIDR ranges) whose X-Forwarded-For decides the client address. */
  trustedProxies: string[];
  /** Largest JSON body of a request without a valid PARTICIPANT or METER key, in bytes. */
  bodyLimitBytes: number;
  /** Largest JSON body of a request with a valid PARTICIPANT or METER key, in bytes. */
  participantBodyLimitBytes: number;
  /** First retry after the live feed's LISTEN connection is lost (doubles up to 30 s). */
  liveReconnectMs: number;
  /** How long a resolved API key is trusted without asking the database (0: always ask). */
  authCacheMs: number;
  /** graphql-ws on /graphql: frame size, connection and subscription caps, key re-check. */
  liveMaxMessageBytes: number;
  liveMaxConnectionsPerKey: number;
  liveMaxConnectionsPerAddress: number;
  liveMaxSubscriptionsPerConnection: number;
  liveKeyRecheckMs: number;
  /** How long an unknown or revoked key is answered UNAUTHENTICATED without a lookup (0: never). */
  authNegativeCacheMs: number;
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
      RATE_LIMIT_PER_SECOND: env.int(50_000, 1, 10_000_000),
      RATE_LIMIT_BURST: env.int(250_000, 1, 100_000_000),
      RATE_LIMIT_ANON_PER_SECOND: env.int(10, 1, 1_000_000),
      RATE_LIMIT_ANON_BURST: env.int(100, 1, 10_000_000),
      TRUSTED_PROXIES: parseTrustedProxies,
      BODY_LIMIT_BYTES: env.int(65_536, 1024, 1_073_741_824),
      PARTICIPANT_BODY_LIMIT_BYTES: env.int(8_388_608, 1024, 1_073_741_824),
      LIVE_RECONNECT_MS: env.int(1000, 10, 60_000),
      AUTH_CACHE_MS: env.int(1000, 0, 60_000),
      LIVE_MAX_MESSAGE_BYTES: env.int(65_536, 1024, 16_777_216),
      LIVE_MAX_CONNECTIONS_PER_KEY: env.int(20, 1, 10_000),
      LIVE_MAX_CONNECTIONS_PER_ADDRESS: env.int(100, 1, 100_000),
      LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION: env.int(20, 1, 1000),
      LIVE_KEY_RECHECK_MS: env.int(5000, 100, 600_000),
      AUTH_NEGATIVE_CACHE_MS: env.int(5000, 0, 600_000),
      AUDIT_SEAL_INTERVAL_MS: env.int(1000, 0, 60_000),
      AUDIT_SEAL_GRACE_MS: env.int(60_000, 1000, 86_400_000),
      AUDIT_VERIFY_MAX_SEALS: env.int(1_000_000, 1, 100_000_000),
      EXPORT_MAX_CONCURRENT: env.int(4, 1, 100),
      EXPORT_MAX_PER_PARTICIPANT: env.int(2, 1, 100),
      EXPORT_WRITE_TIMEOUT_MS: env.int(30_000, 100, 3_600_000),
      ...dbConnectionEnv(),
      ...logEnv(),
    },
    source,
  );
  return {
    ...databaseUrls(values),
    port: values.PORT,
    nodeEnv: values.NODE_ENV,
    log: logSettings(values),
    operatorApiKey: values.OPERATOR_API_KEY,
    dbPoolSize: values.DB_POOL_SIZE,
    rateLimitPerSecond: values.RATE_LIMIT_PER_SECOND,
    rateLimitBurst: values.RATE_LIMIT_BURST,
    rateLimitAnonPerSecond: values.RATE_LIMIT_ANON_PER_SECOND,
    rateLimitAnonBurst: values.RATE_LIMIT_ANON_BURST,
    trustedProxies: values.TRUSTED_PROXIES,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    participantBodyLimitBytes: values.PARTICIPANT_BODY_LIMIT_BYTES,
    liveReconnectMs: values.LIVE_RECONNECT_MS,
    authCacheMs: values.AUTH_CACHE_MS,
    liveMaxMessageBytes: values.LIVE_MAX_MESSAGE_BYTES,
    liveMaxConnectionsPerKey: values.LIVE_MAX_CONNECTIONS_PER_KEY,
    liveMaxConnectionsPerAddress: values.LIVE_MAX_CONNECTIONS_PER_ADDRESS,
    liveMaxSubscriptionsPerConnection: values.LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    liveKeyRecheckMs: values.LIVE_KEY_RECHECK_MS,
    authNegativeCacheMs: values.AUTH_NEGATIVE_CACHE_MS,
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
