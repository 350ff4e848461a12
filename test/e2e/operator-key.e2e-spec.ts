/**
 * The operator key is printed only when it is generated, never travels on a command line, and
 * an obviously weak OPERATOR_API_KEY is refused at start with a message naming the variable.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, PROJECT_ROOT } from '@parkex/db';
import { demoCommand, operatorKeyFor, operatorKeyLine } from '../../scripts/support/operator-key';
import { eventually, startAppProcess } from '../../scripts/support/processes';
import { startTestApi } from '@parkex/test-support/test-api';
import { appDatabaseEnv } from '@parkex/test-support/test-database';

describe('the operator key of npm start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parkex-operator-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('shows a key only when this start generated it', () => {
    const keyFile = join(dir, 'operator-api-key');
    const supplied = generateApiKey();
    const fromEnv = operatorKeyFor({ supplied, embedded: true, demo: false, keyFile });
    expect(fromEnv).toEqual({ key: supplied, origin: 'environment' });
    expect(operatorKeyLine(fromEnv, dir)).toBe('operator key  the one in OPERATOR_API_KEY');

    const generated = operatorKeyFor({ supplied: undefined, embedded: true, demo: false, keyFile });
    expect(generated?.origin).toBe('generated');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(operatorKeyLine(generated, dir)).toBe(
      `operator key  ${generated!.key}  (new; shown once, kept in operator-api-key)`,
    );

    const kept = operatorKeyFor({ supplied: undefined, embedded: true, demo: false, keyFile });
    expect(kept).toEqual({ key: generated!.key, origin: 'file', file: keyFile });
    expect(operatorKeyLine(kept, dir)).toBe('operator key  in operator-api-key');
    expect(operatorKeyLine(kept, dir)).not.toContain(generated!.key);

    // on DATABASE_URL without a demo the API decides (and prints a key it generates)
    expect(operatorKeyFor({ supplied: undefined, embedded: false, demo: false })).toBeUndefined();
  });

  it('refuses a weak OPERATOR_API_KEY before starting anything', async () => {
    const child = spawn(
      process.execPath,
      ['-r', join(PROJECT_ROOT, 'scripts/register.js'), join(PROJECT_ROOT, 'scripts/start.ts')],
      {
        env: { ...process.env, OPERATOR_API_KEY: 'a'.repeat(40), PG_DATA_DIR: dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(output).toContain(
      'OPERATOR_API_KEY uses only 1 distinct character; at least 8 are needed: it must carry at least 128 random bits',
    );
    expect(output).not.toContain('a'.repeat(40));
    expect(output).not.toContain('starting PostgreSQL');
  });
});

describe('the API process', () => {
  it('never prints an OPERATOR_API_KEY it was given', async () => {
    const key = generateApiKey();
    const api = startAppProcess('api', {
      ...appDatabaseEnv(),
      OPERATOR_API_KEY: key,
      PORT: '0',
      NODE_ENV: 'development',
    });
    try {
      await api.waitFor(/GraphQL API on/);
      expect(api.output()).not.toContain(key);
      expect(api.output()).not.toMatch(/operator API key/);
    } finally {
      await api.stop();
    }
  });

  it('refuses a weak OPERATOR_API_KEY at start, listing it with a clear message', async () => {
    const weak = 'abcdefgh'.repeat(4);
    const api = startAppProcess('api', { ...appDatabaseEnv(), OPERATOR_API_KEY: weak, PORT: '0' });
    expect(await api.exited()).toBe(2);
    expect(api.output()).toContain(
      'OPERATOR_API_KEY: repeats the same 8 characters: it must carry at least 128 random bits',
    );
    expect(api.output()).not.toContain(weak);
  });
});

describe('the demo of npm start -- --demo', () => {
  it('gets the key in its environment, not on its command line (what ps shows)', async () => {
    const api = await startTestApi();
    const url = `${(api.app.getHttpServer() as { address(): { port: number } }).address().port}`;
    const command = demoCommand(`http://127.0.0.1:${url}/graphql`, api.operatorKey, [
      '--intervals',
      '1',
      '--interval-seconds',
      '2',
    ]);
    expect(command.args.join(' ')).not.toContain(api.operatorKey);
    expect(command.env.OPERATOR_API_KEY).toBe(api.operatorKey);

    const child = spawn(command.command, command.args, {
      env: command.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('--api');
      expect(cmdline).not.toContain(api.operatorKey);
      // it works with the key from its environment, and does not print a key it was given
      await eventually(async () => (/watch it live/.test(output) ? true : undefined), 20_000);
      expect(output).not.toContain(api.operatorKey);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await api.close();
    }
  });
});
