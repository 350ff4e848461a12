// @ts-check
// The assets panel: each storage asset's safety level, what it may trade (full, derated,
// suspended), its last samples as small charts (highest cell temperature, off-gas), and the
// newest safety events; the operator acknowledges an ALARM here. Polled every few seconds
// (the assets, the events and the samples of the first batteries are three small queries).

import { participantNames } from './api.js';
import { PolledPanel } from './polled-panel.js';
import { el } from './format.js';

/** @import { Api, Role } from './api.js' */

/**
 * @typedef {'NORMAL' | 'WATCH' | 'WARNING' | 'ALARM'} SafetyLevel
 * @typedef {object} AssetRow
 * @property {string} id
 * @property {string} participantId
 * @property {string} name
 * @property {string} kind
 * @property {string} chargePower
 * @property {string} dischargePower
 * @property {SafetyLevel} level
 * @property {'FULL' | 'DERATED' | 'SUSPENDED'} trading
 * @property {number} powerPermille
 * @property {boolean} acknowledged
 * @property {string | null} lastSampleAt
 * @typedef {{ time: string, cellTempMaxDeciC: number, offGasPpm: number | null }} SamplePoint
 * @typedef {object} SafetyEvent
 * @property {string} id
 * @property {string} assetId
 * @property {'LEVEL_CHANGED' | 'ACKNOWLEDGED'} kind
 * @property {SafetyLevel} fromLevel
 * @property {SafetyLevel} toLevel
 * @property {string} at
 * @property {{ rule: string, level: string, value: number, threshold: number }[]} findings
 * @property {string[]} cancelledOrderIds
 * @property {number} expectedImbalances
 */

const POLL_MS = 3000;
/** Batteries whose samples are charted (the rest show their level only). */
const CHARTED = 12;
const SAMPLES = 60;
const EVENTS = 10;

const ASSETS = `{ assets { id participantId name kind chargePower dischargePower level trading
  powerPermille acknowledged lastSampleAt } }`;
const EVENTS_QUERY = `query($first: Int) { safetyEventConnection(first: $first) { edges { node {
  id assetId kind fromLevel toLevel at findings { rule level value threshold }
  cancelledOrderIds expectedImbalances } } } }`;
const SAMPLES_QUERY = `query($id: ID!, $last: Int) { telemetry(assetId: $id, last: $last) {
  time cellTempMaxDeciC offGasPpm } }`;
const ACKNOWLEDGE = `mutation($id: ID!) { acknowledgeSafetyAlarm(assetId: $id) { asset { id level } } }`;

/** @type {SafetyLevel[]} */
const SEVERITY = ['NORMAL', 'WATCH', 'WARNING', 'ALARM'];
/** @type {Record<SafetyLevel, string>} */
const LEVEL_CLASS = { NORMAL: 'ok', WATCH: 'watch', WARNING: 'warn', ALARM: 'bad' };

export class AssetsPanel extends PolledPanel {
  /**
   * @param {HTMLElement} root the panel's card body
   * @param {{ onError: (message: string) => void }} options
   */
  constructor(root, options) {
    super(root, options, { title: 'Assets', pollMs: POLL_MS });
    /** @type {Role | null} */
    this.role = null;
    /** @type {Map<string, string>} */
    this.names = new Map();
  }

  /**
   * @param {Api} api
   * @param {Role} [role] what the user may see (another's participant names: not a participant)
   * @override
   */
  start(api, role) {
    this.role = role ?? null;
    super.start(api);
  }

  /**
   * @param {Api} api
   * @override
   */
  async load(api) {
    const { assets: listed } = /** @type {{ assets: AssetRow[] }} */ (await api.query(ASSETS));
    // The most severe first: those are the ones to look at (and to chart).
    const assets = [...listed].sort(
      (a, b) =>
        SEVERITY.indexOf(b.level) - SEVERITY.indexOf(a.level) || a.name.localeCompare(b.name),
    );
    const events = /** @type {{ safetyEventConnection: { edges: { node: SafetyEvent }[] } }} */ (
      await api.query(EVENTS_QUERY, { first: EVENTS })
    ).safetyEventConnection.edges.map((e) => e.node);
    const charted = assets.filter((a) => a.kind === 'BATTERY').slice(0, CHARTED);
    const samples = new Map(
      await Promise.all(
        charted.map(async (a) => {
          const data = /** @type {{ telemetry: SamplePoint[] }} */ (
            await api.query(SAMPLES_QUERY, { id: a.id, last: SAMPLES })
          );
          return /** @type {[string, SamplePoint[]]} */ ([a.id, [...data.telemetry].reverse()]);
        }),
      ),
    );
    const unknown = [...new Set(assets.map((a) => a.participantId))].filter(
      (id) => !this.names.has(id),
    );
    if (unknown.length && this.role !== 'PARTICIPANT') {
      for (const [id, name] of await participantNames(api, unknown)) this.names.set(id, name);
    }
    if (this.api === api) this.render(assets, events, samples);
  }

  /**
   * @param {AssetRow[]} assets
   * @param {SafetyEvent[]} events
   * @param {Map<string, SamplePoint[]>} samples
   */
  render(assets, events, samples) {
    this.root.dataset.assets = String(assets.length);
    this.root.dataset.alarms = String(assets.filter((a) => a.level === 'ALARM').length);
    if (!assets.length) {
      this.root.replaceChildren(el('p', { class: 'empty' }, 'No assets are registered yet.'));
      return;
    }
    const byId = new Map(assets.map((a) => [a.id, a]));
    const rows = assets.map((a) =>
      el(
        'tr',
        { dataset: { asset: a.id, level: a.level } },
        el('td', { class: 'name' }, a.name, el('div', { class: 'sub' }, this.owner(a))),
        el('td', {}, a.kind.toLowerCase().replace('_', ' ')),
        el('td', {}, el('span', { class: `pill level ${LEVEL_CLASS[a.level]}` }, a.level)),
        el('td', {}, tradingText(a)),
        el(
          'td',
          { class: 'spark' },
          sparkline(samples.get(a.id) ?? [], 'cellTempMaxDeciC', 10, '°C'),
        ),
        el('td', { class: 'spark' }, sparkline(samples.get(a.id) ?? [], 'offGasPpm', 1, 'ppm')),
        el('td', {}, this.ackCell(a)),
      ),
    );
    const table = el(
      'table',
      { class: 'assets' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Asset', 'Kind', 'Level', 'Trading', 'Cell temperature', 'Off-gas', ''].map((h) =>
            el('th', {}, h),
          ),
        ),
      ),
      el('tbody', {}, rows),
    );
    const list = el(
      'ol',
      { class: 'events' },
      events.map((e) =>
        el(
          'li',
          { dataset: { level: e.toLevel } },
          el('time', {}, new Date(e.at).toLocaleTimeString()),
          ' ',
          el('strong', {}, byId.get(e.assetId)?.name ?? e.assetId.slice(0, 8)),
          ' ',
          e.kind === 'ACKNOWLEDGED' ? 'alarm acknowledged' : `${e.fromLevel} → ${e.toLevel}`,
          e.findings.length
            ? el(
                'span',
                { class: 'sub' },
                ` ${e.findings.map((f) => f.rule.toLowerCase().replaceAll('_', ' ')).join(', ')}`,
              )
            : null,
          e.cancelledOrderIds.length
            ? el('span', { class: 'pill muted' }, `${e.cancelledOrderIds.length} orders cancelled`)
            : null,
          e.expectedImbalances
            ? el('span', { class: 'pill bad' }, `${e.expectedImbalances} deliveries at risk`)
            : null,
        ),
      ),
    );
    this.root.replaceChildren(
      el('div', { class: 'table-wrap' }, table),
      el('h3', {}, 'Safety events'),
      events.length ? list : el('p', { class: 'empty' }, 'No safety events yet.'),
    );
  }

  /** @param {AssetRow} a */
  owner(a) {
    return this.names.get(a.participantId) ?? a.participantId.slice(0, 8);
  }

  /** @param {AssetRow} a */
  ackCell(a) {
    if (a.level !== 'ALARM') return null;
    if (a.acknowledged) return el('span', { class: 'pill muted' }, 'acknowledged');
    if (this.role !== 'OPERATOR') return el('span', { class: 'pill bad' }, 'awaiting operator');
    return el(
      'button',
      {
        type: 'button',
        class: 'verify ack',
        onclick: () => void this.acknowledge(a),
      },
      'Acknowledge',
    );
  }

  /** @param {AssetRow} a */
  async acknowledge(a) {
    if (!this.api) return;
    try {
      await this.api.query(ACKNOWLEDGE, { id: a.id });
    } catch (error) {
      this.options.onError(
        `Acknowledge ${a.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    await this.refresh();
  }
}

/** @param {AssetRow} a */
function tradingText(a) {
  if (a.trading === 'SUSPENDED') return el('span', { class: 'pill bad' }, 'suspended');
  if (a.trading === 'DERATED') {
    return el('span', { class: 'pill warn' }, `derated to ${a.powerPermille / 10} %`);
  }
  return el('span', { class: 'pill ok' }, `${a.dischargePower} kW`);
}

/**
 * A small SVG line of one measured value over the last samples, with its last value.
 * @param {SamplePoint[]} points oldest first
 * @param {'cellTempMaxDeciC' | 'offGasPpm'} field
 * @param {number} divisor the field's units per shown unit (deci-°C: 10)
 * @param {string} unit
 */
function sparkline(points, field, divisor, unit) {
  const values = points.map((p) => p[field]).filter((v) => v !== null);
  if (values.length < 2) {
    return el(
      'span',
      { class: 'sub' },
      values.length ? scaled(values[0] ?? 0, divisor, unit) : '—',
    );
  }
  const width = 120;
  const height = 28;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const coords = values
    .map(
      (v, i) =>
        `${((i / (values.length - 1)) * width).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`,
    )
    .join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', `sparkline ${field}`);
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', coords);
  svg.append(line);
  const last = values[values.length - 1];
  return el(
    'span',
    { class: 'spark-cell' },
    svg,
    el('span', { class: 'sub' }, scaled(last, divisor, unit)),
  );
}

/**
 * An integer in units of 1/divisor as exact decimal text: scaled(265, 10, '°C') → "26.5 °C".
 * @param {number} value
 * @param {number} divisor 1 or 10
 * @param {string} unit
 */
function scaled(value, divisor, unit) {
  if (divisor === 1) return `${value} ${unit}`;
  const sign = value < 0 ? '−' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.trunc(abs / 10)}.${abs % 10} ${unit}`;
}
