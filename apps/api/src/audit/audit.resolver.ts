import { UseGuards } from '@nestjs/common';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Roles } from '../auth/roles.decorator';
import { encodeCursor } from '../graphql/page-info.model';
import { AUDIT_CURSOR, AuditLogService } from './audit-log.service';
import { AuditLogFilterInput } from './dto/audit-log-filter.input';
import { AuditEntryConnectionModel, mapAuditEntry } from './models/audit-entry.model';

/** The audit log is for auditors and the operator. */
@Resolver()
@UseGuards(ApiKeyGuard)
@Roles('AUDITOR', 'OPERATOR')
export class AuditResolver {
  constructor(private readonly service: AuditLogService) {}

  @Query(() => AuditEntryConnectionModel, {
    description: 'Recorded mutations and exports, newest first. first: 1 to 500 (default 50).',
  })
  async auditLog(
    @Args('filter', { type: () => AuditLogFilterInput, nullable: true })
    filter?: AuditLogFilterInput | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<AuditEntryConnectionModel> {
    const page = await this.service.list(filter ?? {}, first, after);
    const edges = page.rows.map((row) => ({
      cursor: encodeCursor(AUDIT_CURSOR, row.id),
      node: mapAuditEntry(row),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}
