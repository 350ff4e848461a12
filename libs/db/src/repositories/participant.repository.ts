import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { ParticipantEntity, type Role } from '../entities/participant.entity';
import { appendPendingAudit } from './audit-log.repository';
import { cancelOpenAuctionOrders } from './auction.repository';
import { cancelOpenOrdersInOpenIntervals, isGateClosedError } from './order.repository';
import { isUniqueViolation } from './pg-errors';

export interface NewKey {
  keyHash: string;
  prefix: string;
}

/** Arbitrary constant: the transaction-level advisory lock that serialises operator bootstraps. */
const OPERATOR_BOOTSTRAP_LOCK = 7_305_002;

@Injectable()
export class ParticipantRepository {
  constructor(private readonly db: DataSource) {}

  findById(id: string): Promise<ParticipantEntity | null> {
    return this.db.getRepository(ParticipantEntity).findOneBy({ id });
  }

  /**
   * The participant owning an active (not revoked) key with this hash. Runs on every request:
   * plain SQL, as TypeORM's query builder costs more CPU than the query itself.
   */
  async findByActiveKeyHash(keyHash: string): Promise<ParticipantEntity | null> {
    const rows = await this.db.query<ParticipantEntity[]>(
      `SELECT p.id, p.name, p.role, p.suspended_reason AS "suspendedReason",
              p.suspended_at AS "suspendedAt", p.created_at AS "createdAt"
       FROM api_key k JOIN participant p ON p.id = k.participant_id
       WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [keyHash],
    );
    return rows[0] ?? null;
  }

  /**
   * Which of these key hashes are still active, with their participant and whether it is
   * suspended: one query for all of a replica's open sockets (the live feed's re-check).
   */
  async activeKeys(
    keyHashes: readonly string[],
  ): Promise<{ keyHash: string; participantId: string; suspended: boolean }[]> {
    if (!keyHashes.length) return [];
    const rows = await this.db.query<
      { key_hash: string; participant_id: string; suspended: boolean }[]
    >(
      `SELECT k.key_hash, k.participant_id, p.suspended_reason IS NOT NULL AS suspended
       FROM api_key k JOIN participant p ON p.id = k.participant_id
       WHERE k.key_hash = ANY($1::text[]) AND k.revoked_at IS NULL`,
      [keyHashes],
    );
    return rows.map((r) => ({
      keyHash: r.key_hash,
      participantId: r.participant_id,
      suspended: r.suspended,
    }));
  }

  /** Creates a participant and its first key atomically; null when the name is taken. */
  async createWithKey(name: string, role: Role, key: NewKey): Promise<ParticipantEntity | null> {
    try {
      return await this.db.transaction(async (tx) => {
        const participant = await tx.getRepository(ParticipantEntity).save({ name, role });
        await tx.getRepository(ApiKeyEntity).insert({ participantId: participant.id, ...key });
        await appendPendingAudit((text, values) => tx.query(text, values));
        return participant;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'participant_name_key')) return null;
      throw error;
    }
  }

  /** Adds a key (with the mutation's audit row, in one transaction). */
  async addKey(participantId: string, key: NewKey): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.getRepository(ApiKeyEntity).insert({ participantId, ...key });
      await appendPendingAudit((text, values) => tx.query(text, values));
    });
  }

  /** Revokes every active key of the participant; returns how many. */
  async revokeKeys(participantId: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      const result = await tx
        .getRepository(ApiKeyEntity)
        .update({ participantId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
      await appendPendingAudit((text, values) => tx.query(text, values));
      return result.affected ?? 0;
    });
  }

  /**
   * Start-up bootstrap: makes sure an operator exists and, when a key is given, that it is
   * registered to an operator. Safe when several replicas start at once.
   * Returns `created` when a new operator row was made.
   */
  async ensureOperator(name: string, key: NewKey | undefined): Promise<'created' | 'exists'> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [OPERATOR_BOOTSTRAP_LOCK]);
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

  /**
   * Suspends trading, in one transaction: records the reason (the row lock waits for in-flight
   * order submissions, which share-lock the participant; later ones see the reason) and cancels
   * the participant's OPEN orders in intervals whose gate is still open. Null when there is no
   * such participant. Retried when a gate closes between choosing and cancelling.
   */
  async suspend(
    id: string,
    reason: string,
  ): Promise<{ participant: ParticipantEntity; cancelledOrders: number } | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const [rows] = await tx.query<[{ id: string }[], number]>(
            `UPDATE participant SET suspended_reason = $2, suspended_at = coalesce(suspended_at, now())
             WHERE id = $1 RETURNING id`,
            [id, reason],
          );
          if (!rows.length) return null;
          const query = (text: string, values: unknown[]) => tx.query(text, values);
          const cancelledOrders =
            (await cancelOpenOrdersInOpenIntervals(query, id)) +
            (await cancelOpenAuctionOrders(query, id));
          const participant = await tx.getRepository(ParticipantEntity).findOneByOrFail({ id });
          await appendPendingAudit((text, values) => tx.query(text, values));
          return { participant, cancelledOrders };
        });
      } catch (error) {
        if (attempt < 3 && isGateClosedError(error)) continue;
        throw error;
      }
    }
  }

  /** Lifts a suspension; null when there is no such participant. */
  async reinstate(id: string): Promise<ParticipantEntity | null> {
    return this.db.transaction(async (tx) => {
      const [rows] = await tx.query<[{ id: string }[], number]>(
        `UPDATE participant SET suspended_reason = NULL, suspended_at = NULL WHERE id = $1 RETURNING id`,
        [id],
      );
      if (!rows.length) return null;
      await appendPendingAudit((text, values) => tx.query(text, values));
      return tx.getRepository(ParticipantEntity).findOneBy({ id });
    });
  }
}
