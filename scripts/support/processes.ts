/** Child processes of the platform, for the launcher and the benchmarks. */
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
