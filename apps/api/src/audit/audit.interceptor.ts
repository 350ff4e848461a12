import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { catchError, from, mergeMap, type Observable, throwError } from 'rxjs';
import type { GqlContext } from '../auth/principal';
import { AuditService } from './audit.service';

/** Writes an audit row for every GraphQL mutation, whatever its outcome. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<{ fieldName: string; parentType: { name: string } }>();
    if (info.parentType.name !== 'Mutation') return next.handle();

    const actorId = gql.getContext<GqlContext>().principal?.id ?? null;
    const args: unknown = gql.getArgs();
    return next.handle().pipe(
      mergeMap((result: unknown) =>
        from(this.audit.record(actorId, info.fieldName, args).then(() => result)),
      ),
      catchError((error: unknown) =>
        from(this.audit.record(actorId, info.fieldName, args, error)).pipe(
          mergeMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}
