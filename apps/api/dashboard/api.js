// @ts-check
// Talking to ParkEx: GraphQL over HTTP, and the live feed of clearing results over the
// graphql-transport-ws protocol (a minimal client: connection_init → ack → subscribe → next…),
// with polling of clearingResults whenever the socket is down.

// The shapes of what the dashboard asks for (the API schema, through the selections below).
// Decimals and instants are strings, as the API sends them.

/** @typedef {'CLEARED' | 'NO_TRADE' | 'FAILED'} ClearingStatus */
/** @typedef {'PARTICIPANT' | 'OPERATOR' | 'AUDITOR'} Role */

/**
 * @typedef {object} Product
 * @property {string} code
 * @property {string} name
 * @property {string} unit
 * @property {number} intervalSeconds
 * @property {string} priceTick
 */

/**
 * @typedef {object} Me
 * @property {string} id
 * @property {string} name
 * @property {Role} role
 */

/**
 * A clearing result as RESULT_FIELDS selects it (no fills, no curves).
 * @typedef {object} ResultRow
 * @property {string} productCode
 * @property {string} deliveryStart
 * @property {ClearingStatus} status
 * @property {string | null} price
 * @property {string} volume
 * @property {number} bidCount
 * @property {number} offerCount
 * @property {string} inputHash
 * @property {string} resultHash
 * @property {string} clearedAt
 * @property {string | null} failureReason
 */

/** @typedef {{ price: string, quantity: string }} CurvePoint */

/**
 * A clearing result with CURVE_FIELDS too.
 * @typedef {ResultRow & { demandCurve: CurvePoint[], supplyCurve: CurvePoint[] }} ResultWithCurves
 */

/**
 * One participant's statement for a product-interval.
 * @typedef {object} Position
 * @property {string} participantId
 * @property {string} productCode
 * @property {string} deliveryStart
 * @property {string} netEnergy
 * @property {string} energyAmount
 * @property {string} networkFees
 * @property {string} netAmount
 */

/**
 * @typedef {object} Verification
 * @property {boolean} ok
 * @property {string[]} differences
 * @property {string} inputHash
 * @property {string} resultHash
 * @property {string} recomputedInputHash
 * @property {string} recomputedResultHash
 */

/**
 * @template T
 * @typedef {{ edges: { node: T }[], pageInfo: { hasNextPage: boolean, endCursor: string | null } }} Connection
 */

/** @typedef {{ message: string, extensions?: { code?: string, field?: string, reason?: string } }} GraphQLError */

export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {string} [code] the GraphQL error's `extensions.code`, or 'NETWORK'
   * @param {{ field?: string, reason?: string }} [details] its `extensions.field` and `reason`
   */
  constructor(message, code, details = {}) {
    super(message);
    this.code = code;
    this.field = details.field;
    this.reason = details.reason;
  }
}

export class Api {
  /** @param {string} key */
  constructor(key) {
    this.key = key;
  }

  /**
   * The `data` of a GraphQL response; throws an `ApiError` for its first error. The caller
   * states the shape of `data` it asked for.
   * @param {string} query
   * @param {Record<string, unknown>} [variables]
   * @returns {Promise<unknown>}
   */
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
    /** @type {unknown} */
    let json;
    try {
      json = await response.json();
    } catch {
      throw new ApiError(`The API answered ${response.status} without JSON.`, 'NETWORK');
    }
    const body = /** @type {{ data?: unknown, errors?: GraphQLError[] }} */ (json);
    if (body.errors?.length) {
      const [first] = body.errors;
      throw new ApiError(first.message, first.extensions?.code, first.extensions);
    }
    return body.data;
  }
}

/** The fields of a result for the chart and the table (no fills, no curves). */
export const RESULT_FIELDS =
  'productCode deliveryStart status price volume bidCount offerCount inputHash resultHash clearedAt failureReason';
export const CURVE_FIELDS = 'demandCurve { price quantity } supplyCurve { price quantity }';

/**
 * One page of results, newest first (first ≤ 500).
 * @param {Api} api
 * @param {string} productCode
 * @param {string | null} [after]
 */
export async function resultsPage(api, productCode, after = null, first = 500) {
  const data = /** @type {{ clearingResults: Connection<ResultRow> }} */ (
    await api.query(
      `query($p: String!, $first: Int, $after: String) {
      clearingResults(productCode: $p, first: $first, after: $after) {
        edges { node { ${RESULT_FIELDS} } }
        pageInfo { hasNextPage endCursor }
      }
    }`,
      { p: productCode, first, after },
    )
  );
  return {
    nodes: data.clearingResults.edges.map((edge) => edge.node),
    hasNextPage: data.clearingResults.pageInfo.hasNextPage,
    endCursor: data.clearingResults.pageInfo.endCursor,
  };
}

/**
 * One result with its curves; null when the API has none for that interval.
 * @param {Api} api
 * @param {string} productCode
 * @param {string} deliveryStart
 */
export async function curves(api, productCode, deliveryStart) {
  const data = /** @type {{ clearingResult: ResultWithCurves | null }} */ (
    await api.query(
      `query($p: String!, $d: DateTime!) {
      clearingResult(productCode: $p, deliveryStart: $d) { ${RESULT_FIELDS} ${CURVE_FIELDS} }
    }`,
      { p: productCode, d: deliveryStart },
    )
  );
  return data.clearingResult;
}

/**
 * Every participant's statement for one product-interval (operator and auditor see all).
 * @param {Api} api
 * @param {string} productCode
 * @param {string} deliveryStart
 * @param {number} intervalSeconds
 */
export async function positions(api, productCode, deliveryStart, intervalSeconds) {
  const from = new Date(deliveryStart);
  const to = new Date(from.getTime() + intervalSeconds * 1000);
  /** @type {Position[]} */
  const rows = [];
  /** @type {string | null} */
  let after = null;
  for (let page = 0; page < 20; page++) {
    const data = /** @type {{ settlements: Connection<Position> }} */ (
      await api.query(
        `query($from: DateTime, $to: DateTime, $after: String) {
        settlements(from: $from, to: $to, first: 500, after: $after) {
          edges { node { participantId productCode deliveryStart netEnergy energyAmount networkFees netAmount } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
        { from: from.toISOString(), to: to.toISOString(), after },
      )
    );
    for (const { node } of data.settlements.edges) {
      if (node.productCode === productCode) rows.push(node);
    }
    if (!data.settlements.pageInfo.hasNextPage) break;
    after = data.settlements.pageInfo.endCursor;
  }
  return rows;
}

/**
 * @param {Api} api
 * @param {string} productCode
 * @param {string} deliveryStart
 */
export async function verify(api, productCode, deliveryStart) {
  const data = /** @type {{ verifyClearing: Verification }} */ (
    await api.query(
      `query($p: String!, $d: DateTime!) {
      verifyClearing(productCode: $p, deliveryStart: $d) {
        ok differences inputHash resultHash recomputedInputHash recomputedResultHash
      }
    }`,
      { p: productCode, d: deliveryStart },
    )
  );
  return data.verifyClearing;
}

/**
 * Names for participant ids; an API without participantsByIds gives none (ids are shown).
 * @param {Api} api
 * @param {string[]} ids
 * @returns {Promise<Map<string, string>>}
 */
export async function participantNames(api, ids) {
  if (!ids.length) return new Map();
  try {
    const data = /** @type {{ participantsByIds: { id: string, name: string }[] }} */ (
      await api.query('query($ids: [ID!]!) { participantsByIds(ids: $ids) { id name } }', {
        ids,
      })
    );
    return new Map(data.participantsByIds.map((p) => [p.id, p.name]));
  } catch {
    return new Map();
  }
}

/** @typedef {'connecting' | 'live' | 'polling'} FeedStatus */

/**
 * The graphql-transport-ws messages the server sends.
 * @typedef {{ type: 'connection_ack' | 'ping' | 'pong' | 'complete', id?: string }
 *   | { type: 'next', id: string, payload?: { data?: { clearingPublished?: ResultWithCurves }, errors?: GraphQLError[] } }
 *   | { type: 'error', id: string, payload?: GraphQLError[] }} ServerMessage
 */

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
  /**
   * @param {object} options
   * @param {string} options.key
   * @param {(result: ResultWithCurves) => void} options.onResult
   * @param {(status: FeedStatus) => void} options.onStatus
   * @param {() => Promise<void>} options.poll
   * @param {number} [options.pollMs]
   */
  constructor({ key, onResult, onStatus, poll, pollMs = 3000 }) {
    this.key = key;
    this.onResult = onResult;
    this.onStatus = onStatus;
    this.poll = poll;
    this.pollMs = pollMs;
    /** @type {string | null} clearedAt of the newest result received */
    this.since = null;
    this.useSince = true;
    this.unsupported = false;
    this.attempt = 0;
    this.closed = false;
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.pollTimer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    /** @type {FeedStatus | null} */
    this.status = null;
  }

  /** @param {string | null} since */
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

  /** @param {FeedStatus} status */
  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.onStatus(status);
    if (status === 'polling') this.schedulePoll(0);
  }

  /** @param {number} delay */
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
    socket.onmessage = (/** @type {MessageEvent<string>} */ event) => {
      /** @type {unknown} */
      let parsed;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return;
      }
      const message = /** @type {ServerMessage} */ (parsed);
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
        case 'pong':
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

  /** @param {WebSocket} socket */
  subscribe(socket) {
    const payload = this.useSince
      ? { query: SUBSCRIPTION, variables: { since: this.since } }
      : { query: SUBSCRIPTION_WITHOUT_SINCE, variables: {} };
    socket.send(JSON.stringify({ id: 'clearing', type: 'subscribe', payload }));
    // Subscribed: results arrive as they are committed; until the first one, say live anyway.
    this.setStatus('live');
  }

  /**
   * The API refused the subscription: retry without `since`, then give up on the socket.
   * @param {WebSocket} socket
   * @param {GraphQLError[]} errors
   */
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
