/** Child processes of the platform, for the launcher, the benchmarks and the tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '@parkex/db';

/** Runs `apps/<app>/src/main.ts` from source as its own process, output piped. */
export function spawnApp(
  app: 'api' | 'matcher',
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...nodeArgs,
      '-r',
      join(PROJECT_ROOT, 'scripts', 'register.js'),
      join(PROJECT_ROOT, 'apps', app, 'src', 'main.ts'),
    ],
    { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

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
 * Starts `apps/<app>/src/main.ts` as a real separate process, as `npm run start:<app>` does, with
 * this process's environment and `env` over it; keeps what it prints.
 */
export function startAppProcess(app: 'api' | 'matcher', env: Record<string, string>): AppProcess {
  const child = spawnApp(app, { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' });
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
    stop: () => stopChild(child),
  };
}

/**
 * Polls `url` until it answers 2xx (at most 60 s). Fails at once when `child` exits first;
 * gives up quietly when `cancelled()` turns true.
 */
export async function waitForHealth(
  url: string,
  options: { child?: ChildProcess; cancelled?: () => boolean } = {},
): Promise<void> {
  for (let attempt = 0; attempt < 600 && !options.cancelled?.(); attempt++) {
    if (options.child && options.child.exitCode !== null) {
      throw new Error(`the process behind ${url} exited early (${options.child.exitCode})`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!options.cancelled?.()) throw new Error(`${url} did not become healthy within 60 s`);
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
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
