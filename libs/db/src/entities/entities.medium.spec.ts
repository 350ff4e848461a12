import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectTestDatabase, testDatabaseUrl } from '@parkex/test-support/test-database';
import { createDataSource, ENTITIES } from '../data-source';

/**
 * Columns of their tables that the entities leave out on purpose (each needs a default). A
 * column a migration adds fails this spec until its entity maps it or it is listed here.
 */
const UNMAPPED: Record<string, string[]> = {
  product: ['created_at'],
};

/** The TypeORM entities match the tables the migrations made: names, types, nullability. */
describe('entities (medium)', () => {
  let dataSource: DataSource;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await createDataSource(testDatabaseUrl(), {
      poolSize: 1,
      name: 'parkex-entities-medium',
    }).initialize();
    admin = await connectTestDatabase();
  });
  afterAll(async () => {
    await admin?.end();
    await dataSource?.destroy();
  });

  it('are exactly the configuration tables', () => {
    expect(dataSource.entityMetadatas.map((m) => m.tableName).sort()).toEqual([
      'api_key',
      'participant',
      'product',
    ]);
    expect(ENTITIES).toHaveLength(3);
  });

  it('map every column of their table with its type and nullability, or list it as unmapped', async () => {
    for (const metadata of dataSource.entityMetadatas) {
      const { rows } = await admin.query<{
        column_name: string;
        data_type: string;
        nullable: boolean;
        has_default: boolean;
      }>(
        `SELECT column_name, data_type, is_nullable = 'YES' AS nullable,
                (column_default IS NOT NULL OR is_identity = 'YES') AS has_default
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1`,
        [metadata.tableName],
      );
      const table = rows
        .map((r) => ({ column: r.column_name, type: r.data_type, nullable: r.nullable }))
        .sort((a, b) => a.column.localeCompare(b.column));
      const unmapped = UNMAPPED[metadata.tableName] ?? [];
      const mapped = metadata.columns
        .map((c) => ({
          column: c.databaseName,
          type: dataSource.driver.normalizeType(c),
          nullable: c.isNullable,
        }))
        .sort((a, b) => a.column.localeCompare(b.column));

      expect({ table: metadata.tableName, columns: mapped }).toEqual({
        table: metadata.tableName,
        columns: table.filter((c) => !unmapped.includes(c.column)),
      });
      for (const column of unmapped) {
        expect({
          column,
          hasDefault: rows.find((r) => r.column_name === column)?.has_default,
        }).toEqual({ column, hasDefault: true });
      }
    }
  });
});
