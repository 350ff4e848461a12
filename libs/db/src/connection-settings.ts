import { env, type EnvReader } from './config/env';

/**
 * How every PostgreSQL connection of a process behaves when the network, the server or the
 * process itself stalls. Each process reads these once at start (`dbConnectionEnv`) and hands them
 * to `createDataSource` and to the connections it opens outside the pool.
 */
export interface DbConnectionSettings {
  /** Opening a connection, or waiting for a free one of the pool, fails after this. */
  connectTimeoutMs: number;
  /** Default `statement_timeout` of every session (0: none). */
  statementTimeoutMs: number;
  /** Default `idle_in_transaction_session_timeout` of every session (0: none). */
  idleInTransactionTimeoutMs: number;
  /**
   * `statement_timeout` of long streaming reads (CSV exports, verifyAuditLog): their server-side
   * cursor counts as one statement for as long as the client reads (0: none).
   */
  longReadTimeoutMs: number;
}

/** Injection token of the process's DbConnectionSettings (provided by DbModule). */
export const DB_CONNECTION = Symbol('DB_CONNECTION');

export const DEFAULT_DB_CONNECTION: DbConnectionSettings = {
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 60_000,
  longReadTimeoutMs: 3_600_000,
};

/**
 * TCP keepalive on both ends. The client (Node) sends its first probe after this much silence
 * (the OS sets the probe interval and count); the server probes a silent client as often and drops
 * it after `SERVER_KEEPALIVE_COUNT` unanswered probes, ending its transaction and its locks.
 */
export const KEEPALIVE_IDLE_MS = 10_000;
const SERVER_KEEPALIVE_INTERVAL_S = 5;
const SERVER_KEEPALIVE_COUNT = 3;

const DAY_MS = 86_400_000;

/**
 * The environment variables of the connection settings, to spread into an app's `loadEnv` spec
 * (so bad values are listed with the app's own); `defaults` are the process's own defaults.
 */
export function dbConnectionEnv(defaults: Partial<DbConnectionSettings> = {}): {
  DB_CONNECT_TIMEOUT_MS: EnvReader<number>;
  DB_STATEMENT_TIMEOUT_MS: EnvReader<number>;
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: EnvReader<number>;
  DB_LONG_READ_TIMEOUT_MS: EnvReader<number>;
} {
  const d = { ...DEFAULT_DB_CONNECTION, ...defaults };
  return {
    DB_CONNECT_TIMEOUT_MS: env.int(d.connectTimeoutMs, 100, 600_000),
    DB_STATEMENT_TIMEOUT_MS: env.int(d.statementTimeoutMs, 0, DAY_MS),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: env.int(d.idleInTransactionTimeoutMs, 0, DAY_MS),
    DB_LONG_READ_TIMEOUT_MS: env.int(d.longReadTimeoutMs, 0, DAY_MS),
  };
}

/** The settings from the values `loadEnv` read with `dbConnectionEnv`. */
export function dbConnectionSettings(values: {
  DB_CONNECT_TIMEOUT_MS: number;
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: number;
  DB_LONG_READ_TIMEOUT_MS: number;
}): DbConnectionSettings {
  return {
    connectTimeoutMs: values.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: values.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: values.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    longReadTimeoutMs: values.DB_LONG_READ_TIMEOUT_MS,
  };
}

/** What a pg `Client` or `Pool` needs for the settings: keepalives, timeouts, session defaults. */
export interface PgConnectionOptions {
  keepAlive: true;
  keepAliveInitialDelayMillis: number;
  connectionTimeoutMillis: number;
  /**
   * Session defaults sent at connect (`-c name=value`): statement_timeout,
   * idle_in_transaction_session_timeout (0 sent as 0: none, whatever the role's default) and
   * the server's TCP keepalives. An `options` parameter in the URL takes their place (pg lets
   * the URL's parameters win).
   */
  options: string;
}

/** pg options (for a `Client` or a `Pool`) that apply `settings` to every session. */
export function pgConnectionOptions(settings: DbConnectionSettings): PgConnectionOptions {
  return {
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    options: [
      `-c statement_timeout=${settings.statementTimeoutMs}`,
      `-c idle_in_transaction_session_timeout=${settings.idleInTransactionTimeoutMs}`,
      `-c tcp_keepalives_idle=${Math.ceil(KEEPALIVE_IDLE_MS / 1000)}`,
      `-c tcp_keepalives_interval=${SERVER_KEEPALIVE_INTERVAL_S}`,
      `-c tcp_keepalives_count=${SERVER_KEEPALIVE_COUNT}`,
    ].join(' '),
  };
}

/** The settings of a session that may wait or run long on purpose: no statement timeout. */
export function withoutStatementTimeout(settings: DbConnectionSettings): DbConnectionSettings {
  return { ...settings, statementTimeoutMs: 0 };
}
