/** `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded database). */
import { migrate } from '@parkex/db';
import { platformDatabase } from './platform-db';

async function main(): Promise<void> {
  const database = await platformDatabase(() => undefined);
  try {
    const applied = await migrate(database.url);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
