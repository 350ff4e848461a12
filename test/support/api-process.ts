import { startAppProcess, type AppProcess } from '../../scripts/support/processes';
import { appDatabaseEnv } from './test-database';

export interface ApiProcess {
  process: AppProcess;
  port: number;
  /** graphql-ws URL of the process. */
  wsUrl: string;
}

/**
 * Another API replica: the real API as a child process on the run's database as its runtime
 * role, on a free port, with the operator key of the in-process API; `env` adds or overrides
 * variables. Resolves once it listens.
 */
export async function startApiProcess(
  operatorKey: string,
  env: Record<string, string> = {},
): Promise<ApiProcess> {
  const child = startAppProcess('api', {
    ...appDatabaseEnv(),
    PORT: '0',
    OPERATOR_API_KEY: operatorKey,
    NODE_ENV: 'development',
    ...env,
  });
  await child.waitFor(/GraphQL API on http:\/\/localhost:\d+\/graphql/, 30_000);
  const port = Number(/GraphQL API on http:\/\/localhost:(\d+)\/graphql/.exec(child.output())![1]);
  return { process: child, port, wsUrl: `ws://127.0.0.1:${port}/graphql` };
}
