import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';

/**
 * The `pg` connection under a connected TypeORM query runner: for what TypeORM does not offer
 * (row-mode arrays, COPY, server-side cursors, named statements) inside its transaction.
 */
export function rawClient(runner: QueryRunner): PoolClient {
  return (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
}
