/**
 * `npm start`: the whole platform in one command. PostgreSQL (embedded unless DATABASE_URL),
 * migrations and seed, then the API and the matcher as separate processes. Ctrl-C stops all.
 * `--demo [options]` also runs the park simulation against it (apps/simulator).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { isAbsolute, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { apiKeyWeakness, applyMigrations } from '@parkex/db';
import { platformDatabase } from './platform-db';
import { demoCommand, operatorKeyFor, operatorKeyLine } from './support/operator-key';
import { spawnApp, stopChild, waitForHealth } from './support/processes';

const children = new Map<string, ChildProcess>();
let stopping = false;

/** `--demo`: the options after it go to the simulator. */
const demoAt = process.argv.indexOf('--demo');
const demo = demoAt >= 0 ? process.argv.slice(demoAt + 1) : undefined;

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const weakness = process.env.OPERATOR_API_KEY && apiKeyWeakness(process.env.OPERATOR_API_KEY);
  if (weakness) {
    say(
      `OPERATOR_API_KEY ${weakness}: it must carry at least 128 random bits (e.g. \`openssl rand -base64 32\`, or leave it unset)`,
    );
    process.exit(2);
  }
  say(
    `starting PostgreSQL (${process.env.DATABASE_URL ? 'DATABASE_URL' : `embedded, data in ${process.env.PG_DATA_DIR || '.data/postgres'}`})`,
  );
  const database = await platformDatabase(() => undefined, say);
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await Promise.all([...children.values()].map(stopChild));
    await database.stop();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const applied = await applyMigrations(database.migrationUrl);
  say(applied.length ? `migrated: ${applied.join(', ')}` : 'schema up to date');

  const operatorKey = operatorKeyFor({
    supplied: process.env.OPERATOR_API_KEY,
    embedded: database.embedded,
    demo: demo !== undefined,
  });
  // The apps run as the runtime role and never see the owner's URL: the schema is current now,
  // so their own migration check at start finds nothing to do.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    MIGRATION_DATABASE_URL: undefined,
    PORT: String(port),
    ...(operatorKey ? { OPERATOR_API_KEY: operatorKey.key } : {}),
  };
  for (const app of ['api', 'matcher'] as const) {
    const child = spawnApp(app, env);
    children.set(app, child);
    prefix(app, child);
    child.on('exit', (code, signal) => {
      children.delete(app);
      if (!stopping) {
        say(`${app} exited (${signal ?? code}); stopping the platform`);
        void shutdown(1);
      }
    });
  }

  await waitForHealth(`http://127.0.0.1:${port}/health`, { cancelled: () => stopping });
  const lines = [
    `GraphQL API   http://localhost:${port}/graphql  (GraphiQL in the browser)`,
    `health        http://localhost:${port}/health`,
    `dashboard     http://localhost:${port}/dashboard  (operator or auditor key)`,
    `database      ${redact(database.url)}${database.dataDir ? `  (embedded, data in ${shown(database.dataDir)})` : ''}`,
    ...(database.passwordFile
      ? [`passwords     ${shown(database.passwordFile)}  (owner, runtime, superuser)`]
      : []),
    operatorKeyLine(operatorKey),
    `send it as    Authorization: Bearer <key>     Ctrl-C stops everything`,
  ];
  say(`ParkEx is running\n  ${lines.join('\n  ')}`);
  if (demo && operatorKey) startDemo(`http://127.0.0.1:${port}/graphql`, operatorKey.key, demo);
}

/**
 * `npm start -- --demo [demo options]`: the park simulation (apps/simulator) as a third child
 * once the API is healthy. Its end does not stop the platform (the dashboard stays up).
 */
function startDemo(apiUrl: string, operatorKey: string, args: string[]): void {
  const command = demoCommand(apiUrl, operatorKey, args);
  const child = spawn(command.command, command.args, {
    env: command.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.set('demo', child);
  child.on('exit', (code, signal) => {
    children.delete('demo');
    if (!stopping) say(`demo finished (${signal ?? code}); the platform keeps running`);
  });
}

function prefix(name: string, child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) =>
      process.stdout.write(`[${name}] ${line}\n`),
    );
  }
}

/** A path relative to the working folder when inside it, else absolute. */
function shown(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

function say(message: string): void {
  process.stdout.write(`[parkex] ${message}\n`);
}

main().catch(async (error: unknown) => {
  console.error('[parkex] failed to start:', error);
  stopping = true;
  await Promise.all([...children.values()].map(stopChild));
  process.exit(1);
});
