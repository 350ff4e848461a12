import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

export interface StartedPlatform {
  apiUrl: string;
  operatorKey: string;
  logFile: string;
  /** Stops the platform (like Ctrl-C on `npm start`) and waits for it. */
  stop(): Promise<void>;
  /** Resolves when the platform exits by itself. */
  exited: Promise<number | null>;
}

/**
 * Starts the whole platform the way `npm start` does (scripts/start.ts: PostgreSQL, embedded
 * unless DATABASE_URL, migrations, API and matcher), with its output in `.data/demo-platform.log`.
 * The operator key: OPERATOR_API_KEY, else the embedded database's `.data/operator-api-key`
 * (the one `npm start` uses), else a new one.
 */
export async function startPlatform(onLog: (message: string) => void): Promise<StartedPlatform> {
  const port = process.env.PORT ? Number(process.env.PORT) : await freePort(3000);
  const operatorKey = process.env.OPERATOR_API_KEY ?? operatorKeyForStart();
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  const logFile = join(ROOT, '.data', 'demo-platform.log');
  const log = openSync(logFile, 'w');
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', join(ROOT, 'scripts', 'register.js'), join(ROOT, 'scripts', 'start.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), OPERATOR_API_KEY: operatorKey },
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  onLog(
    `starting ParkEx (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL'}, API on port ${port}); its log: ${logFile}`,
  );

  const health = `http://127.0.0.1:${port}/health`;
  const started = Date.now();
  let healthy = false;
  while (!healthy) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the platform exited during start-up; see ${logFile}:\n${tail(logFile)}`);
    }
    if (Date.now() - started > 180_000) {
      child.kill('SIGTERM');
      throw new Error(`the platform was not healthy after 180 s; see ${logFile}`);
    }
    try {
      healthy = (await fetch(health)).ok;
    } catch {
      // not listening yet
    }
    if (!healthy) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    apiUrl: `http://localhost:${port}/graphql`,
    operatorKey,
    logFile,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The key `npm start` would use for the embedded database, created the same way if missing. */
function operatorKeyForStart(): string {
  if (process.env.DATABASE_URL) return newKey();
  const file = join(ROOT, '.data', 'operator-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  const key = newKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** Same format as the platform's keys (libs/db api-keys.ts). */
function newKey(): string {
  return `pkx_${randomBytes(32).toString('base64url')}`;
}

/** `preferred` when nothing listens on it, else a free port the system picks. */
async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : null));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0)) ?? preferred;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
