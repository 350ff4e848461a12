import type { Pool, PoolClient } from 'pg';
import { beginTransaction, rollbackQuietly, withPoolClient } from '../pg-pool';

/**
 * The matcher's claim protocol, shared by product-intervals and integrated auctions: one
 * transaction holds the claimed row's lock; each attempt is recorded on another connection (so
 * that it outlives a rollback: an attempt that STARTED and never finished has failed too); once
 * the attempts are used up the FAILED result is written instead of clearing again.
 */
export interface ClaimSteps<K, S> {
  matcherId: string;
  claimTimeoutMs: number;
  statementTimeoutMs: number;
  /** The claim statement: the claimed key, its attempts so far and how many it may have; or null. */
  claim(client: PoolClient): Promise<{ key: K; attempts: number; allowed: number } | null>;
  /** Appends an attempt event, autocommitted on a connection of its own. */
  recordAttempt(key: K, event: 'STARTED' | 'FAILED', error: string | null): Promise<void>;
  /** Writes the FAILED result under the claim; returns its reason. */
  writeFailure(client: PoolClient, key: K, attempts: number): Promise<string>;
  beforeFailureWrite?: (key: K) => Promise<void>;
  /** The session `work` runs with. */
  session(client: PoolClient, key: K): S;
  /** One line of an error for the attempt log. */
  describe(error: unknown): string;
}

export type ClaimResult<K, T> =
  | { kind: 'cleared'; value: T }
  /** This attempt failed and is recorded; the key is retried after its backoff. */
  | { kind: 'attempt-failed'; key: K; attempt: number; error: unknown }
  /** The attempts are used up: the FAILED result is written, committed and published. */
  | { kind: 'failed'; key: K; attempts: number; reason: string }
  /** The attempts are used up but writing the FAILED result failed (rolled back). */
  | { kind: 'failure-write-failed'; key: K; error: unknown };

/**
 * Claims (see `ClaimSteps.claim`), records the attempt, runs `work`, commits. When `work` throws,
 * rolls back and records the failure: the caller goes on with the others. When the attempts are
 * used up, writes the FAILED result instead. Null when nothing is due.
 */
export function runClaim<K, S, T>(
  pool: Pool,
  steps: ClaimSteps<K, S>,
  work: (session: S) => Promise<T>,
): Promise<ClaimResult<K, T> | null> {
  return withPoolClient(pool, async (client) => {
    let attempt: { key: K; number: number } | undefined;
    let open = false;
    try {
      await beginTransaction(client, {
        isolation: 'READ COMMITTED',
        idleInTransactionTimeoutMs: steps.claimTimeoutMs,
        statementTimeoutMs: steps.statementTimeoutMs,
        applicationName: steps.matcherId,
      });
      open = true;
      const claimed = await steps.claim(client);
      if (!claimed) {
        await client.query('ROLLBACK');
        open = false;
        return null;
      }
      const { key, attempts } = claimed;
      if (attempts >= claimed.allowed) {
        try {
          await steps.beforeFailureWrite?.(key);
          const reason = await steps.writeFailure(client, key, attempts);
          await client.query('COMMIT');
          open = false;
          return { kind: 'failed', key, attempts, reason };
        } catch (error) {
          // Reported, not thrown: the caller leaves this key alone for a while and goes on with
          // the others, so not even a FAILED result that cannot be written halts the market.
          await rollbackQuietly(client);
          return { kind: 'failure-write-failed', key, error };
        }
      }
      attempt = { key, number: attempts + 1 };
      await steps.recordAttempt(key, 'STARTED', null);
      const value = await work(steps.session(client, key));
      await client.query('COMMIT');
      open = false;
      return { kind: 'cleared', value };
    } catch (error) {
      if (open) await rollbackQuietly(client);
      if (!attempt) throw error;
      // Recorded or not, the STARTED row already counts this attempt as failed.
      await steps
        .recordAttempt(attempt.key, 'FAILED', steps.describe(error))
        .catch(() => undefined);
      return { kind: 'attempt-failed', key: attempt.key, attempt: attempt.number, error };
    }
  });
}
