import type { INestApplication } from '@nestjs/common';
import { generateApiKey } from '@parkex/db';
import request from 'supertest';
import { loadApiConfig, type ApiConfig } from '@parkex/api/config/api-config';
import { createApi } from '@parkex/api/main';
import { ParticipantsService } from '@parkex/api/participants/participants.service';
import { testAdminDatabaseUrl, testDatabaseUrl } from './test-database';

// Responses are untyped JSON; specs index into them freely.

type Json = any;

export interface GqlResponse<T = Json> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, Json>; path?: string[] }[];
}

export interface TestApi {
  app: INestApplication;
  operatorKey: string;
  /** Runs one GraphQL operation over HTTP. */
  gql<T = Json>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string,
  ): Promise<GqlResponse<T>>;
  /** Registers a participant through the API; returns its id and key. */
  createParticipant(
    name: string,
    role?: 'PARTICIPANT' | 'OPERATOR' | 'AUDITOR' | 'METER',
  ): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

let counter = 0;
/** A name unique across this run's spec files (they share one database). */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/**
 * Starts the real API (Nest + Apollo over HTTP) on the run's PostgreSQL as its runtime role, on a
 * free port. (The global setup has migrated; the migration URL is there for completeness.)
 */
export async function startTestApi(overrides: Partial<ApiConfig> = {}): Promise<TestApi> {
  const operatorKey = generateApiKey();
  const config: ApiConfig = {
    ...loadApiConfig({
      DATABASE_URL: testDatabaseUrl(),
      MIGRATION_DATABASE_URL: testAdminDatabaseUrl(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn', // the specs' own output stays readable
    }),
    port: 0,
    dbPoolSize: 5,
    operatorApiKey: operatorKey,
    ...overrides,
  };
  const app = await createApi(config);
  await app.get(ParticipantsService).bootstrapOperator(operatorKey);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();

  const gql = async <T>(query: string, variables?: Record<string, unknown>, key?: string) => {
    const call = request(server).post('/graphql').set('content-type', 'application/json');
    if (key) call.set('authorization', `Bearer ${key}`);
    const response = await call.send({ query, variables });
    return response.body as GqlResponse<T>;
  };

  return {
    app,
    operatorKey,
    gql,
    async createParticipant(name, role = 'PARTICIPANT') {
      const result = await gql<Json>(
        `mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } apiKey } }`,
        { input: { name, role } },
        operatorKey,
      );
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return {
        id: result.data.createParticipant.participant.id,
        key: result.data.createParticipant.apiKey,
      };
    },
    close: () => app.close(),
  };
}
