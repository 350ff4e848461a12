import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { formatError } from '../graphql/format-error';
import { checkQueryLimits, DEFAULT_QUERY_LIMITS, type QueryLimits } from '../graphql/query-limits';

/**
 * graphql-ws server options. Errors of subscription operations (a refused key, an unknown
 * product) are sent in `next` messages; Apollo's `formatError` does not see them, so they go
 * through the same one error map here: `extensions.code` and the message a person understands.
 * Operations over the socket meet the same token, depth, cost and page-size limits as over
 * HTTP, checked here before anything else (the key is checked when the operation runs).
 */
export function graphqlWsOptions(
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): GraphQLWsSubscriptionsConfig {
  return {
    onSubscribe: (_ctx, _id, payload) => {
      let document: DocumentNode;
      try {
        document = parse(payload.query, { maxTokens: limits.maxTokens });
      } catch (error) {
        if (error instanceof GraphQLError) return [error]; // a syntax error or too many tokens
        throw error;
      }
      const errors = checkQueryLimits(document, {
        operationName: payload.operationName,
        variables: payload.variables,
        limits,
      });
      return errors.length ? errors : undefined;
    },
    onNext: (_ctx, _id, _payload, _args, result) => {
      if (!result.errors?.length) return undefined;
      return {
        ...result,
        errors: result.errors.map((error: GraphQLError) => formatError(error.toJSON(), error)),
      };
    },
  };
}
