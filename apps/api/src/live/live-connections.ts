import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ParticipantRepository } from '@parkex/db';
import type { Principal } from '@parkex/api/auth/principal';
import { LIVE_OPTIONS, type LiveOptions } from './live.options';

/** The part of a `ws` WebSocket the registry needs. */
export interface LiveSocket {
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/** graphql-ws close codes (its `CloseCode` names 4401 and 4403; 4429 follows them). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_TOO_MANY = 4429;

interface KeyedSocket {
  keyHash: string;
  participantId: string;
}

/**
 * This replica's open graphql-ws sockets: counted per client address (from the upgrade) and per
 * API key (from connection_init), so the caps hold, and found by participant, so that a revoked
 * key's or a suspended participant's sockets are closed. The replica that revokes or suspends
 * closes them at once (`closeParticipant`); every replica also re-checks the keys of its open
 * sockets every `keyRecheckMs` in one query, which covers the revocations and suspensions made by
 * other replicas (or directly in the database).
 */
@Injectable()
export class LiveConnections implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LiveSockets');
  private readonly perAddress = new Map<string, number>();
  private readonly perKey = new Map<string, Set<LiveSocket>>();
  private readonly keyed = new Map<LiveSocket, KeyedSocket>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(
    private readonly participants: ParticipantRepository,
    @Inject(LIVE_OPTIONS) private readonly options: LiveOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.recheck(), this.options.sockets.keyRecheckMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Counts a new socket against its address; false (not counted) when the address is full. */
  admit(socket: LiveSocket, address: string): boolean {
    const open = this.perAddress.get(address) ?? 0;
    if (open >= this.options.sockets.maxConnectionsPerAddress) return false;
    this.perAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
    });
    return true;
  }

  /** Counts an authenticated socket against its key; false (not counted) when the key is full. */
  attach(socket: LiveSocket, principal: Principal): boolean {
    const sockets = this.perKey.get(principal.keyHash) ?? new Set<LiveSocket>();
    if (sockets.size >= this.options.sockets.maxConnectionsPerKey) return false;
    sockets.add(socket);
    this.perKey.set(principal.keyHash, sockets);
    this.keyed.set(socket, { keyHash: principal.keyHash, participantId: principal.id });
    socket.once('close', () => this.detach(socket));
    return true;
  }

  /** Closes every socket of this participant (its keys were revoked, or it was suspended). */
  closeParticipant(participantId: string, reason: string): void {
    for (const [socket, entry] of this.keyed) {
      if (entry.participantId === participantId) this.close(socket, reason);
    }
  }

  /**
   * One query for the keys of all open sockets: a key no longer active (revoked) or whose
   * participant is suspended closes its sockets with 4403. Skipped while the previous one runs.
   */
  async recheck(): Promise<void> {
    if (this.checking || this.perKey.size === 0) return;
    this.checking = true;
    try {
      const active = await this.participants.activeKeys([...this.perKey.keys()]);
      const byHash = new Map(active.map((key) => [key.keyHash, key]));
      for (const [keyHash, sockets] of [...this.perKey]) {
        const key = byHash.get(keyHash);
        if (key && !key.suspended) continue;
        const reason = key ? 'the participant has been suspended' : 'the API key has been revoked';
        for (const socket of sockets) this.close(socket, reason);
      }
    } catch (error) {
      this.logger.warn(
        `re-checking the keys of open sockets failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.checking = false;
    }
  }

  /** Forgets the socket at once (it no longer counts, and is never closed twice). */
  private close(socket: LiveSocket, reason: string): void {
    this.detach(socket);
    socket.close(CLOSE_FORBIDDEN, reason);
  }

  private detach(socket: LiveSocket): void {
    const entry = this.keyed.get(socket);
    if (!entry) return;
    this.keyed.delete(socket);
    const sockets = this.perKey.get(entry.keyHash);
    sockets?.delete(socket);
    if (sockets && sockets.size === 0) this.perKey.delete(entry.keyHash);
  }
}
