// @ts-check
// The ParkEx utility dashboard: live clearing prices per product, the demand and supply curves
// and the participants' net positions of a selected interval, recent intervals with a
// verification button. Plain ES modules, no build step; the API key stays in sessionStorage.

import {
  Api,
  ApiError,
  curves,
  LiveFeed,
  participantNames,
  positions,
  resultsPage,
  verify,
} from './api.js';
import { AssetsPanel } from './assets-panel.js';
import { CarbonPanel } from './carbon-panel.js';
import { ImbalancePanel } from './imbalance-panel.js';
import { renderCurves } from './curves.js';
import * as fmt from './format.js';
import { PriceChart } from './price-chart.js';

/**
 * @import { FeedStatus, Me, Position, Product, ResultRow, ResultWithCurves, Verification }
 *   from './api.js'
 */

/**
 * The loaded results of one product.
 * @typedef {object} ProductData
 * @property {Map<number, ResultRow>} byStart by delivery start (ms)
 * @property {ResultRow[]} sorted the same, oldest first
 * @property {boolean} hasOlder
 * @property {string | null} endCursor
 */

/**
 * @typedef {{ state: 'running' }
 *   | { state: 'done', result: Verification }
 *   | { state: 'error', message: string }} VerificationState
 */

/** @typedef {(label: string, value: string, sub: string) => HTMLDivElement} Kpi */

const KEY_STORAGE = 'parkex.apiKey';
const TABLE_PAGE = 24;
const CURVE_CACHE = 64;

/**
 * The page's element with this id, of this class (index.html has each of them).
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`The page has no ${type.name} #${id}.`);
  return node;
}
const $ = (/** @type {string} */ id) => byId(id, HTMLElement);
const { el } = fmt;

const state = {
  /** @type {Api | null} */
  api: null,
  /** @type {Me | null} */
  me: null,
  /** @type {Product[]} */
  products: [],
  /** @type {string | null} */
  productCode: null,
  /** @type {Map<string, ProductData>} by product code */
  data: new Map(),
  /** @type {number | null} Selected delivery start (ms), or null to follow the newest interval. */
  selection: null,
  /** @type {Map<string, ResultWithCurves>} by keyOf(code, ms), the oldest entry first */
  curveCache: new Map(),
  /** @type {Map<string, string>} participant id → name */
  names: new Map(),
  /** @type {Map<string, VerificationState>} by keyOf(code, ms) */
  verifications: new Map(),
  tableRows: TABLE_PAGE,
  /** @type {LiveFeed | null} */
  feed: null,
  /** @type {PriceChart | null} */
  chart: null,
  /** @type {string | null} */
  shownSelection: null,
  /**
   * @type {ResultWithCurves | null | undefined} The curves on screen (redrawn when the window
   * is resized); undefined before the first selection is shown.
   */
  shownCurves: undefined,
  selectionToken: 0,
  renderQueued: false,
};

const product = () => state.products.find((p) => p.code === state.productCode);
const decimals = () => fmt.decimalsOf(product()?.priceTick ?? '0.0001');
const productData = () =>
  state.productCode === null ? undefined : state.data.get(state.productCode);
const keyOf = (/** @type {string} */ code, /** @type {number} */ ms) => `${code}|${ms}`;

/** The signed-in user's API (everything but the sign-in runs after it). */
function api() {
  if (!state.api) throw new Error('Not signed in.');
  return state.api;
}

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------- sign-in

/** @param {string} [error] */
function showLogin(error) {
  state.feed?.stop();
  state.feed = null;
  assetsPanel.stop();
  carbonPanel.stop();
  imbalancePanel.stop();
  $('main').hidden = true;
  $('topbar-right').hidden = true;
  $('tabs').replaceChildren();
  $('login').hidden = false;
  $('login-error').textContent = error ?? '';
  $('login-error').hidden = !error;
  byId('key', HTMLInputElement).value = '';
  $('key').focus();
}

/** @param {string} key */
async function signIn(key) {
  const client = new Api(key);
  /** @type {{ me: Me, products: Product[] }} */
  let data;
  try {
    data = /** @type {{ me: Me, products: Product[] }} */ (
      await client.query(
        '{ me { id name role } products { code name unit intervalSeconds priceTick } }',
      )
    );
  } catch (error) {
    const message =
      error instanceof ApiError && error.code === 'UNAUTHENTICATED'
        ? 'This key is not valid. Enter an operator or auditor API key.'
        : messageOf(error);
    sessionStorage.removeItem(KEY_STORAGE);
    showLogin(message);
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  state.api = client;
  state.me = data.me;
  state.products = [...data.products].sort((a, b) => a.code.localeCompare(b.code));
  $('login').hidden = true;
  $('main').hidden = false;
  $('topbar-right').hidden = false;
  $('who').textContent = `${data.me.name} · ${data.me.role.toLowerCase()}`;
  const notice = $('notice');
  notice.hidden = data.me.role !== 'PARTICIPANT';
  notice.textContent =
    'This is the utility view: with a participant key you see only your own positions, and verification needs an operator or auditor key.';
  assetsPanel.start(client, data.me.role);
  carbonPanel.start(client);
  imbalancePanel.start(client);

  if (!state.products.length) {
    $('kpis').replaceChildren(el('p', { class: 'empty' }, 'No products are configured yet.'));
    return;
  }
  state.chart ??= new PriceChart($('price-chart'), { onSelect: select });
  const wanted = new URLSearchParams(location.hash.slice(1)).get('product');
  const code = state.products.find((p) => p.code === wanted)?.code ?? (await busiestProduct());
  renderTabs();
  await openProduct(code);
  startFeed();
}

/** The product with the most recent clearing (the one to look at first). */
async function busiestProduct() {
  const newest = await Promise.all(
    state.products.map(async (p) => {
      try {
        const page = await resultsPage(api(), p.code, null, 1);
        return { code: p.code, at: page.nodes[0] ? Date.parse(page.nodes[0].deliveryStart) : 0 };
      } catch {
        return { code: p.code, at: 0 };
      }
    }),
  );
  // Newest delivery first; on a tie the first in the tabs' (alphabetical) order.
  newest.sort((a, b) => b.at - a.at);
  return newest[0].code;
}

// ---------------------------------------------------------------- data

/**
 * Adds results (with or without curves) to a loaded product; whether anything changed.
 * @param {string} code
 * @param {(ResultRow & Partial<Pick<ResultWithCurves, 'demandCurve' | 'supplyCurve'>>)[]} nodes
 */
function merge(code, nodes) {
  const d = state.data.get(code);
  if (!d) return false;
  let changed = false;
  for (const node of nodes) {
    const ms = Date.parse(node.deliveryStart);
    const previous = d.byStart.get(ms);
    if (previous && previous.resultHash === node.resultHash) continue;
    const { demandCurve, supplyCurve: _supplyCurve, ...row } = node;
    d.byStart.set(ms, row);
    if (demandCurve) cacheCurves(keyOf(code, ms), /** @type {ResultWithCurves} */ (node));
    changed = true;
  }
  if (changed) d.sorted = [...d.byStart.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  return changed;
}

/**
 * @param {string} key
 * @param {ResultWithCurves} node
 */
function cacheCurves(key, node) {
  state.curveCache.delete(key);
  state.curveCache.set(key, node);
  for (const oldest of state.curveCache.keys()) {
    if (state.curveCache.size <= CURVE_CACHE) break;
    state.curveCache.delete(oldest);
  }
}

/** @param {string} code */
async function openProduct(code) {
  state.productCode = code;
  state.selection = null;
  state.shownSelection = null;
  state.tableRows = TABLE_PAGE;
  history.replaceState(null, '', `#product=${encodeURIComponent(code)}`);
  renderTabs();
  if (!state.data.has(code)) {
    /** @type {ProductData} */
    const d = { byStart: new Map(), sorted: [], hasOlder: false, endCursor: null };
    state.data.set(code, d);
    try {
      const page = await resultsPage(api(), code);
      d.hasOlder = page.hasNextPage;
      d.endCursor = page.endCursor;
      merge(code, page.nodes);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
        return showLogin('The key is no longer valid.');
      }
      flash(`Could not load ${code}: ${messageOf(error)}`);
    }
  }
  render();
}

async function loadOlder() {
  const d = productData();
  const code = state.productCode;
  if (!d?.hasOlder || code === null) return;
  byId('older', HTMLButtonElement).disabled = true;
  try {
    const page = await resultsPage(api(), code, d.endCursor);
    d.hasOlder = page.hasNextPage;
    d.endCursor = page.endCursor;
    merge(code, page.nodes);
  } catch (error) {
    flash(`Could not load older intervals: ${messageOf(error)}`);
  }
  render();
}

function startFeed() {
  if (state.feed) return;
  /** @type {string | null} */
  let since = null;
  for (const d of state.data.values()) {
    for (const node of d.sorted) if (!since || node.clearedAt > since) since = node.clearedAt;
  }
  since ??= new Date(Date.now() - 60_000).toISOString();
  const feed = new LiveFeed({
    key: api().key,
    onResult: (node) => {
      if (merge(node.productCode, [node])) scheduleRender();
    },
    onStatus: renderStatus,
    poll: async () => {
      const code = state.productCode;
      if (code === null) return;
      const page = await resultsPage(api(), code, null, 20);
      if (merge(code, page.nodes)) scheduleRender();
    },
  });
  state.feed = feed;
  feed.start(since);
}

// ---------------------------------------------------------------- selection

/** @param {number | null} ms a delivery start, or null to follow the newest interval */
function select(ms) {
  const d = productData();
  const newest = d?.sorted.at(-1);
  state.selection = newest && Date.parse(newest.deliveryStart) === ms ? null : ms;
  render();
}

function selectedMs() {
  if (state.selection !== null) return state.selection;
  const newest = productData()?.sorted.at(-1);
  return newest ? Date.parse(newest.deliveryStart) : null;
}

/** Loads and shows the curves and positions of the selected interval (when it changed). */
async function showSelection() {
  const p = product();
  const d = productData();
  if (!p || !d) return;
  const code = p.code;
  const ms = selectedMs();
  const key = ms === null ? null : keyOf(code, ms);
  if (key === state.shownSelection) return;
  state.shownSelection = key;
  const token = ++state.selectionToken;
  const node = ms === null ? undefined : d.byStart.get(ms);
  const when = node ? fmt.time(node.deliveryStart, p.intervalSeconds) : '';
  $('curves-title').textContent = node ? `Demand and supply · ${when}` : 'Demand and supply';
  $('positions-title').textContent = node ? `Net positions · ${when}` : 'Net positions';
  renderFollow();
  if (key === null || !node) {
    state.shownCurves = null;
    renderCurves($('curves'), null, { unit: p.unit, decimals: decimals() });
    $('positions').replaceChildren(el('p', { class: 'empty' }, 'No cleared interval yet.'));
    return;
  }
  // Fade the panels only when loading takes long enough to notice.
  const fade = setTimeout(() => {
    $('curves').classList.add('loading');
    $('positions').classList.add('loading');
  }, 150);
  const [withCurves, rows] = await Promise.all([
    state.curveCache.get(key) ??
      curves(api(), code, node.deliveryStart).then(
        (result) => {
          if (result) cacheCurves(key, result);
          return result;
        },
        () => null,
      ),
    positions(api(), code, node.deliveryStart, p.intervalSeconds).catch(
      (/** @type {unknown} */ error) => (error instanceof Error ? error : new Error(String(error))),
    ),
  ]);
  clearTimeout(fade);
  if (token !== state.selectionToken) return;
  $('curves').classList.remove('loading');
  $('positions').classList.remove('loading');
  state.shownCurves = withCurves;
  renderCurves($('curves'), withCurves, { unit: p.unit, decimals: decimals() });
  if (rows instanceof Error) {
    $('positions').replaceChildren(el('p', { class: 'empty' }, rows.message));
    return;
  }
  const unknown = [...new Set(rows.map((r) => r.participantId))].filter(
    (id) => !state.names.has(id),
  );
  if (unknown.length) {
    for (const [id, name] of await participantNames(api(), unknown)) state.names.set(id, name);
    if (token !== state.selectionToken) return;
  }
  renderPositions(rows, node);
}

// ---------------------------------------------------------------- rendering

function scheduleRender() {
  if (state.renderQueued) return;
  state.renderQueued = true;
  requestAnimationFrame(() => {
    state.renderQueued = false;
    render();
  });
}

function render() {
  const p = product();
  const d = productData();
  if (!p || !d) return;
  renderKpis(d.sorted, p);
  state.chart?.setData(d.sorted, {
    unit: p.unit,
    decimals: decimals(),
    selected: selectedMs(),
    intervalSeconds: p.intervalSeconds,
  });
  renderTable(d, p);
  void showSelection();
}

function renderTabs() {
  $('tabs').replaceChildren(
    ...state.products.map((p) =>
      el(
        'button',
        {
          class: `tab${p.code === state.productCode ? ' active' : ''}`,
          type: 'button',
          title: `${p.name} · ${fmt.duration(p.intervalSeconds)} intervals`,
          dataset: { product: p.code },
          onclick: () => void openProduct(p.code),
        },
        p.code,
      ),
    ),
  );
}

/** @param {FeedStatus} status */
function renderStatus(status) {
  const label = {
    connecting: 'connecting…',
    live: 'live',
    polling: 'polling every 3 s',
  }[status];
  const pill = $('status');
  pill.className = `status ${status}`;
  pill.textContent = label;
  pill.title =
    status === 'live'
      ? 'New clearings arrive through the clearingPublished subscription'
      : status === 'polling'
        ? 'The live subscription is not available; clearing results are polled'
        : '';
}

/**
 * @param {ResultRow[]} nodes
 * @param {Product} p
 */
function renderKpis(nodes, p) {
  const traded = nodes.filter((n) => n.price !== null && Number(n.volume) > 0);
  const last = nodes.at(-1);
  let volume = 0;
  let weighted = 0;
  for (const n of traded) {
    volume += Number(n.volume);
    weighted += Number(n.volume) * Number(n.price);
  }
  const d = decimals();
  /** @type {Kpi} */
  const kpi = (label, value, sub) =>
    el(
      'div',
      { class: 'kpi' },
      el('span', { class: 'kpi-label' }, label),
      el('strong', {}, value),
      el('span', { class: 'kpi-sub' }, sub),
    );
  const lastTrade = traded.at(-1);
  let lastSub = 'no interval cleared yet';
  if (last && last.price !== null) {
    lastSub = `currency/${p.unit} · ${fmt.time(last.deliveryStart, p.intervalSeconds)}`;
  } else if (last) {
    lastSub = lastTrade
      ? `last trade ${fmt.price(lastTrade.price, d)} at ${fmt.time(lastTrade.deliveryStart, p.intervalSeconds)}`
      : `${fmt.time(last.deliveryStart, p.intervalSeconds)} · nothing traded yet`;
  }
  $('kpis').replaceChildren(
    kpi(
      'Last clearing price',
      last ? (last.price === null ? 'no trade' : fmt.price(last.price, d)) : '—',
      lastSub,
    ),
    kpi(
      'Average price',
      volume > 0 ? (weighted / volume).toFixed(d) : '—',
      `volume-weighted, ${nodes.length} interval${nodes.length === 1 ? '' : 's'} shown`,
    ),
    kpi(
      'Volume traded',
      fmt.group(volume.toFixed(volume >= 1000 ? 0 : 1)),
      `${p.unit} in the intervals shown`,
    ),
    kpi(
      'Intervals with trades',
      `${traded.length} / ${nodes.length}`,
      `${fmt.duration(p.intervalSeconds)} intervals · ${p.name}`,
    ),
    failedKpi(nodes, p, kpi),
  );
}

/**
 * FAILED clearings among the intervals shown: count and the newest, with its reason.
 * @param {ResultRow[]} nodes
 * @param {Product} p
 * @param {Kpi} kpi
 */
function failedKpi(nodes, p, kpi) {
  const failed = nodes.filter((n) => n.status === 'FAILED');
  const newest = failed.at(-1);
  const box = kpi(
    'Failed clearings',
    String(failed.length),
    newest
      ? `newest ${fmt.time(newest.deliveryStart, p.intervalSeconds)} · re-run with retryClearing`
      : 'every interval shown cleared',
  );
  if (newest) {
    box.classList.add('failed');
    box.title = newest.failureReason ?? '';
  }
  return box;
}

function renderFollow() {
  const follow = $('follow');
  follow.replaceChildren();
  if (state.selection === null) {
    follow.append(el('span', { class: 'badge following' }, 'following the newest interval'));
  } else {
    follow.append(
      el(
        'button',
        { type: 'button', class: 'link', onclick: () => select(null) },
        'follow the newest →',
      ),
    );
  }
}

/**
 * @param {ProductData} d
 * @param {Product} p
 */
function renderTable(d, p) {
  const rows = d.sorted.slice(-state.tableRows).reverse();
  const selected = selectedMs();
  const dp = decimals();
  const body = el('tbody');
  for (const node of rows) {
    const ms = Date.parse(node.deliveryStart);
    body.append(
      el(
        'tr',
        {
          class: ms === selected ? 'selected' : '',
          dataset: { start: node.deliveryStart },
          onclick: () => select(ms),
        },
        el('td', {}, fmt.time(node.deliveryStart, p.intervalSeconds)),
        el('td', {}, statusPill(node)),
        el('td', { class: 'num' }, fmt.price(node.price, dp)),
        el('td', { class: 'num' }, fmt.kwh(node.volume)),
        el('td', { class: 'num' }, node.bidCount),
        el('td', { class: 'num' }, node.offerCount),
        el('td', { class: 'hash', title: node.inputHash }, fmt.shortHash(node.inputHash)),
        el('td', { class: 'hash', title: node.resultHash }, fmt.shortHash(node.resultHash)),
        el('td', {}, node.status === 'FAILED' ? retryHint(node) : verifyCell(p.code, node)),
      ),
    );
  }
  $('intervals').replaceChildren(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', {}, 'Delivery'),
        el('th', {}, 'Status'),
        el('th', { class: 'num' }, `Price (/${p.unit})`),
        el('th', { class: 'num' }, `Volume (${p.unit})`),
        el('th', { class: 'num' }, 'Bids'),
        el('th', { class: 'num' }, 'Offers'),
        el('th', {}, 'Input hash'),
        el('th', {}, 'Result hash'),
        el('th', {}, 'Check'),
      ),
    ),
    body,
  );
  if (!rows.length) {
    body.append(
      el(
        'tr',
        {},
        el('td', { colspan: 9, class: 'empty' }, 'No cleared intervals yet for this product.'),
      ),
    );
  }
  const more = d.sorted.length > state.tableRows || d.hasOlder;
  $('older').hidden = !more;
  byId('older', HTMLButtonElement).disabled = false;
  $('table-count').textContent =
    `${Math.min(rows.length, d.sorted.length)} of ${d.sorted.length}${d.hasOlder ? '+' : ''} loaded`;
}

/** @type {Partial<Record<string, [kind: string, label: string]>>} */
const STATUS_PILLS = {
  CLEARED: ['ok', 'cleared'],
  NO_TRADE: ['muted', 'no trade'],
  FAILED: ['bad', 'failed'],
};

/**
 * A FAILED interval's pill carries its reason as a tooltip.
 * @param {ResultRow} node
 */
function statusPill(node) {
  const [kind, label] = STATUS_PILLS[node.status] ?? ['muted', node.status.toLowerCase()];
  return el('span', { class: `pill ${kind}`, title: node.failureReason ?? '' }, label);
}

/**
 * Nothing to verify for a FAILED clearing: the operator may order a re-run (retryClearing).
 * @param {ResultRow} node
 */
function retryHint(node) {
  return el(
    'span',
    { class: 'pill muted', title: `${node.failureReason ?? ''}\nRe-run with retryClearing.` },
    'not cleared',
  );
}

/**
 * @param {string} code
 * @param {ResultRow} node
 */
function verifyCell(code, node) {
  const key = keyOf(code, Date.parse(node.deliveryStart));
  const v = state.verifications.get(key);
  const run = (/** @type {Event} */ event) => {
    event.stopPropagation();
    void runVerify(code, node, key);
  };
  if (!v) return el('button', { type: 'button', class: 'verify', onclick: run }, 'Verify');
  if (v.state === 'running') return el('span', { class: 'pill muted' }, 'checking…');
  if (v.state === 'error') {
    return el(
      'span',
      { class: 'pill bad', title: v.message },
      'not checked',
      ' ',
      el('button', { type: 'button', class: 'link', onclick: run }, 'retry'),
    );
  }
  if (v.result.ok) {
    return el(
      'span',
      { class: 'pill ok', title: `recomputed ${v.result.recomputedResultHash}` },
      '✓ matches',
    );
  }
  return el(
    'details',
    { class: 'differences', onclick: (/** @type {Event} */ event) => event.stopPropagation() },
    el(
      'summary',
      { class: 'pill bad' },
      `✗ ${v.result.differences.length} difference${v.result.differences.length === 1 ? '' : 's'}`,
    ),
    el(
      'ul',
      {},
      v.result.differences.map((text) => el('li', {}, text)),
    ),
  );
}

/**
 * @param {string} code
 * @param {ResultRow} node
 * @param {string} key
 */
async function runVerify(code, node, key) {
  state.verifications.set(key, { state: 'running' });
  render();
  try {
    const result = await verify(api(), code, node.deliveryStart);
    state.verifications.set(key, { state: 'done', result });
  } catch (error) {
    state.verifications.set(key, { state: 'error', message: messageOf(error) });
  }
  render();
}

/**
 * @param {Position[]} rows
 * @param {ResultRow} node
 */
function renderPositions(rows, node) {
  const p = product();
  if (!p) return;
  if (!rows.length) {
    $('positions').replaceChildren(
      el(
        'p',
        { class: 'empty' },
        node.status === 'CLEARED'
          ? 'No statements for this interval.'
          : 'Nothing traded in this interval.',
      ),
    );
    return;
  }
  const sorted = [...rows].sort((a, b) => Number(b.netEnergy) - Number(a.netEnergy));
  const largest = Math.max(...sorted.map((r) => Math.abs(Number(r.netEnergy))), 1e-9);
  let bought = 0;
  let fees = 0;
  const body = el('tbody');
  for (const row of sorted) {
    const energy = Number(row.netEnergy);
    if (energy > 0) bought += energy;
    fees += Number(row.networkFees);
    const share = (Math.abs(energy) / largest) * 50;
    body.append(
      el(
        'tr',
        {},
        el(
          'td',
          { class: 'name', title: row.participantId },
          state.names.get(row.participantId) ?? fmt.shortId(row.participantId),
        ),
        el(
          'td',
          { class: 'bar-cell' },
          el(
            'div',
            { class: 'bar' },
            el('span', {
              class: energy >= 0 ? 'buy' : 'sell',
              style:
                energy >= 0 ? `left:50%;width:${share}%` : `left:${50 - share}%;width:${share}%`,
            }),
          ),
        ),
        el('td', { class: `num ${energy >= 0 ? 'pos' : 'neg'}` }, fmt.signed(row.netEnergy, 3)),
        el('td', { class: 'num' }, fmt.signed(row.energyAmount, 2)),
        el('td', { class: 'num' }, fmt.signed(row.networkFees, 2)),
        el('td', { class: 'num strong' }, fmt.signed(row.netAmount, 2)),
      ),
    );
  }
  $('positions').replaceChildren(
    el(
      'table',
      { class: 'positions' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', {}, 'Participant'),
          el('th', { class: 'bar-head' }, el('span', {}, '◀ sold'), el('span', {}, 'bought ▶')),
          el('th', { class: 'num' }, `Net ${p.unit}`),
          el('th', { class: 'num' }, 'Energy'),
          el('th', { class: 'num' }, 'Fees'),
          el('th', { class: 'num' }, 'Net amount'),
        ),
      ),
      body,
    ),
    el(
      'p',
      { class: 'footnote' },
      `${sorted.length} participants · ${fmt.group(bought.toFixed(3))} ${p.unit} changed hands · fees ${fmt.group(Math.abs(fees).toFixed(2))} to the utility. Energy > 0: received; money > 0: received.`,
    ),
  );
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let flashTimer;

/** @param {string} message */
function flash(message) {
  const box = $('flash');
  box.textContent = message;
  box.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => (box.hidden = true), 6000);
}

// ---------------------------------------------------------------- start

const assetsPanel = new AssetsPanel($('assets-panel'), { onError: flash });
const carbonPanel = new CarbonPanel($('carbon-panel'), { onError: flash });
const imbalancePanel = new ImbalancePanel($('imbalance-panel'), { onError: flash });

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = byId('key', HTMLInputElement).value.trim();
  if (key) void signIn(key);
});
$('signout').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  state.data.clear();
  state.curveCache.clear();
  state.verifications.clear();
  showLogin();
});
$('older').addEventListener('click', () => {
  const d = productData();
  state.tableRows += TABLE_PAGE;
  if (d && state.tableRows > d.sorted.length && d.hasOlder) void loadOlder();
  else render();
});
// The chart follows its container by itself; the curves are redrawn for the new width.
/** @type {ReturnType<typeof setTimeout> | undefined} */
let resizeTimer;
addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const p = product();
    if (p && state.shownCurves !== undefined) {
      renderCurves($('curves'), state.shownCurves, { unit: p.unit, decimals: decimals() });
    }
  }, 100);
});

const saved = sessionStorage.getItem(KEY_STORAGE);
if (saved) void signIn(saved);
else showLogin();
