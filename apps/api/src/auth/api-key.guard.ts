import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Role } from '@parkex/db';
import { AuditService } from '@parkex/api/audit/audit.service';
import { forbidden } from '../common/app-error';
import { RateLimiter } from '@parkex/api/rate-limit/rate-limiter';
import { type OperationInfo, requestWeight } from '@parkex/api/rate-limit/request-weight';
import { AuthService } from './auth.service';
import type { Admission, GqlContext, Principal } from './principal';
import { gatedPrincipal } from './request-gate';
import { ROLES_KEY } from './roles.decorator';

/**
 * Authenticates the API key of every GraphQL call and checks the caller's role against
 * `@Roles` (method over class). Every resolver class carries it; a test enforces that.
 * A request is admitted once, by its first guarded field: one key lookup at most, one charge
 * of its weight to the key's rate limit; its other fields share the outcome.
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
    const info = gql.getInfo<OperationInfo & { fieldName: string; parentType: { name: string } }>();
    ctx.admission ??= this.admit(ctx, info);
    const admission = await ctx.admission;
    if ('error' in admission) throw admission.error;
    const principal = admission.principal;
    ctx.principal = principal;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles)
      throw new Error(`no @Roles on ${context.getClass().name}.${context.getHandler().name}`);
    if (roles.includes(principal.role)) return true;

    const error = forbidden(
      `${info.fieldName} is for ${roles.join(' or ')} only; this key's role is ${principal.role}`,
    );
    if (info.parentType.name === 'Mutation') {
      await this.audit.record(principal.id, info.fieldName, gql.getArgs(), error);
    }
    throw error;
  }

  private async admit(ctx: GqlContext, info: OperationInfo): Promise<Admission> {
    let principal: Principal | undefined;
    try {
      principal = await this.principalOf(ctx);
      // The cost the query limits noted; measured here only if they did not.
      this.rateLimiter.take(principal.keyHash, ctx.queryCost ?? requestWeight(info));
      return { principal };
    } catch (error) {
      // Counted once per request (admission is) into the audit log's per-minute refusal rows.
      this.audit.noteRefusal(ctx, error, {
        address: addressOf(ctx),
        participantId: principal?.id,
      });
      return { error };
    }
  }

  private async principalOf(ctx: GqlContext): Promise<Principal> {
    // Over HTTP the request gate (in front of every /graphql request) has judged the key before
    // the body was read.
    if (ctx.req) return gatedPrincipal(ctx.req);
    // graphql-ws: the key is in the connection's parameters, the address on its upgrade request.
    return this.auth.authenticateSocket(ctx.connectionParams, ctx.extra?.request);
  }
}

/**
 * The caller's address as the request gate, or for graphql-ws the upgrade, resolved it (trusted
 * proxies applied).
 */
function addressOf(ctx: GqlContext): string {
  return ctx.req?.parkexAuth?.address ?? ctx.extra?.request?.parkexAuth?.address ?? 'unknown';
}
