import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GqlContext, Principal } from './principal';

/** The authenticated caller (set by ApiKeyGuard). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = GqlExecutionContext.create(context).getContext<GqlContext>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a resolver without ApiKeyGuard');
    return principal;
  },
);
