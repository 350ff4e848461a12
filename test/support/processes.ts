import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '@parkex/db';
import { testAdminDatabaseUrl, testDatabaseUrl } from './test-database';

export interface AppProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves when a line matching `pattern` has been printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited(): Promise<number | null>;
  /** SIGTERM and wait (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/**
 * Starts `apps/<app>/src/main.ts` as a real separate process, as `npm run start:<app>` does: on
 * the run's database as its runtime role, migrating (nothing left to do) as the administrator.
 */
export function startAppProcess(app: 'api' | 'matcher', env: Record<string, string>): AppProcess {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(PROJECT_ROOT, 'scripts/register.js'),
      join(PROJECT_ROOT, 'apps', app, 'src', 'main.ts'),
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: testDatabaseUrl(),
        MIGRATION_DATABASE_URL: testAdminDatabaseUrl(),
        ...env,
        FORCE_COLOR: '0',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    child,
    output: () => output,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(`${app} did not print ${String(pattern)} within ${timeoutMs} ms:\n${output}`),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    exited: () => exit,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` until it returns a value other than undefined. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
