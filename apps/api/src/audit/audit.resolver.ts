import { UseGuards } from '@nestjs/common';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { CurrentPrincipal } from '@parkex/api/auth/current-principal.decorator';
import type { Principal } from '@parkex/api/auth/principal';
import { Roles } from '@parkex/api/auth/roles.decorator';
import { encodeCursor } from '../graphql/page-info.model';
import { DateTimeScalar } from '../graphql/scalars';
import { AUDIT_CURSOR, AuditLogService } from './audit-log.service';
import { AuditLogFilterInput } from './dto/audit-log-filter.input';
import { AuditLogVerificationModel } from './models/audit-log-verification.model';
import { AuditEntryConnectionModel, mapAuditEntry } from './models/audit-entry.model';

/** The audit log is for auditors and the operator. */
@Resolver()
@UseGuards(ApiKeyGuard)
@Roles('AUDITOR', 'OPERATOR')
export class AuditResolver {
  constructor(private readonly service: AuditLogService) {}

  @Query(() => AuditEntryConnectionModel, {
    description:
      'Recorded mutations and exports, newest first. first: 1 to 500 (default 50). An auditor sees the order terms of a submitOrders row once its orders have reached their delivery start.',
  })
  async auditLog(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => AuditLogFilterInput, nullable: true })
    filter?: AuditLogFilterInput | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<AuditEntryConnectionModel> {
    const page = await this.service.list(principal.role, filter ?? {}, first, after);
    const edges = page.rows.map((row) => ({
      cursor: encodeCursor(AUDIT_CURSOR, row.id),
      node: mapAuditEntry(row),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => AuditLogVerificationModel, {
    description:
      'Checks the seals of the audit rows recorded in [from, to), by seq: each links to the previous seal (whatever its time), each hash matches the stored row; counts rows past the grace without a seal. At most AUDIT_VERIFY_MAX_SEALS seals per call (BAD_USER_INPUT, reason AUDIT_RANGE_TOO_LARGE).',
  })
  verifyAuditLog(
    @Args('from', { type: () => DateTimeScalar }) from: Date,
    @Args('to', { type: () => DateTimeScalar }) to: Date,
  ): Promise<AuditLogVerificationModel> {
    // AuditSealCheck has exactly the model's fields.
    return this.service.verify(from, to);
  }
}
