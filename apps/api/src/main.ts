import 'reflect-metadata';
import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppLogger, applyMigrations, EnvError } from '@parkex/db';
import { AppModule } from './app.module';
import { AuthService } from './auth/auth.service';
import { AuditService } from './audit/audit.service';
import { type ErrorShape, requestGate } from './auth/request-gate';
import { type ApiConfig, loadApiConfig } from './config/api-config';
import { ParticipantsService } from './participants/participants.service';
import { ClientAddresses } from './rate-limit/client-address';

/** Builds the API application (not listening yet); used by `main` and the tests. */
export async function createApi(config: ApiConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: new AppLogger(config.log),
    abortOnError: false,
    // Bodies are read by the request gate, after the key is judged: small unless a participant's.
    bodyParser: false,
  });
  const gate = (shape: ErrorShape) =>
    requestGate(
      app.get(AuthService),
      app.get(ClientAddresses),
      app.get(AuditService),
      config,
      shape,
    );
  app.use('/graphql', gate('graphql'));
  app.use('/exports', gate('json'));
  app.enableShutdownHooks();
  return app;
}

/**
 * Migrates, makes sure the operator exists, and listens. Returns the operator key when one was
 * generated now (it is shown this once).
 */
export async function startApi(
  config: ApiConfig,
): Promise<{ app: INestApplication; url: string; generatedOperatorKey?: string }> {
  await applyMigrations(config.migrationDatabaseUrl, config.dbConnection);
  const app = await createApi(config);
  const generatedOperatorKey = await app
    .get(ParticipantsService)
    .bootstrapOperator(config.operatorApiKey);
  await app.listen(config.port);
  const server = app.getHttpServer() as { address(): { port: number } };
  const address = server.address();
  return { app, url: `http://localhost:${address.port}/graphql`, generatedOperatorKey };
}

async function main(): Promise<void> {
  const logger = new Logger('api');
  let config: ApiConfig;
  try {
    config = loadApiConfig();
  } catch (error) {
    if (error instanceof EnvError) {
      logger.error(
        `${error.message}\n  (npm start runs the whole platform on an embedded PostgreSQL without DATABASE_URL)`,
      );
      process.exit(2);
    }
    throw error;
  }
  const { url, generatedOperatorKey } = await startApi(config);
  logger.log(`GraphQL API on ${url} (pid ${process.pid})`);
  if (generatedOperatorKey) {
    logger.log(`operator API key (shown once, keep it): ${generatedOperatorKey}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    new Logger('api').error(
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
    process.exit(1);
  });
}
