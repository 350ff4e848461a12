import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Role } from '@parkex/db';
import { AuditService } from '../audit/audit.service';
import { forbidden } from '../common/app-error';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { AuthService } from './auth.service';
import type { GqlContext, Principal } from './principal';
import { ROLES_KEY } from './roles.decorator';

/**
 * Authenticates the API key of every GraphQL call and checks the caller's role against
 * `@Roles` (method over class). Every resolver class carries it; a test enforces that.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const gql = GqlExecutionContext.create(context);
    const ctx = gql.getContext<GqlContext>();
    if (!ctx.principal) {
      let authenticated: Principal | undefined;
      try {
        authenticated = await this.auth.authenticate(authorizationOf(ctx));
        // One token per request and API key; a refused request keeps no principal, so each of
        // its other fields is checked (and refused) again.
        this.rateLimiter.take(authenticated.keyHash);
      } catch (error) {
        // Counted (once per request) into the audit log's per-minute refusal rows.
        this.audit.noteRefusal(ctx, error, {
          address: addressOf(ctx),
          participantId: authenticated?.id,
        });
        throw error;
      }
      ctx.principal = authenticated;
    }
    const principal = ctx.principal;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles)
      throw new Error(`no @Roles on ${context.getClass().name}.${context.getHandler().name}`);
    if (roles.includes(principal.role)) return true;

    const info = gql.getInfo<{ fieldName: string; parentType: { name: string } }>();
    const error = forbidden(
      `${info.fieldName} is for ${roles.join(' or ')} only; this key's role is ${principal.role}`,
    );
    if (info.parentType.name === 'Mutation') {
      await this.audit.record(principal.id, info.fieldName, gql.getArgs(), error);
    }
    throw error;
  }
}

/** The caller's address as Express sees it (its trust-proxy setting applies). */
function addressOf(ctx: GqlContext): string {
  const req = ctx.req as { ip?: string; socket?: { remoteAddress?: string } } | undefined;
  return req?.ip ?? req?.socket?.remoteAddress ?? 'unknown';
}

function authorizationOf(ctx: GqlContext): unknown {
  // Over graphql-ws the Apollo driver sets `req` to the socket's context, which has no headers.
  if (ctx.req?.headers) return ctx.req.headers.authorization;
  if (ctx.connectionParams) {
    return ctx.connectionParams.authorization ?? ctx.connectionParams.Authorization;
  }
  return undefined;
}
