import 'reflect-metadata';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EnvError, migrate } from '@parkex/db';
import { loadMatcherConfig, type MatcherConfig } from './config/matcher-config';
import { MatcherModule } from './matcher.module';

/** The matcher: a standalone Nest context (no HTTP server). */
export async function startMatcher(config: MatcherConfig): Promise<INestApplicationContext> {
  await migrate(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(MatcherModule.forRoot(config), {
    logger: ['log', 'error', 'warn'],
  });
  return app;
}

async function main(): Promise<void> {
  const logger = new Logger('matcher');
  let config: MatcherConfig;
  try {
    config = loadMatcherConfig();
  } catch (error) {
    if (error instanceof EnvError) {
      logger.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const app = await startMatcher(config);
  logger.log(`matcher running (pid ${process.pid}), polling every ${config.pollMs} ms`);
  // Until the clearing loop lands, hold the process open until a shutdown signal.
  const keepAlive = setInterval(() => undefined, 60_000);
  const stop = () => {
    clearInterval(keepAlive);
    void app.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    new Logger('matcher').error(
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
    process.exit(1);
  });
}
