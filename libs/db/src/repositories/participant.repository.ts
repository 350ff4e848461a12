import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { ParticipantEntity, type Role } from '../entities/participant.entity';
import { isUniqueViolation } from './pg-errors';

export interface NewKey {
  keyHash: string;
  prefix: string;
}

@Injectable()
export class ParticipantRepository {
  constructor(private readonly db: DataSource) {}

  findById(id: string): Promise<ParticipantEntity | null> {
    return this.db.getRepository(ParticipantEntity).findOneBy({ id });
  }

  /** The participant owning an active (not revoked) key with this hash. */
  async findByActiveKeyHash(keyHash: string): Promise<ParticipantEntity | null> {
    return this.db
      .getRepository(ParticipantEntity)
      .createQueryBuilder('p')
      .innerJoin(ApiKeyEntity, 'k', 'k.participant_id = p.id')
      .where('k.key_hash = :keyHash AND k.revoked_at IS NULL', { keyHash })
      .getOne();
  }

  /** Creates a participant and its first key atomically; null when the name is taken. */
  async createWithKey(name: string, role: Role, key: NewKey): Promise<ParticipantEntity | null> {
    try {
      return await this.db.transaction(async (tx) => {
        const participant = await tx.getRepository(ParticipantEntity).save({ name, role });
        await tx.getRepository(ApiKeyEntity).insert({ participantId: participant.id, ...key });
        return participant;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'participant_name_key')) return null;
      throw error;
    }
  }

  async addKey(participantId: string, key: NewKey): Promise<void> {
    await this.db.getRepository(ApiKeyEntity).insert({ participantId, ...key });
  }

  /** Revokes every active key of the participant; returns how many. */
  async revokeKeys(participantId: string): Promise<number> {
    const result = await this.db
      .getRepository(ApiKeyEntity)
      .update({ participantId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return result.affected ?? 0;
  }

  /**
   * Start-up bootstrap: makes sure an operator exists and, when a key is given, that it is
   * registered to an operator. Safe when several replicas start at once.
   * Returns `created` when a new operator row was made.
   */
  async ensureOperator(name: string, key: NewKey | undefined): Promise<'created' | 'exists'> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(7305002)`);
      const participants = tx.getRepository(ParticipantEntity);
      if (key) {
        const owner = await tx.query<{ role: Role }[]>(
          `SELECT p.role FROM api_key k JOIN participant p ON p.id = k.participant_id
           WHERE k.key_hash = $1`,
          [key.keyHash],
        );
        if (owner.length) {
          if (owner[0].role !== 'OPERATOR') {
            throw new Error('OPERATOR_API_KEY belongs to a participant that is not an operator');
          }
          return 'exists';
        }
      }
      let operator = await participants.findOne({
        where: { role: 'OPERATOR' },
        order: { createdAt: 'ASC' },
      });
      const created = operator === null;
      operator ??= await participants.save({ name, role: 'OPERATOR' as const });
      if (key) await tx.getRepository(ApiKeyEntity).insert({ participantId: operator.id, ...key });
      return created ? 'created' : 'exists';
    });
  }

  async countOperators(): Promise<number> {
    return this.db.getRepository(ParticipantEntity).countBy({ role: 'OPERATOR' });
  }
}
