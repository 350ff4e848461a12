import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../pg-pool';

/** Readiness of the database as the process sees it: through its own pool. */
@Injectable()
export class HealthRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /** Resolves when PostgreSQL answers a trivial query; rejects otherwise. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
