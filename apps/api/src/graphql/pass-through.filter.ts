import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { GqlExceptionFilter } from '@nestjs/graphql';

/**
 * Hands every resolver error to GraphQL untouched, so that `format-error.ts` stays the one
 * place that maps (and, for unexpected errors, logs and masks) them. Plain HTTP routes
 * (health, dashboard, exports) keep Nest's own HTTP error responses.
 */
@Catch()
export class PassThroughFilter extends BaseExceptionFilter implements GqlExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return error;
    // BaseExceptionFilter.catch (not a promise): writes the HTTP error response.
    // eslint-disable-next-line promise/valid-params, promise/no-promise-in-callback
    super.catch(error, host);
    return undefined;
  }
}
