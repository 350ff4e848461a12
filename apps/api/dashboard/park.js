// @ts-check
// The park view of one integrated day-ahead auction: per-carrier prices over the day, grid
// import and export against the limits, each conversion's and storage's schedule (state of
// charge), accepted and paradoxically rejected blocks, and the auditor's named checks. Decimals
// are shown as the API sends them; numbers are only used to place points on the chart.
import * as fmt from './format.js';

const { el } = fmt;
const KEY_STORAGE = 'parkex.apiKey';

/**
 * @typedef {{ carrier: string, importLimit: string | null, exportLimit: string | null }} Grid
 * @typedef {{ code: string, intervals: number, intervalSeconds: number, priceTick: string, grid: Grid[] }} Series
 * @typedef {{ carrier: string, prices: (string | null)[], volumes: string[], gridImport: string[], gridExport: string[] }} Schedule
 * @typedef {{ carrier: string, quantities: string[] }} Flow
 * @typedef {{ orderId: string, clientOrderId: string, kind: string, blockOutcome: string | null, amount: string, stateOfCharge: string[] | null, flows: Flow[] }} Award
 * @typedef {{ status: string, welfare: string | null, solver: string | null, clearedAt: string | null, resultHash: string | null, failureReason: string | null, paradoxicallyRejectedBlocks: string[], schedules: Schedule[], awards: { edges: { node: Award }[] } }} Result
 */

const SERIES = `{ auctionSeries { code intervals intervalSeconds priceTick
  grid { carrier importLimit exportLimit } } }`;
const RESULT = `query($series: String!, $start: DateTime!) {
  auctionResult(series: $series, deliveryStart: $start) {
    status welfare solver clearedAt resultHash failureReason paradoxicallyRejectedBlocks
    schedules { carrier prices volumes gridImport gridExport }
    awards(first: 500) { edges { node { orderId clientOrderId kind blockOutcome amount
      stateOfCharge flows { carrier quantities } } } } } }`;
const VERIFY = `query($series: String!, $start: DateTime!) {
  verifyAuction(series: $series, deliveryStart: $start) { ok checks { name ok detail } } }`;

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function $(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing`);
  return node;
}

/** @type {Series[]} */
let seriesList = [];

/**
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @returns {Promise<unknown>}
 */
async function gql(query, variables = {}) {
  const key = sessionStorage.getItem(KEY_STORAGE) ?? '';
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  /** @type {unknown} */
  const json = await response.json();
  const body = /** @type {{ data?: unknown, errors?: { message: string }[] }} */ (json);
  if (body.errors?.length) throw new Error(body.errors[0].message);
  return body.data;
}

/** @param {string} message */
function flash(message) {
  const node = $('flash');
  node.textContent = message;
  node.hidden = false;
}

/** @param {Schedule} schedule */
function priceChart(schedule) {
  const values = schedule.prices.map((p) => (p === null ? null : Number(p)));
  const known = /** @type {number[]} */ (values.filter((v) => v !== null));
  const low = Math.min(0, ...known);
  const high = Math.max(...known, low + 0.0001);
  const width = 600;
  const height = 180;
  const x = (/** @type {number} */ i) => (i / Math.max(1, values.length - 1)) * (width - 20) + 10;
  const y = (/** @type {number} */ v) => height - 15 - ((v - low) / (high - low)) * (height - 30);
  const points = values
    .map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.innerHTML = `<polyline class="${schedule.carrier}" points="${points}"></polyline>`;
  const shown = schedule.prices.filter((p) => p !== null);
  return el(
    'div',
    { class: 'park-chart', 'data-carrier': schedule.carrier },
    el('strong', {}, schedule.carrier),
    el(
      'span',
      { class: 'hint' },
      ` ${shown.length} priced intervals, ${fmt.price(shown[0] ?? null)} … ${fmt.price(shown.at(-1) ?? null)}`,
    ),
    svg,
  );
}

/**
 * @param {Schedule[]} schedules
 * @param {Series} series
 */
function gridTable(schedules, series) {
  /** @type {HTMLElement[]} */
  const rows = [];
  for (const schedule of schedules) {
    const limits = series.grid.find((g) => g.carrier === schedule.carrier);
    if (!limits) continue;
    schedule.gridImport.forEach((imported, t) => {
      const exported = schedule.gridExport[t];
      const over = (/** @type {string} */ v, /** @type {string | null} */ l) =>
        l !== null && Number(v) > Number(l) ? 'over' : undefined;
      rows.push(
        el(
          'tr',
          {},
          el('td', {}, `${schedule.carrier} ${t}`),
          el('td', { class: over(imported, limits.importLimit) }, fmt.kwh(imported)),
          el('td', {}, fmt.kwh(limits.importLimit)),
          el('td', { class: over(exported, limits.exportLimit) }, fmt.kwh(exported)),
          el('td', {}, fmt.kwh(limits.exportLimit)),
        ),
      );
    });
  }
  return el(
    'table',
    { class: 'park-table', id: 'grid-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['interval', 'import', 'limit', 'export', 'limit'].map((h) => el('th', {}, h)),
      ),
    ),
    el('tbody', {}, ...rows),
  );
}

/** @param {Award[]} awards */
function deviceTable(awards) {
  /** @type {HTMLElement[]} */
  const rows = [];
  for (const award of awards.filter((a) => a.kind === 'CONVERSION' || a.kind === 'STORAGE')) {
    for (const flow of award.flows) {
      rows.push(
        el(
          'tr',
          { class: 'device' },
          el('td', {}, `${award.clientOrderId} · ${flow.carrier}`),
          ...flow.quantities.map((q) => el('td', {}, fmt.kwh(q))),
        ),
      );
    }
    if (award.stateOfCharge) {
      rows.push(
        el(
          'tr',
          { class: 'soc' },
          el('td', {}, `${award.clientOrderId} · state of charge`),
          ...award.stateOfCharge.map((q) => el('td', {}, fmt.kwh(q))),
        ),
      );
    }
  }
  return el('table', { class: 'park-table', id: 'device-table' }, el('tbody', {}, ...rows));
}

/**
 * @param {Award[]} awards
 * @param {string[]} paradoxical
 */
function blockTable(awards, paradoxical) {
  const rows = awards
    .filter((a) => a.kind === 'BLOCK')
    .map((a) =>
      el(
        'tr',
        {},
        el('td', {}, a.clientOrderId),
        el(
          'td',
          {},
          el(
            'span',
            {
              class: `pill ${a.blockOutcome === 'ACCEPTED' || a.blockOutcome === 'PARTIALLY_ACCEPTED' ? 'ok' : 'bad'}`,
            },
            a.blockOutcome ?? '',
          ),
        ),
        el('td', {}, paradoxical.includes(a.orderId) ? 'in the money, rejected' : ''),
        el('td', {}, a.amount),
      ),
    );
  return el('table', { class: 'park-table', id: 'block-table' }, el('tbody', {}, ...rows));
}

/** @param {Result} result */
function summary(result) {
  const kpi = (/** @type {string} */ label, /** @type {string} */ value) =>
    el('div', { class: 'kpi' }, el('span', { class: 'kpi-label' }, label), el('strong', {}, value));
  return [
    kpi('Status', result.status),
    kpi('Welfare', result.welfare ?? '—'),
    kpi('Solver', result.solver ?? '—'),
    kpi('Result hash', fmt.shortHash(result.resultHash ?? '')),
    ...(result.failureReason ? [kpi('Failure', result.failureReason)] : []),
  ];
}

async function show() {
  const code = /** @type {HTMLSelectElement} */ ($('series')).value;
  const start = /** @type {HTMLInputElement} */ ($('start')).value.trim();
  const series = seriesList.find((s) => s.code === code);
  if (!series || !start) return;
  history.replaceState(
    null,
    '',
    `?series=${encodeURIComponent(code)}&start=${encodeURIComponent(start)}`,
  );
  $('checks').replaceChildren();
  try {
    const data = /** @type {{ auctionResult: Result | null }} */ (
      await gql(RESULT, { series: code, start })
    );
    const result = data.auctionResult;
    if (!result) {
      flash(`no auction ${code} ${start}`);
      return;
    }
    const awards = result.awards.edges.map((e) => e.node);
    $('summary').replaceChildren(...summary(result));
    $('prices').replaceChildren(...result.schedules.map(priceChart));
    $('grid').replaceChildren(gridTable(result.schedules, series));
    $('devices').replaceChildren(deviceTable(awards));
    $('blocks').replaceChildren(blockTable(awards, result.paradoxicallyRejectedBlocks));
    $('park').dataset.loaded = 'true';
  } catch (error) {
    flash(error instanceof Error ? error.message : String(error));
  }
}

async function verify() {
  const code = /** @type {HTMLSelectElement} */ ($('series')).value;
  const start = /** @type {HTMLInputElement} */ ($('start')).value.trim();
  try {
    const data =
      /** @type {{ verifyAuction: { ok: boolean, checks: { name: string, ok: boolean, detail: string | null }[] } }} */ (
        await gql(VERIFY, { series: code, start })
      );
    const proof = data.verifyAuction;
    $('checks').replaceChildren(
      el(
        'p',
        { id: 'verdict' },
        el(
          'span',
          { class: `pill ${proof.ok ? 'ok' : 'bad'}` },
          proof.ok ? 'verified' : 'NOT verified',
        ),
      ),
      ...proof.checks.map((c) =>
        el(
          'div',
          { class: 'park-check' },
          el('span', { class: `pill ${c.ok ? 'ok' : 'bad'}` }, c.ok ? 'ok' : 'fails'),
          el('strong', {}, c.name),
          c.detail ?? '',
        ),
      ),
    );
  } catch (error) {
    flash(error instanceof Error ? error.message : String(error));
  }
}

async function start() {
  try {
    seriesList = /** @type {{ auctionSeries: Series[] }} */ (await gql(SERIES)).auctionSeries;
  } catch (error) {
    $('login').hidden = false;
    if (sessionStorage.getItem(KEY_STORAGE))
      flash(error instanceof Error ? error.message : String(error));
    return;
  }
  $('login').hidden = true;
  const select = /** @type {HTMLSelectElement} */ ($('series'));
  select.replaceChildren(...seriesList.map((s) => el('option', { value: s.code }, s.code)));
  const params = new URLSearchParams(location.search);
  if (params.get('series')) select.value = params.get('series') ?? '';
  /** @type {HTMLInputElement} */ ($('start')).value = params.get('start') ?? '';
  if (params.get('start')) await show();
}

$('pick').addEventListener('submit', (event) => {
  event.preventDefault();
  void show();
});
$('verify').addEventListener('click', () => void verify());
$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY_STORAGE, /** @type {HTMLInputElement} */ ($('key')).value.trim());
  void start();
});
void start();
