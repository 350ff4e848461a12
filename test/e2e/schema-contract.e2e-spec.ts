import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModulesContainer } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { PROJECT_ROOT } from '@parkex/db';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { ROLES_KEY } from '@parkex/api/auth/roles.decorator';
import {
  buildSchema,
  findBreakingChanges,
  GraphQLObjectType,
  GraphQLSchema,
  printSchema,
} from 'graphql';
import { startTestApi, type TestApi } from '@parkex/test-support/test-api';

/**
 * Contract fields not built yet (the live-prices-and-audit and matcher work). Each is removed
 * from the contract before comparing; the test fails if one of them already exists, so the
 * list shrinks as the work lands and, at the end, the whole contract is checked.
 */
const NOT_YET_BUILT: Record<string, string[]> = {
  Query: [],
  Mutation: [],
  Subscription: [],
};

describe('public GraphQL surface', () => {
  let api: TestApi;
  let generated: GraphQLSchema;
  beforeAll(async () => {
    api = await startTestApi();
    generated = api.app.get(GraphQLSchemaHost).schema;
  });
  afterAll(() => api.close());

  it('contains the contract (findBreakingChanges finds nothing)', () => {
    const contract = buildSchema(
      readFileSync(join(PROJECT_ROOT, 'apps/api/contract.graphql'), 'utf8'),
    );
    const pending = Object.entries(NOT_YET_BUILT).flatMap(([type, fields]) =>
      fields
        .filter((field) => fieldExists(generated, type, field))
        .map((field) => `${type}.${field}`),
    );
    expect(pending).toEqual([]); // built: take it off NOT_YET_BUILT
    const changes = findBreakingChanges(withoutPending(contract), generated);
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

function fieldExists(schema: GraphQLSchema, typeName: string, field: string): boolean {
  const type = schema.getType(typeName);
  return type instanceof GraphQLObjectType && field in type.getFields();
}

function withoutPending(contract: GraphQLSchema): GraphQLSchema {
  let sdl = printSchema(contract);
  for (const [type, fields] of Object.entries(NOT_YET_BUILT)) {
    sdl = sdl.replace(new RegExp(`type ${type} \\{([^}]*)\\}`), (_whole, body: string) => {
      const kept = body
        .split('\n')
        .filter((line) => !fields.some((field) => new RegExp(`^\\s*${field}\\b`).test(line)));
      return kept.some((line) => line.trim()) ? `type ${type} {${kept.join('\n')}}` : '';
    });
  }
  sdl = sdl.replace(/subscription: Subscription\n?/, NOT_YET_BUILT.Subscription.length ? '' : '$&');
  // Keep only what the remaining root fields reach; types used by pending fields only go too.
  const built = buildSchema(sdl);
  return new GraphQLSchema({
    query: built.getQueryType(),
    mutation: built.getMutationType(),
    subscription: built.getSubscriptionType(),
    types: [built.getType('Decimal')!, built.getType('DateTime')!],
  });
}
