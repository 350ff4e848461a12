import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModulesContainer } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { PROJECT_ROOT } from '@parkex/db';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { ROLES_KEY } from '@parkex/api/auth/roles.decorator';
import { buildSchema, findBreakingChanges, GraphQLSchema, printSchema } from 'graphql';
import { startTestApi, type TestApi } from '@parkex/test-support/test-api';

describe('public GraphQL surface', () => {
  let api: TestApi;
  let generated: GraphQLSchema;
  beforeAll(async () => {
    api = await startTestApi();
    generated = api.app.get(GraphQLSchemaHost).schema;
  });
  afterAll(() => api.close());

  it('contains the contract and the auction contract (findBreakingChanges finds nothing)', () => {
    // contract-auction.graphql extends contract.graphql: one document, one schema
    const contract = buildSchema(
      ['apps/api/contract.graphql', 'apps/api/contract-auction.graphql']
        .map((file) => readFileSync(join(PROJECT_ROOT, file), 'utf8'))
        .join('\n'),
    );
    const changes = findBreakingChanges(contract, generated);
    expect(changes.map((c) => `${c.type}: ${c.description}`)).toEqual([]);
  });

  it('prints a schema with the Decimal and DateTime scalars', () => {
    const printed = printSchema(generated);
    expect(printed).toMatch(/scalar Decimal/);
    expect(printed).toMatch(/scalar DateTime/);
  });

  it('guards every resolver class and gives every operation a role', () => {
    const resolvers = [...api.app.get(ModulesContainer).values()]
      .flatMap((module) => [...module.providers.values()])
      .map((wrapper) => wrapper.metatype as (new (...args: never[]) => unknown) | null)
      .filter(
        (type): type is new (...args: never[]) => unknown =>
          !!type && Reflect.hasMetadata('graphql:resolver_type', type),
      );
    expect(resolvers.length).toBeGreaterThanOrEqual(2);
    for (const resolver of resolvers) {
      const guards: unknown[] = Reflect.getMetadata('__guards__', resolver) ?? [];
      expect({ resolver: resolver.name, guarded: guards.includes(ApiKeyGuard) }).toEqual({
        resolver: resolver.name,
        guarded: true,
      });
      const classRoles = Reflect.getMetadata(ROLES_KEY, resolver);
      for (const name of Object.getOwnPropertyNames(resolver.prototype)) {
        const method = (resolver.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof method !== 'function') continue;
        if (!Reflect.hasMetadata('graphql:resolver_name', method)) continue;
        const roles = Reflect.getMetadata(ROLES_KEY, method) ?? classRoles;
        expect({ operation: `${resolver.name}.${name}`, hasRoles: Array.isArray(roles) }).toEqual({
          operation: `${resolver.name}.${name}`,
          hasRoles: true,
        });
      }
    }
  });
});
