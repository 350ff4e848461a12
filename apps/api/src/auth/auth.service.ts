import { Injectable } from '@nestjs/common';
import { hashApiKey, ParticipantRepository } from '@parkex/db';
import { unauthenticated } from '../common/app-error';
import type { Principal } from './principal';

@Injectable()
export class AuthService {
  constructor(private readonly participants: ParticipantRepository) {}

  /** Resolves `Bearer <key>` to its participant; UNAUTHENTICATED when missing, unknown or revoked. */
  async authenticate(authorization: unknown): Promise<Principal> {
    if (typeof authorization !== 'string' || authorization.trim() === '') throw unauthenticated();
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <api key>"');
    const keyHash = hashApiKey(match[1]);
    const participant = await this.participants.findByActiveKeyHash(keyHash);
    if (!participant) throw unauthenticated('the API key is unknown or has been revoked');
    return {
      id: participant.id,
      name: participant.name,
      role: participant.role,
      suspendedReason: participant.suspendedReason,
      keyHash,
    };
  }
}
