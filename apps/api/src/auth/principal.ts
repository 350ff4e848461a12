import type { Role } from '@parkex/db';

/** The authenticated caller of a request, resolved from its API key. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  suspendedReason: string | null;
  /** Hash of the key used; rate limits are per key. */
  keyHash: string;
}

export interface GqlContext {
  req?: { headers: Record<string, string | string[] | undefined> };
  connectionParams?: Record<string, unknown>;
  principal?: Principal;
}
