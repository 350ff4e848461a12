import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { runWithPendingAudit } from '@parkex/db';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import type { GqlContext } from '@parkex/api/auth/principal';
import { AuditService } from './audit.service';

/**
 * Writes an audit row for every GraphQL mutation, whatever its outcome. An allowed mutation's
 * row is written by the repository inside the mutation's transaction (the pending row travels
 * with the call); a refused one is recorded after the fact, in a transaction of its own.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditInterceptor.name);

  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<{ fieldName: string; parentType: { name: string } }>();
    if (info.parentType.name !== 'Mutation') return next.handle();

    const actorId = gql.getContext<GqlContext>().principal?.id ?? null;
    const args: unknown = gql.getArgs();
    const pending = this.audit.pending(actorId, info.fieldName, args);
    // The resolver runs inside the subscription, so the pending row is in its async context.
    const handled = new Observable<unknown>((subscriber) =>
      runWithPendingAudit(pending, () => next.handle().subscribe(subscriber)),
    );
    return handled.pipe(
      mergeMap((result: unknown) => {
        if (pending.written) return [result];
        // A mutation that changed nothing in a transaction of ours: recorded after the fact.
        this.logger.warn(`${info.fieldName} wrote no audit row in its transaction`);
        return from(this.audit.record(actorId, info.fieldName, args).then(() => result));
      }),
      catchError((error: unknown) =>
        from(this.audit.record(actorId, info.fieldName, args, error)).pipe(
          mergeMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}
