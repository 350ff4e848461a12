import 'reflect-metadata';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger, applyMigrations, EnvError } from '@parkex/db';
import { type Clock, systemClock } from './clock';
import { loadMatcherConfig, type MatcherConfig } from './config/matcher-config';
import { MatcherModule } from './matcher.module';

/** The matcher: a standalone Nest context (no HTTP server) running the clearing loop. */
export async function startMatcher(
  config: MatcherConfig,
  clock: Clock = systemClock,
): Promise<INestApplicationContext> {
  await applyMigrations(config.migrationDatabaseUrl, config.dbConnection);
  const app = await NestFactory.createApplicationContext(MatcherModule.forRoot(config, clock), {
    logger: new AppLogger(config.log),
    abortOnError: false,
  });
  await app.init();
  return app;
}

async function main(): Promise<void> {
  const logger = new Logger('matcher');
  let config: MatcherConfig;
  try {
    config = loadMatcherConfig();
  } catch (error) {
    if (error instanceof EnvError) {
      logger.error(
        `${error.message}\n  (npm start runs the whole platform on an embedded PostgreSQL without DATABASE_URL)`,
      );
      process.exit(2);
    }
    throw error;
  }
  const app = await startMatcher(config);
  logger.log(
    `matcher ${config.matcherId} running (pid ${process.pid}), polling every ${config.pollMs} ms; ` +
      `${config.maxAttempts} attempts per interval, backoff from ${config.retryBackoffMs} ms, ` +
      `statement timeout ${config.statementTimeoutMs} ms, ledger lock timeout ${config.lockTimeoutMs} ms`,
  );
  const stop = () => void app.close();
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
