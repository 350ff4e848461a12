import { Logger } from '@nestjs/common';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import type { AuditService } from '@parkex/api/audit/audit.service';
import type { AuthService } from '@parkex/api/auth/auth.service';
import type { GatedRequest, GqlContext } from '@parkex/api/auth/principal';
import { AppError } from '../common/app-error';
import { formatError } from '../graphql/format-error';
import { checkQueryLimits, DEFAULT_QUERY_LIMITS } from '../graphql/query-limits';
import {
  CLOSE_FORBIDDEN,
  CLOSE_TOO_MANY,
  CLOSE_UNAUTHORIZED,
  type LiveConnections,
} from './live-connections';
import type { SocketLimits } from './live.options';

const logger = new Logger('LiveSockets');

export interface GraphqlWsDependencies {
  schema: GraphQLSchema;
  auth: AuthService;
  /** Counts connections refused for their key or rate into the audit log's refusal rows. */
  audit: AuditService;
  connections: LiveConnections;
  limits: SocketLimits;
}

/**
 * graphql-ws server options for /graphql.
 *
 * - `connection_init` carries the key (`connectionParams.authorization`): it is checked there,
 *   before the connection is acknowledged. Missing, malformed, unknown or revoked: close 4401;
 *   a suspended participant: 4403; more open sockets for this key than allowed: 4429. So no
 *   operation of an unauthenticated client is ever parsed.
 * - Each operation is still authorised by the resolvers' guard (role, rate limit); at most
 *   `maxSubscriptionsPerConnection` run at once per socket (beyond: an `error` message, code
 *   RATE_LIMITED, reason SUBSCRIPTION_LIMIT), and they meet the same token, depth, cost and
 *   page-size limits as over HTTP, checked before anything else runs. `onSubscribe` then
 *   validates the document and hands it over with its context (which carries the cost the
 *   guard charges), so graphql-ws neither parses nor validates it again.
 * - Errors of operations are sent in `next`/`error` messages, which Apollo's `formatError` never
 *   sees, so they go through the same one error map here.
 */
export function graphqlWsOptions(
  deps: GraphqlWsDependencies,
): ServerOptions<Record<string, unknown> | undefined, Extra> {
  const { auth, audit, connections, limits } = deps;
  return {
    schema: deps.schema,
    onConnect: async (ctx) => {
      const socket = ctx.extra.socket;
      let principal;
      try {
        // A connection without a valid key is charged to its address, like an HTTP request.
        principal = await auth.authenticateSocket(ctx.connectionParams, ctx.extra.request);
      } catch (error) {
        if (error instanceof AppError) {
          // The client's address, decided at the upgrade (LiveSocketServer).
          const request: GatedRequest = ctx.extra.request;
          audit.noteRefusal(socket, error, { address: request.parkexAuth?.address ?? 'unknown' });
          const code = error.code === 'RATE_LIMITED' ? CLOSE_TOO_MANY : CLOSE_UNAUTHORIZED;
          socket.close(code, closeReason(error.message));
        } else {
          logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
          socket.close(1011, 'Internal server error');
        }
        return false;
      }
      if (principal.suspendedReason !== null) {
        socket.close(CLOSE_FORBIDDEN, 'the participant is suspended');
        return false;
      }
      if (!connections.attach(socket, principal)) {
        socket.close(
          CLOSE_TOO_MANY,
          `more than ${limits.maxConnectionsPerKey} open connections for this API key`,
        );
        return false;
      }
      return true;
    },
    onSubscribe: (ctx, _id, payload) => {
      if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
        return [
          toGraphQLError(
            new AppError(
              'RATE_LIMITED',
              `at most ${limits.maxSubscriptionsPerConnection} operations may run at once on one connection; complete one first or open another connection`,
              { reason: 'SUBSCRIPTION_LIMIT', limit: limits.maxSubscriptionsPerConnection },
            ),
          ),
        ];
      }
      let document: DocumentNode;
      try {
        document = parse(payload.query, { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens });
      } catch (error) {
        if (error instanceof GraphQLError) return [error]; // a syntax error or too many tokens
        throw error;
      }
      // The guard reads the key from `connectionParams` and the client's address from `extra`.
      const contextValue: GqlContext = {
        connectionParams: ctx.connectionParams,
        extra: ctx.extra,
      };
      const errors = checkQueryLimits(document, {
        operationName: payload.operationName,
        variables: payload.variables,
        limits: DEFAULT_QUERY_LIMITS,
        context: contextValue,
      });
      if (errors.length) return errors;
      const invalid = validate(deps.schema, document);
      if (invalid.length) return invalid;
      return {
        schema: deps.schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue,
      };
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

/** An AppError as GraphQL error, through the one error map. */
function toGraphQLError(error: AppError): GraphQLError {
  const formatted = formatError({ message: error.message }, error);
  return new GraphQLError(formatted.message, { extensions: formatted.extensions });
}

/** WebSocket close reasons are at most 123 bytes of UTF-8. */
function closeReason(message: string): string {
  return Buffer.byteLength(message) <= 123
    ? message
    : Buffer.from(message)
        .subarray(0, 120)
        .toString()
        .replace(/\uFFFD$/, '') + '...';
}
