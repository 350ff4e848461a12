import type { IncomingMessage } from 'node:http';
import type { Role } from '@parkex/db';
import type { CostedContext } from '../graphql/query-limits';

/** The authenticated caller of a request, resolved from its API key. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  suspendedReason: string | null;
  /** Hash of the key used; rate limits are per key. */
  keyHash: string;
}

/**
 * How an HTTP request's key was judged, once, before its body was read (`requestGate`). A
 * graphql-ws upgrade request carries only the address (`LiveSocketServer`): its key comes with
 * connection_init and is judged per operation.
 */
export interface RequestAuth {
  /** The client address the pre-authentication limit counts (see ClientAddresses). */
  address: string;
  principal?: Principal;
  /** UNAUTHENTICATED: thrown by every guarded field of the request. */
  error?: Error;
}

/** An HTTP request after the gate, or a graphql-ws upgrade request. */
export type GatedRequest = IncomingMessage & { parkexAuth?: RequestAuth; body?: unknown };

/** A request's admission: its principal, or the error all its guarded fields throw. */
export type Admission = { principal: Principal } | { error: unknown };

/** An operation's context; its cost is noted by the query limits before it runs. */
export interface GqlContext extends CostedContext {
  /** Over HTTP the Express request; over graphql-ws the socket's context (no headers). */
  req?: { headers?: Record<string, string | string[] | undefined>; parkexAuth?: RequestAuth };
  connectionParams?: Record<string, unknown>;
  /** Over graphql-ws: `extra.request` is the upgrade request. */
  extra?: { request?: GatedRequest };
  principal?: Principal;
  /** Decided by the first guarded field; the other fields (aliases too) share it. */
  admission?: Promise<Admission>;
}
