import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { GraphQLError } from 'graphql';
import { formatError } from '../graphql/format-error';

/**
 * graphql-ws server options. Errors of subscription operations (a refused key, an unknown
 * product) are sent in `next` messages; Apollo's `formatError` does not see them, so they go
 * through the same one error map here: `extensions.code` and the message a person understands.
 */
export function graphqlWsOptions(): GraphQLWsSubscriptionsConfig {
  return {
    onNext: (_ctx, _id, _payload, _args, result) => {
      if (!result.errors?.length) return undefined;
      return {
        ...result,
        errors: result.errors.map((error: GraphQLError) => formatError(error.toJSON(), error)),
      };
    },
  };
}
