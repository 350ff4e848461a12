import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { spawnApp, stopChild, waitForHealth } from '../../scripts/support/processes';

export interface BenchApiOptions {
  databaseUrl: string;
  port: number;
  operatorKey: string;
  poolSize: number;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  log: (line: string) => void;
}

/** The real API as a separate production-mode process, healthy on 127.0.0.1:`port`. */
export async function startBenchApi(options: BenchApiOptions): Promise<ChildProcess> {
  options.log(`starting the API on 127.0.0.1:${options.port}`);
  const child = spawnApp(
    'api',
    {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      PORT: String(options.port),
      OPERATOR_API_KEY: options.operatorKey,
      NODE_ENV: 'production',
      DB_POOL_SIZE: String(options.poolSize),
    },
    options.nodeArgs,
  );
  for (const stream of [child.stdout, child.stderr].filter((s) => s !== null)) {
    createInterface({ input: stream }).on('line', (line) => options.log(`api: ${line}`));
  }
  try {
    await waitForHealth(`http://127.0.0.1:${options.port}/health`, { child });
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return child;
}
