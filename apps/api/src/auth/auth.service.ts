import { Inject, Injectable } from '@nestjs/common';
import { hashApiKey, ParticipantRepository } from '@parkex/db';
import { unauthenticated } from '../common/app-error';
import { API_CONFIG, type ApiConfig } from '@parkex/api/config/api-config';
import { AddressRateLimiter } from '@parkex/api/rate-limit/rate-limiter';
import type { GatedRequest, Principal } from './principal';

/** Keys remembered at most, valid and unknown each; the oldest entry goes first. */
const AUTH_CACHE_ENTRIES = 10_000;

/**
 * Resolves API keys. A key seen in the last `authCacheMs` is answered from memory (one
 * database round trip less per request); this process forgets a participant's keys at once
 * when it revokes them or changes its suspension, other replicas within `authCacheMs`.
 * The key and the suspension are also checked inside every order transaction, under share
 * locks, so the cache never lets a revoked key or a suspended participant trade. An unknown or revoked key is remembered for
 * `authNegativeCacheMs`, so repeating it costs no lookup; keys are random (256 bits), so a new
 * key has never been tried before it is issued.
 *
 * With the caller's address, requests without a valid key also take a token of that address's
 * bucket (before the lookup, given back when the key is valid), so nobody can make the API look
 * up keys faster than `RATE_LIMIT_ANON_*` allows.
 */
@Injectable()
export class AuthService {
  private readonly known = new Map<string, { principal: Principal; expiresMs: number }>();
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly participants: ParticipantRepository,
    private readonly addressLimiter: AddressRateLimiter,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Drops cached keys of this participant (after revocation, suspension or reinstatement). */
  forget(participantId: string): void {
    for (const [keyHash, entry] of this.known) {
      if (entry.principal.id === participantId) this.known.delete(keyHash);
    }
  }

  /**
   * For graphql-ws: the key of the connection's parameters (`authorization`), counted against
   * the client address of its upgrade request (decided once, at the upgrade) like an HTTP
   * request's.
   */
  authenticateSocket(
    connectionParams: Readonly<Record<string, unknown>> | undefined,
    upgrade: GatedRequest | undefined,
  ): Promise<Principal> {
    const params = connectionParams ?? {};
    return this.authenticate(
      params.authorization ?? params.Authorization,
      upgrade?.parkexAuth?.address,
    );
  }

  /**
   * Resolves `Bearer <key>` to its participant; UNAUTHENTICATED when missing, unknown or
   * revoked. With `address`, a request without a valid key counts against that address
   * (RATE_LIMITED once its bucket is empty, before any lookup).
   */
  async authenticate(authorization: unknown, address?: string): Promise<Principal> {
    const charge = () => {
      if (address !== undefined) this.addressLimiter.take(address);
    };
    if (typeof authorization !== 'string' || authorization.trim() === '') {
      charge();
      throw unauthenticated();
    }
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) {
      charge();
      throw unauthenticated('the Authorization header must be "Bearer <api key>"');
    }
    const keyHash = hashApiKey(match[1]);
    const now = performance.now();
    const cached = this.known.get(keyHash);
    if (cached && cached.expiresMs > now) return cached.principal;

    charge();
    const unknownUntil = this.unknown.get(keyHash);
    if (unknownUntil !== undefined && unknownUntil > now) throw unknownKey();
    const participant = await this.participants.findByActiveKeyHash(keyHash);
    if (!participant) {
      this.known.delete(keyHash);
      if (this.config.authNegativeCacheMs > 0) {
        remember(this.unknown, keyHash, performance.now() + this.config.authNegativeCacheMs);
      }
      throw unknownKey();
    }
    if (address !== undefined) this.addressLimiter.refund(address);
    this.unknown.delete(keyHash);
    const principal: Principal = {
      id: participant.id,
      name: participant.name,
      role: participant.role,
      suspendedReason: participant.suspendedReason,
      keyHash,
    };
    if (this.config.authCacheMs > 0) {
      remember(this.known, keyHash, { principal, expiresMs: now + this.config.authCacheMs });
    }
    return principal;
  }
}

const unknownKey = () => unauthenticated('the API key is unknown or has been revoked');

/** Sets `key`, dropping the oldest entry when the map is full (bounded memory). */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= AUTH_CACHE_ENTRIES) map.delete(map.keys().next().value as string);
  map.set(key, value);
}
