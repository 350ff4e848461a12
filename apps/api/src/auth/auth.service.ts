import { Inject, Injectable } from '@nestjs/common';
import { hashApiKey, ParticipantRepository } from '@parkex/db';
import { unauthenticated } from '../common/app-error';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import type { Principal } from './principal';

/**
 * Resolves API keys. A key seen in the last `authCacheMs` is answered from memory (one
 * database round trip less per request); this process forgets a participant's keys at once
 * when it revokes them or changes its suspension, other replicas within `authCacheMs`.
 * Suspension is also checked inside every order transaction, so the cache never lets a
 * suspended participant trade.
 */
@Injectable()
export class AuthService {
  private readonly cache = new Map<string, { principal: Principal; expiresMs: number }>();

  constructor(
    private readonly participants: ParticipantRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Drops cached keys of this participant (after revocation, suspension or reinstatement). */
  forget(participantId: string): void {
    for (const [keyHash, entry] of this.cache) {
      if (entry.principal.id === participantId) this.cache.delete(keyHash);
    }
  }

  /** Resolves `Bearer <key>` to its participant; UNAUTHENTICATED when missing, unknown or revoked. */
  async authenticate(authorization: unknown): Promise<Principal> {
    if (typeof authorization !== 'string' || authorization.trim() === '') throw unauthenticated();
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <api key>"');
    const keyHash = hashApiKey(match[1]);
    const now = performance.now();
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresMs > now) return cached.principal;
    const participant = await this.participants.findByActiveKeyHash(keyHash);
    if (!participant) {
      this.cache.delete(keyHash);
      throw unauthenticated('the API key is unknown or has been revoked');
    }
    const principal: Principal = {
      id: participant.id,
      name: participant.name,
      role: participant.role,
      suspendedReason: participant.suspendedReason,
      keyHash,
    };
    if (this.config.authCacheMs > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(keyHash, { principal, expiresMs: now + this.config.authCacheMs });
    }
    return principal;
  }
}
