import { Catch } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';

/**
 * Hands every resolver error to GraphQL untouched, so that `format-error.ts` stays the one
 * place that maps (and, for unexpected errors, logs and masks) them.
 */
@Catch()
export class PassThroughFilter implements GqlExceptionFilter {
  catch(error: unknown): unknown {
    return error;
  }
}
