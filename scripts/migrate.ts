/**
 * `npm run migration:run`: applies pending migrations with MIGRATION_DATABASE_URL (the schema's
 * owner; defaults to DATABASE_URL), or to the embedded database as its owner role.
 */
import { applyMigrations } from '@parkex/db';
import { platformDatabase } from './platform-db';

async function main(): Promise<void> {
  const database = await platformDatabase(() => undefined);
  try {
    const applied = await applyMigrations(database.migrationUrl);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
