import type { INestApplication } from '@nestjs/common';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

// Payloads are untyped JSON; specs index into them freely.

type Json = any;

/** One subscription: what arrived so far, and ways to wait for more. */
export interface LiveSubscription {
  /** `data` of every `next` message without errors, in arrival order. */
  readonly results: Json[];
  /** GraphQL errors (of `next` or `error` messages) and closes (`{ closed: code, reason }`). */
  readonly errors: Json[];
  readonly ended: boolean;
  /** Resolves with the results once there are at least `count`; rejects if it ends first. */
  waitForResults(count: number, timeoutMs?: number): Promise<Json[]>;
  /** Resolves when the subscription ends (completed or failed). */
  waitForEnd(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

export interface LiveClient {
  client: Client;
  subscribe(query: string, variables?: Record<string, unknown>): LiveSubscription;
  close(): Promise<void>;
}

/** ws:// URL of an in-process test API. */
export function wsUrlOf(app: INestApplication): string {
  const address = (app.getHttpServer() as { address(): { port: number } }).address();
  return `ws://127.0.0.1:${address.port}/graphql`;
}

/** A graphql-ws client (Node needs `webSocketImpl`) sending the key in `connectionParams`. */
export function connectLive(url: string, key?: string): LiveClient {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
  return {
    client,
    subscribe: (query, variables) => subscribe(client, query, variables),
    close: async () => {
      await client.dispose();
    },
  };
}

function subscribe(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription {
  const results: Json[] = [];
  const errors: Json[] = [];
  let ended = false;
  const watchers = new Set<() => void>();
  const changed = () => {
    for (const watcher of [...watchers]) watcher();
  };
  const unsubscribe = client.subscribe<Json>(
    { query, variables },
    {
      next: (message) => {
        if (message.errors) errors.push(...message.errors);
        else results.push(message.data);
        changed();
      },
      error: (error) => {
        errors.push(Array.isArray(error) ? error : closeOf(error));
        ended = true;
        changed();
      },
      complete: () => {
        ended = true;
        changed();
      },
    },
  );

  const waitUntil = (done: () => boolean, failed: () => string | null, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) finish();
        else {
          const failure = failed();
          if (failure) finish(new Error(failure));
        }
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `timed out after ${timeoutMs} ms with ${results.length} results, errors ${JSON.stringify(errors)}`,
            ),
          ),
        timeoutMs,
      );
      const finish = (error?: Error) => {
        clearTimeout(timer);
        watchers.delete(check);
        if (error) reject(error);
        else resolve();
      };
      watchers.add(check);
      check();
    });

  return {
    results,
    errors,
    get ended() {
      return ended;
    },
    waitForResults: async (count, timeoutMs = 20_000) => {
      await waitUntil(
        () => results.length >= count,
        () =>
          ended
            ? `the subscription ended with ${results.length} of ${count} results; errors ${JSON.stringify(errors)}`
            : null,
        timeoutMs,
      );
      return results;
    },
    waitForEnd: (timeoutMs = 20_000) =>
      waitUntil(
        () => ended,
        () => null,
        timeoutMs,
      ),
    unsubscribe,
  };
}

/** A socket close as the client reports it (a ws CloseEvent), or any other failure. */
function closeOf(error: unknown): { closed: number | string; reason?: string } {
  const event = error as { code?: unknown; reason?: unknown };
  if (typeof event?.code === 'number') {
    return { closed: event.code, reason: typeof event.reason === 'string' ? event.reason : '' };
  }
  return { closed: String(error) };
}
