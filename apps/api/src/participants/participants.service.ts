import { Injectable, Logger } from '@nestjs/common';
import {
  apiKeyPrefix,
  generateApiKey,
  hashApiKey,
  ParticipantRepository,
  type ParticipantEntity,
  type Role,
} from '@parkex/db';
import { AuthService } from '@parkex/api/auth/auth.service';
import { badInput, conflict, notFound } from '../common/app-error';
import { isUuid } from '../common/uuid';
import { LiveConnections } from '@parkex/api/live/live-connections';

export const OPERATOR_NAME = 'Park utility (market operator)';

@Injectable()
export class ParticipantsService {
  private readonly logger = new Logger(ParticipantsService.name);

  constructor(
    private readonly participants: ParticipantRepository,
    private readonly auth: AuthService,
    /** This replica's graphql-ws sockets: closed at once when their key stops being valid. */
    private readonly sockets: LiveConnections,
  ) {}

  async get(id: string): Promise<ParticipantEntity> {
    const participant = isUuid(id) ? await this.participants.findById(id) : null;
    if (!participant) throw notFound(`participant ${id} does not exist`);
    return participant;
  }

  /** Registers a participant with a fresh API key, returned this once. */
  async create(
    name: string,
    role: Role,
  ): Promise<{ participant: ParticipantEntity; apiKey: string }> {
    const apiKey = generateApiKey();
    const participant = await this.participants.createWithKey(name.trim(), role, keyRecord(apiKey));
    if (!participant)
      throw conflict(`a participant named "${name.trim()}" already exists`, {
        field: 'input.name',
      });
    return { participant, apiKey };
  }

  /** Issues an additional key (for rotation); returned this once. */
  async issueKey(participantId: string): Promise<string> {
    await this.get(participantId);
    const apiKey = generateApiKey();
    await this.participants.addKey(participantId, keyRecord(apiKey));
    return apiKey;
  }

  /** Revokes every active key of the participant; returns how many. */
  async revokeKeys(participantId: string): Promise<number> {
    await this.get(participantId);
    const revoked = await this.participants.revokeKeys(participantId);
    this.auth.forget(participantId);
    this.sockets.closeParticipant(participantId, 'the API key has been revoked');
    return revoked;
  }

  /**
   * Suspends a trading participant: new orders are refused (FORBIDDEN with the reason) and its
   * OPEN orders in intervals whose gate is still open are cancelled in the same transaction.
   */
  async suspend(id: string, reason: string): Promise<ParticipantEntity> {
    const text = reason.trim();
    if (text.length < 1 || text.length > 500) {
      throw badInput('reason must be 1 to 500 characters and not blank', { field: 'reason' });
    }
    const participant = await this.get(id);
    if (participant.role !== 'PARTICIPANT') {
      throw badInput(
        `only a trading participant can be suspended; ${id} is an ${participant.role}`,
        {
          field: 'id',
        },
      );
    }
    const result = await this.participants.suspend(id, text);
    if (!result) throw notFound(`participant ${id} does not exist`);
    this.auth.forget(id);
    this.sockets.closeParticipant(id, 'the participant has been suspended');
    this.logger.log(
      `suspended ${id} (${result.participant.name}); cancelled ${result.cancelledOrders} open orders`,
    );
    return result.participant;
  }

  /** Lifts a suspension: the participant may trade again. */
  async reinstate(id: string): Promise<ParticipantEntity> {
    await this.get(id);
    const participant = await this.participants.reinstate(id);
    if (!participant) throw notFound(`participant ${id} does not exist`);
    this.auth.forget(id);
    return participant;
  }

  /**
   * Start-up: registers `OPERATOR_API_KEY` to the operator, or, when none is configured and
   * no operator exists yet, creates one with a generated key and returns it (print it once).
   */
  async bootstrapOperator(configuredKey: string | undefined): Promise<string | undefined> {
    if (configuredKey) {
      await this.participants.ensureOperator(OPERATOR_NAME, keyRecord(configuredKey));
      return undefined;
    }
    if ((await this.participants.countOperators()) > 0) return undefined;
    const apiKey = generateApiKey();
    const outcome = await this.participants.ensureOperator(OPERATOR_NAME, keyRecord(apiKey));
    if (outcome === 'created') return apiKey;
    this.logger.warn('another replica created the operator first; its key was printed there');
    return undefined;
  }
}

function keyRecord(apiKey: string) {
  return { keyHash: hashApiKey(apiKey), prefix: apiKeyPrefix(apiKey) };
}
