import { Client } from 'pg';
import { join } from 'node:path';
import { migrate } from '../data-source';
import type { DbConnectionSettings } from '../connection-settings';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded';
import { randomPassword, readPasswords, updatePasswords } from './passwords';

export const PROJECT_ROOT = join(__dirname, '..', '..', '..', '..');

/** The group role the apps' login roles belong to; migration 1764300900000 grants it. */
export const RUNTIME_GROUP_ROLE = 'parkex_app';
/** Login roles of the embedded setup: the database's owner, and the apps' runtime role. */
export const EMBEDDED_OWNER_ROLE = 'parkex_owner';
export const EMBEDDED_RUNTIME_ROLE = 'parkex_runtime';

export interface DatabaseHandle {
  /** Connection URL the apps run with (the runtime role). */
  url: string;
  /** Connection URL migrations run with (the schema's owner). */
  migrationUrl: string;
  /** True when this process started an embedded PostgreSQL. */
  embedded: boolean;
  /** Embedded only: the data folder in use (relocated when root's `postgres` cannot reach it). */
  dataDir?: string;
  /** Embedded only: the file with the roles' passwords. */
  passwordFile?: string;
  stop(): Promise<void>;
}

export interface ProvideOptions {
  /** `DATABASE_URL`; when absent an embedded PostgreSQL is started. */
  databaseUrl?: string;
  /** `MIGRATION_DATABASE_URL`; defaults to `databaseUrl`. */
  migrationDatabaseUrl?: string;
  embeddedDataDir?: string;
  embeddedPort?: number;
  /** Database created on the embedded server if missing. */
  embeddedDatabase?: string;
  /** See `EmbeddedOptions.relocate` (default true). */
  embeddedRelocate?: boolean;
  log?: (line: string) => void;
  /** See `EmbeddedOptions.notice`. */
  notice?: (line: string) => void;
}

/**
 * Selects the PostgreSQL server: `DATABASE_URL` when given, else an embedded one on which the
 * owner and runtime roles are set up (passwords beside its data folder).
 */
export async function provideDatabase(options: ProvideOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    return {
      url: options.databaseUrl,
      migrationUrl: options.migrationDatabaseUrl ?? options.databaseUrl,
      embedded: false,
      stop: async () => undefined,
    };
  }
  const server: EmbeddedServer = await startEmbeddedPostgres({
    dataDir: options.embeddedDataDir ?? join(PROJECT_ROOT, '.data', 'postgres'),
    port: options.embeddedPort ?? 54329,
    relocate: options.embeddedRelocate,
    log: options.log,
    notice: options.notice,
  });
  try {
    const urls = await provisionRoles(server, options.embeddedDatabase ?? 'parkex');
    return {
      ...urls,
      embedded: true,
      dataDir: server.dataDir,
      passwordFile: server.passwordFile,
      stop: () => server.stop(),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * As the superuser, on every start: the group role `parkex_app`, the owner and runtime login
 * roles with their stored (or new) passwords, and the database owned by the owner role. A
 * database made before the roles existed (owned by the superuser) is handed over, with every
 * table, sequence and function of its public schema.
 */
async function provisionRoles(
  server: EmbeddedServer,
  database: string,
): Promise<{ url: string; migrationUrl: string }> {
  const stored = readPasswords(server.passwordFile);
  const passwords = updatePasswords(server.passwordFile, {
    owner: stored.owner ?? randomPassword(),
    runtime: stored.runtime ?? randomPassword(),
  });
  await withClient(server.url, async (client) => {
    await createGroupRoleIfMissing(client, RUNTIME_GROUP_ROLE);
    await upsertLoginRole(client, EMBEDDED_OWNER_ROLE, passwords.owner!);
    await upsertLoginRole(client, EMBEDDED_RUNTIME_ROLE, passwords.runtime!);
    await client.query(`GRANT ${RUNTIME_GROUP_ROLE} TO ${EMBEDDED_RUNTIME_ROLE}`);
    const { rows } = await client.query<{ owner: string }>(
      `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1`,
      [database],
    );
    if (!rows.length) {
      await client.query(`CREATE DATABASE ${quoteIdent(database)} OWNER ${EMBEDDED_OWNER_ROLE}`);
    } else if (rows[0].owner !== EMBEDDED_OWNER_ROLE) {
      await client.query(`ALTER DATABASE ${quoteIdent(database)} OWNER TO ${EMBEDDED_OWNER_ROLE}`);
    }
  });
  await withClient(withDatabase(server.url, database), (client) =>
    handOverPublicSchema(client, EMBEDDED_OWNER_ROLE),
  );
  return {
    url: withCredentials(server.url, database, EMBEDDED_RUNTIME_ROLE, passwords.runtime!),
    migrationUrl: withCredentials(server.url, database, EMBEDDED_OWNER_ROLE, passwords.owner!),
  };
}

/** `CREATE ROLE … NOLOGIN` unless it exists; a concurrent creation by another run is fine. */
async function createGroupRoleIfMissing(client: Client, role: string): Promise<void> {
  await client.query(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${client.escapeLiteral(role)}) THEN
        CREATE ROLE ${quoteIdent(role)} NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
}

async function upsertLoginRole(client: Client, role: string, password: string): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const verb = exists.rowCount ? 'ALTER' : 'CREATE';
  await client.query(
    `${verb} ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION ` +
      `NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`,
  );
}

/** Gives `owner` the public schema's tables (with their owned sequences), sequences and functions. */
async function handOverPublicSchema(client: Client, owner: string): Promise<void> {
  await client.query(`
    DO $$
    DECLARE
      object record;
    BEGIN
      FOR object IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND pg_get_userbyid(c.relowner) <> ${client.escapeLiteral(owner)}
      LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', object.name, ${client.escapeLiteral(owner)});
      END LOOP;
      -- sequences that belong to no column (those follow their table)
      FOR object IN
        SELECT c.oid::regclass AS name FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
          AND pg_get_userbyid(c.relowner) <> ${client.escapeLiteral(owner)}
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                            AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
      LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNER TO %I', object.name, ${client.escapeLiteral(owner)});
      END LOOP;
      -- functions, except those of extensions
      FOR object IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND pg_get_userbyid(p.proowner) <> ${client.escapeLiteral(owner)}
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                            AND d.objid = p.oid AND d.deptype = 'e')
      LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', object.name, ${client.escapeLiteral(owner)});
      END LOOP;
    END $$`);
}

/**
 * Applies pending migrations with the migration URL. A role that may not change the schema (the
 * runtime role, when MIGRATION_DATABASE_URL is not set) gets an error that says what to do.
 */
export async function applyMigrations(
  migrationUrl: string,
  settings?: DbConnectionSettings,
): Promise<string[]> {
  try {
    return await migrate(migrationUrl, settings);
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      const user = decodeURIComponent(new URL(migrationUrl).username) || 'the default user';
      throw new Error(
        `migrations are pending and ${user} may not apply them (${(error as Error).message}); ` +
          `set MIGRATION_DATABASE_URL to the schema owner's URL, or run \`npm run migration:run\` with it first`,
        { cause: error },
      );
    }
    throw error;
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** `url` with another database, user and password. */
export function withCredentials(
  url: string,
  database: string,
  user: string,
  password: string,
): string {
  const parsed = new URL(withDatabase(url, database));
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

export async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<boolean> {
  return withClient(serverUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  });
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
