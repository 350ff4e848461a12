import WebSocket from 'ws';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { wsUrlOf } from '@parkex/test-support/graphql-ws-client';

// Messages are untyped JSON; the spec indexes into them freely.

type Json = any;

const PROTOCOL = 'graphql-transport-ws';
const WAIT = `subscription { clearingPublished { productCode } }`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(participantId: $id) }`;
const SUSPEND = `mutation($id: ID!) { suspendParticipant(id: $id, reason: "meter fraud") { id } }`;

/** A raw graphql-transport-ws socket: every message and the close, as they arrive. */
interface RawSocket {
  ws: WebSocket;
  messages: Json[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: Json): void;
  /** Resolves with the first message that matches; rejects when the socket closes first. */
  next(match: (message: Json) => boolean, timeoutMs?: number): Promise<Json>;
}

let addressCounter = 10;
/**
 * A loopback address of its own per test (127.0.0.x): the per-address cap of one test never
 * meets the sockets of another.
 */
function ownAddress(): string {
  addressCounter += 1;
  return `127.0.0.${addressCounter}`;
}

const opened: WebSocket[] = [];

function open(url: string, localAddress: string): Promise<RawSocket> {
  const ws = new WebSocket(url, PROTOCOL, { localAddress });
  opened.push(ws);
  const messages: Json[] = [];
  const watchers = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString('utf8')));
    for (const watch of [...watchers]) watch();
  });
  ws.on('error', () => {}); // a refused socket may also see ECONNRESET; its close is what counts
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      for (const watch of [...watchers]) watch();
    }),
  );
  const socket: RawSocket = {
    ws,
    messages,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    next: (match, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found) finish(() => resolve(found));
          else if (ws.readyState === WebSocket.CLOSED) {
            finish(() => reject(new Error(`closed first; messages ${JSON.stringify(messages)}`)));
          }
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`timed out; ${JSON.stringify(messages)}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          settle();
        };
        watchers.add(check);
        check();
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** Opens a socket and sends connection_init with this key (none: no authorization). */
async function connect(url: string, localAddress: string, key?: string): Promise<RawSocket> {
  const socket = await open(url, localAddress);
  socket.send({
    type: 'connection_init',
    payload: key ? { authorization: `Bearer ${key}` } : {},
  });
  return socket;
}

async function acknowledged(socket: RawSocket): Promise<RawSocket> {
  await socket.next((m) => m.type === 'connection_ack');
  return socket;
}

/**
 * graphql-ws on /graphql holds against abuse: frame size, the key at connection_init, caps on
 * connections per key and address and on operations per connection, and sockets of revoked keys
 * and suspended participants closed, on this replica at once and on another by its re-check.
 */
describe('graphql-ws limits', () => {
  let api: TestApi;
  let other: TestApi;
  let url: string;

  beforeAll(async () => {
    // This replica never re-checks on its own (10 min): what it closes, it closes at once.
    api = await startTestApi({
      liveMaxConnectionsPerKey: 2,
      liveMaxConnectionsPerAddress: 3,
      liveMaxSubscriptionsPerConnection: 2,
      liveKeyRecheckMs: 600_000,
    });
    url = wsUrlOf(api.app);
    // A second replica, which learns of revocations through its re-check only.
    other = await startTestApi({ liveKeyRecheckMs: 200 });
  }, 60_000);

  afterEach(() => {
    for (const ws of opened.splice(0)) ws.terminate();
  });

  afterAll(async () => {
    await other?.close();
    await api?.close();
  });

  describe('frame size', () => {
    it('closes the socket with 1009 for an 8 MiB connection_init, before any key is looked at', async () => {
      const socket = await open(url, ownAddress());
      socket.send({
        type: 'connection_init',
        payload: { authorization: `Bearer ${api.operatorKey}`, padding: 'x'.repeat(8 << 20) },
      });
      expect((await socket.closed).code).toBe(1009);
      expect(socket.messages).toEqual([]);
    });

    it('accepts a message of exactly 64 KiB and refuses one byte more', async () => {
      const frame = (bytes: number) => {
        const base = {
          type: 'connection_init',
          payload: { authorization: `Bearer ${api.operatorKey}`, padding: '' },
        };
        const padding = 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(base)));
        const text = JSON.stringify({ ...base, payload: { ...base.payload, padding } });
        expect(Buffer.byteLength(text)).toBe(bytes);
        return text;
      };
      const address = ownAddress();
      const atBound = await open(url, address);
      atBound.ws.send(frame(65_536));
      await acknowledged(atBound);

      const beyond = await open(url, address);
      beyond.ws.send(frame(65_537));
      expect((await beyond.closed).code).toBe(1009);
    });
  });

  describe('the key at connection_init', () => {
    it('closes with 4401 without a key or with an unknown one, and acknowledges a valid one', async () => {
      const address = ownAddress();
      const none = await connect(url, address);
      expect(await none.closed).toMatchObject({ code: 4401 });
      expect(none.messages).toEqual([]);

      const unknown = await connect(url, address, 'pkx_not_a_key_of_this_park');
      expect(await unknown.closed).toEqual({
        code: 4401,
        reason: 'the API key is unknown or has been revoked',
      });

      const participant = await api.createParticipant(uniqueName('Bakery'));
      await acknowledged(await connect(url, address, participant.key));
    });

    it('closes with 4401 a socket that subscribes before connection_init, and 4403 for a suspended participant', async () => {
      const address = ownAddress();
      const eager = await open(url, address);
      eager.send({ id: '1', type: 'subscribe', payload: { query: WAIT } });
      expect((await eager.closed).code).toBe(4401);

      const participant = await api.createParticipant(uniqueName('Metal works'));
      const suspended = await api.gql(SUSPEND, { id: participant.id }, api.operatorKey);
      expect(suspended.errors).toBeUndefined();
      const socket = await connect(url, address, participant.key);
      expect(await socket.closed).toEqual({ code: 4403, reason: 'the participant is suspended' });
    });
  });

  describe('revocation and suspension', () => {
    it('closes a revoked key’s sockets with 4403: at once on the replica that revoked it, by the re-check on another', async () => {
      const participant = await api.createParticipant(uniqueName('EV hub'));
      const here = await acknowledged(await connect(url, ownAddress(), participant.key));
      here.send({ id: '1', type: 'subscribe', payload: { query: WAIT } });
      const there = await acknowledged(
        await connect(wsUrlOf(other.app), ownAddress(), participant.key),
      );
      there.send({ id: '1', type: 'subscribe', payload: { query: WAIT } });

      const revoked = await api.gql(REVOKE, { id: participant.id }, api.operatorKey);
      expect(revoked.errors).toBeUndefined();
      expect(await here.closed).toEqual({ code: 4403, reason: 'the API key has been revoked' });
      expect(await there.closed).toEqual({ code: 4403, reason: 'the API key has been revoked' });
      // And the key cannot come back.
      const again = await connect(url, ownAddress(), participant.key);
      expect((await again.closed).code).toBe(4401);
    });

    it('closes a suspended participant’s sockets with 4403 on both replicas', async () => {
      const participant = await api.createParticipant(uniqueName('Rooftop PV'));
      const here = await acknowledged(await connect(url, ownAddress(), participant.key));
      const there = await acknowledged(
        await connect(wsUrlOf(other.app), ownAddress(), participant.key),
      );
      const suspended = await api.gql(SUSPEND, { id: participant.id }, api.operatorKey);
      expect(suspended.errors).toBeUndefined();
      expect(await here.closed).toEqual({
        code: 4403,
        reason: 'the participant has been suspended',
      });
      expect(await there.closed).toEqual({
        code: 4403,
        reason: 'the participant has been suspended',
      });
    });
  });

  describe('caps', () => {
    it('allows 2 connections per key (the setting), closes the third with 4429, and counts a closed one out', async () => {
      const participant = await api.createParticipant(uniqueName('Canteen'));
      const first = await acknowledged(await connect(url, ownAddress(), participant.key));
      await acknowledged(await connect(url, ownAddress(), participant.key));
      const third = await connect(url, ownAddress(), participant.key);
      expect(await third.closed).toEqual({
        code: 4429,
        reason: 'more than 2 open connections for this API key',
      });
      first.ws.close(1000);
      await first.closed;
      await eventuallyAcknowledged(() => connect(url, ownAddress(), participant.key));
    });

    it('allows 3 connections per address (the setting), keyed or not, and closes the fourth with 4429', async () => {
      const participant = await api.createParticipant(uniqueName('Furniture store'));
      const address = ownAddress();
      const first = await open(url, address);
      await open(url, address);
      await acknowledged(await connect(url, address, participant.key));
      const fourth = await open(url, address);
      expect(await fourth.closed).toEqual({
        code: 4429,
        reason: 'more than 3 open connections from this address',
      });
      // Another address is not affected.
      await acknowledged(await connect(url, ownAddress(), participant.key));
      first.ws.close(1000);
      await first.closed;
      await eventuallyAcknowledged(() => connect(url, address, api.operatorKey));
    });

    it('runs 2 operations per connection (the setting); a third gets an error message and the socket stays', async () => {
      const socket = await acknowledged(await connect(url, ownAddress(), api.operatorKey));
      socket.send({ id: 'a', type: 'subscribe', payload: { query: WAIT } });
      socket.send({ id: 'b', type: 'subscribe', payload: { query: WAIT } });
      socket.send({ id: 'c', type: 'subscribe', payload: { query: '{ me { role } }' } });
      const refused = await socket.next((m) => m.id === 'c');
      expect(refused.type).toBe('error');
      expect(refused.payload[0].extensions).toEqual({
        code: 'RATE_LIMITED',
        reason: 'SUBSCRIPTION_LIMIT',
        limit: 2,
      });
      expect(refused.payload[0].message).toMatch(/at most 2 operations/);

      socket.send({ id: 'a', type: 'complete' });
      socket.send({ id: 'd', type: 'subscribe', payload: { query: '{ me { role } }' } });
      const answered = await socket.next((m) => m.id === 'd' && m.type === 'next');
      expect(answered.payload).toEqual({ data: { me: { role: 'OPERATOR' } } });
      expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    });
  });
});

/** The server counts a socket out when its close completes: retry briefly until it has. */
async function eventuallyAcknowledged(connectOnce: () => Promise<RawSocket>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const socket = await connectOnce();
    const outcome = await Promise.race([
      socket
        .next((m) => m.type === 'connection_ack')
        .then(
          () => 'ack',
          () => 'closed',
        ),
      socket.closed.then(({ code }) => code),
    ]);
    if (outcome === 'ack') return;
    if (attempt >= 20) throw new Error(`still refused (${String(outcome)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
