import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The process's one `pg` pool: the pool the DataSource opened (`PostgresDriver.master`, a public
 * member of the driver), with the size, `application_name`, keepalives and session timeouts
 * `createDataSource` gave it; `DataSource.destroy()` ends it. Raw-SQL repositories take their
 * connections from it, so the process holds one pool and one bound on its connections.
 */
export function pgPool(dataSource: DataSource): Pool {
  const master = (dataSource.driver as { master?: unknown }).master;
  if (!(master instanceof Pool)) {
    throw new Error('the DataSource has no pg pool: initialize it first (postgres driver only)');
  }
  return master;
}

/** Connections whose ROLLBACK failed: in an unknown state, discarded when released (`checkOut`). */
const unsettled = new WeakSet<PoolClient>();

/** A pool connection checked out, and how to give it back. */
interface CheckedOut {
  client: PoolClient;
  /** Gives the connection back, or discards it if it broke or could not be rolled back. */
  release(): void;
}

/**
 * Takes a connection from the pool. A connection that breaks while checked out (an `error`
 * event: the server or the network went away) is discarded on release, not reused; the
 * listener also keeps such an error from crashing the process.
 */
async function checkOut(pool: Pool): Promise<CheckedOut> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => (broken ??= error);
  client.on('error', onError);
  return {
    client,
    release() {
      client.removeListener('error', onError);
      if (unsettled.has(client)) broken ??= new Error('the connection failed to roll back');
      client.release(broken);
    },
  };
}

/**
 * Runs `work` on a connection of its own from the pool and gives it back; a connection that
 * broke meanwhile is discarded, not reused (`checkOut`).
 */
export async function withPoolClient<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const { client, release } = await checkOut(pool);
  try {
    return await work(client);
  } finally {
    release();
  }
}

/** How a transaction begins: its isolation level and its transaction-local settings. */
export interface TransactionOptions {
  isolation: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
  readOnly?: boolean;
  /** `statement_timeout` of this transaction (absent: the session's default). */
  statementTimeoutMs?: number;
  /** `idle_in_transaction_session_timeout` of this transaction (absent: the session's default). */
  idleInTransactionTimeoutMs?: number;
  /** `lock_timeout` of this transaction (absent: the session's default). */
  lockTimeoutMs?: number;
  /** `application_name` while this transaction runs (how pg_stat_activity shows it). */
  applicationName?: string;
}

/** The `set_config` name of each transaction-local setting, in the order they are set. */
const LOCAL_SETTINGS = [
  ['idleInTransactionTimeoutMs', 'idle_in_transaction_session_timeout'],
  ['statementTimeoutMs', 'statement_timeout'],
  ['lockTimeoutMs', 'lock_timeout'],
  ['applicationName', 'application_name'],
] as const;

/**
 * BEGIN with the options and the transaction-local settings (as `SET LOCAL` would set them), in
 * one round trip: one simple-protocol query of two statements when there are settings.
 */
export async function beginTransaction(
  client: PoolClient,
  options: TransactionOptions,
): Promise<void> {
  const begin = `BEGIN ISOLATION LEVEL ${options.isolation}${options.readOnly ? ' READ ONLY' : ''}`;
  const settings: string[] = [];
  for (const [option, name] of LOCAL_SETTINGS) {
    const value = options[option];
    if (value === undefined) continue;
    settings.push(`set_config('${name}', ${client.escapeLiteral(String(value))}, true)`);
  }
  await client.query(settings.length ? `${begin}; SELECT ${settings.join(', ')}` : begin);
}

/**
 * ROLLBACK, for a caller that is already failing: its own failure is what it reports. When the
 * ROLLBACK fails too, the connection is discarded when it goes back (`withPoolClient`).
 */
export async function rollbackQuietly(client: PoolClient): Promise<void> {
  await client.query('ROLLBACK').catch(() => unsettled.add(client));
}

/** A transaction begun on a connection of its own, waiting for its work (`run`, once). */
export interface OpenTransaction {
  /**
   * Runs `work` in the transaction: COMMIT when it returns, ROLLBACK when it (or the COMMIT)
   * throws, and the error rethrown as it is; the connection goes back to the pool either way.
   */
  run<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
}

/**
 * Takes a connection and begins a transaction on it (`beginTransaction`), for work that comes
 * later: the round trips of the checkout and the BEGIN can overlap with whatever the caller
 * does meanwhile. The caller must `run` it soon: until then it holds a pool connection idle in
 * a transaction (no snapshot yet under READ COMMITTED, no locks).
 */
export async function openTransaction(
  pool: Pool,
  options: TransactionOptions,
): Promise<OpenTransaction> {
  const { client, release } = await checkOut(pool);
  try {
    await beginTransaction(client, options);
  } catch (error) {
    await rollbackQuietly(client);
    release();
    throw error;
  }
  let ran = false;
  return {
    async run<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
      if (ran) throw new Error('this transaction has already run');
      ran = true;
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await rollbackQuietly(client);
        throw error;
      } finally {
        release();
      }
    },
  };
}

/**
 * Runs `work` in one transaction on a connection of its own: COMMIT when it returns, ROLLBACK
 * when it (or the COMMIT) throws, and the error rethrown as it is.
 */
export async function transaction<T>(
  pool: Pool,
  options: TransactionOptions,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return (await openTransaction(pool, options)).run(work);
}

/** The rows of one statement run on a pool connection (autocommitted). */
export async function queryRows<T extends QueryResultRow>(
  pool: Pool,
  text: string,
  values?: unknown[],
): Promise<T[]> {
  return (await pool.query<T>(text, values)).rows;
}
