// Talking to ParkEx: GraphQL over HTTP, and the live feed of clearing results over the
// graphql-transport-ws protocol (a minimal client: connection_init → ack → subscribe → next…),
// with polling of clearingResults whenever the socket is down.

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export class Api {
  constructor(key) {
    this.key = key;
  }

  async query(query, variables = {}) {
    let response;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new ApiError('The ParkEx API cannot be reached.', 'NETWORK');
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(`The API answered ${response.status} without JSON.`, 'NETWORK');
    }
    if (body.errors?.length) {
      const [first] = body.errors;
      throw new ApiError(first.message, first.extensions?.code);
    }
    return body.data;
  }
}

/** The fields of a result for the chart and the table (no fills, no curves). */
export const RESULT_FIELDS =
  'productCode deliveryStart status price volume bidCount offerCount inputHash resultHash clearedAt failureReason';
export const CURVE_FIELDS = 'demandCurve { price quantity } supplyCurve { price quantity }';

/** One page of results, newest first (first ≤ 500). */
export async function resultsPage(api, productCode, after = null, first = 500) {
  const data = await api.query(
    `query($p: String!, $first: Int, $after: String) {
      clearingResults(productCode: $p, first: $first, after: $after) {
        edges { node { ${RESULT_FIELDS} } }
        pageInfo { hasNextPage endCursor }
      }
    }`,
    { p: productCode, first, after },
  );
  return {
    nodes: data.clearingResults.edges.map((edge) => edge.node),
    hasNextPage: data.clearingResults.pageInfo.hasNextPage,
    endCursor: data.clearingResults.pageInfo.endCursor,
  };
}

export async function curves(api, productCode, deliveryStart) {
  const data = await api.query(
    `query($p: String!, $d: DateTime!) {
      clearingResult(productCode: $p, deliveryStart: $d) { ${RESULT_FIELDS} ${CURVE_FIELDS} }
    }`,
    { p: productCode, d: deliveryStart },
  );
  return data.clearingResult;
}

/** Every participant's statement for one product-interval (operator and auditor see all). */
export async function positions(api, productCode, deliveryStart, intervalSeconds) {
  const from = new Date(deliveryStart);
  const to = new Date(from.getTime() + intervalSeconds * 1000);
  const rows = [];
  let after = null;
  for (let page = 0; page < 20; page++) {
    const data = await api.query(
      `query($from: DateTime, $to: DateTime, $after: String) {
        settlements(from: $from, to: $to, first: 500, after: $after) {
          edges { node { participantId productCode deliveryStart netEnergy energyAmount networkFees netAmount } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
      { from: from.toISOString(), to: to.toISOString(), after },
    );
    for (const { node } of data.settlements.edges) {
      if (node.productCode === productCode) rows.push(node);
    }
    if (!data.settlements.pageInfo.hasNextPage) break;
    after = data.settlements.pageInfo.endCursor;
  }
  return rows;
}

export async function verify(api, productCode, deliveryStart) {
  const data = await api.query(
    `query($p: String!, $d: DateTime!) {
      verifyClearing(productCode: $p, deliveryStart: $d) {
        ok differences inputHash resultHash recomputedInputHash recomputedResultHash
      }
    }`,
    { p: productCode, d: deliveryStart },
  );
  return data.verifyClearing;
}

/** Names for participant ids; an API without participantsByIds gives none (ids are shown). */
export async function participantNames(api, ids) {
  if (!ids.length) return new Map();
  try {
    const data = await api.query(
      'query($ids: [ID!]!) { participantsByIds(ids: $ids) { id name } }',
      { ids },
    );
    return new Map(data.participantsByIds.map((p) => [p.id, p.name]));
  } catch {
    return new Map();
  }
}

const PROTOCOL = 'graphql-transport-ws';
const SUBSCRIPTION = `subscription($since: DateTime) {
  clearingPublished(since: $since) { ${RESULT_FIELDS} ${CURVE_FIELDS} }
}`;
const SUBSCRIPTION_WITHOUT_SINCE = `subscription {
  clearingPublished { ${RESULT_FIELDS} ${CURVE_FIELDS} }
}`;

/**
 * Live clearing results of all products. Uses the `clearingPublished` subscription; after a
 * reconnect it passes the clearedAt of the last result it received as `since`, so nothing is
 * missed. While the socket is down (or the API has no subscription) it polls `poll()` every
 * `pollMs`. `onStatus` gets 'connecting' | 'live' | 'polling'.
 */
export class LiveFeed {
  constructor({ key, onResult, onStatus, poll, pollMs = 3000 }) {
    this.key = key;
    this.onResult = onResult;
    this.onStatus = onStatus;
    this.poll = poll;
    this.pollMs = pollMs;
    this.since = null;
    this.useSince = true;
    this.unsupported = false;
    this.attempt = 0;
    this.closed = false;
    this.socket = null;
    this.pollTimer = null;
    this.status = null;
  }

  start(since) {
    this.since = since;
    this.setStatus('connecting');
    this.connect();
  }

  stop() {
    this.closed = true;
    clearTimeout(this.pollTimer);
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'bye');
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.onStatus(status);
    if (status === 'polling') this.schedulePoll(0);
  }

  schedulePoll(delay) {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(async () => {
      if (this.closed || this.status !== 'polling') return;
      try {
        await this.poll();
      } catch {
        // shown by the next successful poll or by the socket coming back
      }
      this.schedulePoll(this.pollMs);
    }, delay);
  }

  connect() {
    if (this.closed || this.unsupported || typeof WebSocket === 'undefined') {
      this.setStatus('polling');
      return;
    }
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    let socket;
    try {
      socket = new WebSocket(url, PROTOCOL);
    } catch {
      this.setStatus('polling');
      return;
    }
    this.socket = socket;
    let acknowledged = false;
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          type: 'connection_init',
          payload: { authorization: `Bearer ${this.key}` },
        }),
      );
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      switch (message.type) {
        case 'connection_ack':
          acknowledged = true;
          this.attempt = 0;
          this.subscribe(socket);
          break;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'next': {
          const errors = message.payload?.errors;
          if (errors?.length) {
            this.refused(socket, errors);
            break;
          }
          const result = message.payload?.data?.clearingPublished;
          if (result) {
            this.setStatus('live');
            if (!this.since || result.clearedAt > this.since) this.since = result.clearedAt;
            this.onResult(result);
          }
          break;
        }
        case 'error':
          this.refused(socket, message.payload ?? []);
          break;
        case 'complete':
          socket.close(1000, 'complete');
          break;
        default:
          break;
      }
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.socket = null;
      if (this.closed) return;
      // 4401/4403: the key is not (or no longer) valid; the socket will not take it, polling
      // reports why.
      if (event.code === 4401 || event.code === 4403) this.unsupported = true;
      if (!acknowledged || this.status === 'live' || this.status === 'connecting') {
        this.setStatus('polling');
      }
      this.attempt += 1;
      const wait = Math.min(30_000, 1000 * 2 ** Math.min(this.attempt, 5));
      this.retryTimer = setTimeout(() => this.connect(), wait);
    };
  }

  subscribe(socket) {
    const payload = this.useSince
      ? { query: SUBSCRIPTION, variables: { since: this.since } }
      : { query: SUBSCRIPTION_WITHOUT_SINCE, variables: {} };
    socket.send(JSON.stringify({ id: 'clearing', type: 'subscribe', payload }));
    // Subscribed: results arrive as they are committed; until the first one, say live anyway.
    this.setStatus('live');
  }

  /** The API refused the subscription: retry without `since`, then give up on the socket. */
  refused(socket, errors) {
    const text = errors.map((e) => e.message).join('; ');
    if (this.useSince && /since/i.test(text)) {
      this.useSince = false;
      this.subscribe(socket);
      return;
    }
    this.unsupported = true;
    console.warn(`ParkEx: live subscription refused (${text}); polling instead`);
    socket.close(1000, 'unsupported');
    this.setStatus('polling');
  }
}
