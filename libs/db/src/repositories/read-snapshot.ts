import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { rawClient } from './raw-client';

/**
 * Runs `work` on a pooled connection of its own, in one read-only REPEATABLE READ transaction
 * (one snapshot for the whole walk) with the given statement timeout (null: the session's
 * default): a verification's cursor lives as long as the walk, so it needs the long-read bound,
 * not the pool's default.
 */
export async function inReadOnlySnapshot<T>(
  db: DataSource,
  statementTimeoutMs: number | null,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const runner = db.createQueryRunner();
  await runner.connect();
  const client = rawClient(runner);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      if (statementTimeoutMs !== null) {
        await client.query(`SELECT set_config('statement_timeout', $1, true)`, [
          String(statementTimeoutMs),
        ]);
      }
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}
