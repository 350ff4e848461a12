import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLogEntity } from '../entities/audit-log.entity';

export interface AuditRecord {
  actorId: string | null;
  action: string;
  args: unknown;
  outcome: 'OK' | 'ERROR';
  errorCode?: string | null;
  message?: string | null;
}

@Injectable()
export class AuditLogRepository {
  constructor(private readonly db: DataSource) {}

  async append(record: AuditRecord): Promise<void> {
    await this.db.getRepository(AuditLogEntity).insert({
      actorId: record.actorId,
      action: record.action,
      args: record.args as object,
      outcome: record.outcome,
      errorCode: record.errorCode ?? null,
      message: record.message ?? null,
    });
  }

  findByAction(action: string, limit = 100): Promise<AuditLogEntity[]> {
    return this.db
      .getRepository(AuditLogEntity)
      .find({ where: { action }, order: { id: 'DESC' }, take: limit });
  }
}
