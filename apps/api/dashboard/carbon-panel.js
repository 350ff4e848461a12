// @ts-check
// The carbon panel: the park's carbon intensity per interval over one UTC day (market-based
// emissions of the park's metered electricity over that electricity, `parkCarbonIntensity`), the
// grid's factor beside it, and the clearing price of the same electricity product on the right
// axis (ELECTRICITY, or another product that carries electricity, picked), so that a cheap interval
// and a clean one can be compared. Polled every 30 s; ◀ ▶ move by a day; the URL's
// `#carbonDay=YYYY-MM-DD` opens another day.

import { ApiError } from './api.js';
import { el } from './format.js';

/** @import { Api } from './api.js' */
/** @typedef {import('uplot')} UPlot */
/** @typedef {import('uplot').AlignedData} AlignedData */

/**
 * @typedef {object} IntensityPoint
 * @property {string} deliveryStart
 * @property {string} consumption kWh
 * @property {string} emissionsGrams
 * @property {string | null} intensity g/kWh
 * @property {string} gridFactor g/kWh
 * @typedef {{ deliveryStart: string, price: string | null }} PricePoint
 */

const POLL_MS = 30_000;
const DAY_MS = 86_400_000;
const INTENSITY_COLOR = '#059669';
const GRID_COLOR = '#94a3b8';
const PRICE_COLOR = '#2563eb';

const QUERY = `query($from: DateTime!, $to: DateTime!, $product: String!) {
  parkCarbonIntensity(from: $from, to: $to, productCode: $product) {
    deliveryStart consumption emissionsGrams intensity gridFactor }
  clearingResults(productCode: $product, from: $from, to: $to, first: 500) {
    edges { node { deliveryStart price } } } }`;
const CARRIERS = '{ productCarriers { productCode carrier } }';

export class CarbonPanel {
  /**
   * @param {HTMLElement} root the panel's card body
   * @param {{ onError: (message: string) => void }} options
   */
  constructor(root, options) {
    this.root = root;
    this.options = options;
    /** @type {Api | null} */
    this.api = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    /** The shown UTC day's first instant (ms): today, or `#carbonDay=YYYY-MM-DD` of the URL. */
    this.day = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const wanted = new URLSearchParams(location.hash.slice(1)).get('carbonDay');
    const parsed =
      wanted && /^\d{4}-\d{2}-\d{2}$/.test(wanted) ? Date.parse(`${wanted}T00:00:00Z`) : NaN;
    if (Number.isFinite(parsed)) this.day = parsed;
    /** @type {UPlot | null} */
    this.plot = null;
    /** The electricity product whose intervals and prices are shown. */
    this.product = 'ELECTRICITY';
    this.picker = el('select', { 'aria-label': 'electricity product' });
    this.picker.addEventListener('change', () => {
      this.product = this.picker.value;
      void this.refresh();
    });
    this.summary = el('p', { class: 'carbon-summary hint' });
    this.title = el('strong', {});
    this.chart = el('div', { class: 'chart carbon-chart' });
    const move = (/** @type {number} */ days) => () => {
      this.day += days * DAY_MS;
      void this.refresh();
    };
    this.root.replaceChildren(
      el(
        'div',
        { class: 'carbon-nav' },
        el(
          'button',
          { type: 'button', class: 'ghost', 'aria-label': 'previous day', onclick: move(-1) },
          '◀',
        ),
        this.title,
        el(
          'button',
          { type: 'button', class: 'ghost', 'aria-label': 'next day', onclick: move(1) },
          '▶',
        ),
        this.picker,
      ),
      this.summary,
      this.chart,
    );
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(this.chart);
  }

  /** @param {Api} api */
  start(api) {
    this.stop();
    this.api = api;
    void this.loadProducts(api).then(() => this.refresh());
  }

  /**
   * The products that deliver electricity (`productCarriers`): the picker's choices.
   * @param {Api} api
   */
  async loadProducts(api) {
    try {
      const { productCarriers } =
        /** @type {{ productCarriers: { productCode: string, carrier: string | null }[] }} */ (
          await api.query(CARRIERS)
        );
      const codes = productCarriers
        .filter((p) => p.carrier === 'ELECTRICITY')
        .map((p) => p.productCode);
      if (!codes.includes(this.product)) this.product = codes[0] ?? 'ELECTRICITY';
      this.picker.replaceChildren(
        ...codes.map((code) =>
          el('option', { value: code, selected: code === this.product }, code),
        ),
      );
      this.picker.hidden = codes.length < 2;
    } catch {
      // the refresh that follows reports what is wrong
    }
  }

  stop() {
    clearTimeout(this.timer);
    this.api = null;
  }

  async refresh() {
    const api = this.api;
    if (!api) return;
    clearTimeout(this.timer);
    const day = this.day;
    const product = this.product;
    try {
      const data =
        /** @type {{ parkCarbonIntensity: IntensityPoint[], clearingResults: { edges: { node: PricePoint }[] } }} */ (
          await api.query(QUERY, {
            from: new Date(day).toISOString(),
            to: new Date(day + DAY_MS).toISOString(),
            product,
          })
        );
      if (this.api === api && this.day === day && this.product === product) {
        this.render(
          day,
          data.parkCarbonIntensity,
          data.clearingResults.edges.map((e) => e.node),
        );
      }
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'UNAUTHENTICATED')) {
        this.options.onError(`Carbon: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (this.api === api) this.timer = setTimeout(() => void this.refresh(), POLL_MS);
  }

  /**
   * @param {number} day
   * @param {IntensityPoint[]} points
   * @param {PricePoint[]} prices
   */
  render(day, points, prices) {
    this.title.textContent = `${new Date(day).toISOString().slice(0, 10)} (UTC)`;
    const measured = points.filter((p) => p.intensity !== null);
    this.root.dataset.points = String(measured.length);
    this.root.dataset.day = new Date(day).toISOString().slice(0, 10);
    this.root.dataset.product = this.product;
    // The day's intensity: Σ emissions / Σ consumption, exact in integers (mg/kWh), shown in g.
    let grams = 0n;
    let wh = 0n;
    for (const p of points) {
      grams += BigInt(p.emissionsGrams);
      wh += kwhToWh(p.consumption);
    }
    const dayIntensity = wh === 0n ? null : (grams * 1_000_000n * 2n + wh) / (2n * wh);
    this.root.dataset.dayIntensity = dayIntensity === null ? '' : milli(dayIntensity);
    this.summary.textContent =
      wh === 0n
        ? 'No metered electricity on this day yet: the intensity needs meter readings.'
        : `Park electricity ${milli(wh)} kWh, ${grams.toLocaleString()} g CO2e market-based: ${milli(dayIntensity ?? 0n)} g/kWh over the day.`;

    const byStart = new Map(prices.map((p) => [Date.parse(p.deliveryStart), p.price]));
    /** @type {number[]} */
    const x = [];
    /** @type {(number | null)[]} */
    const intensity = [];
    /** @type {(number | null)[]} */
    const grid = [];
    /** @type {(number | null)[]} */
    const price = [];
    for (const p of points) {
      const at = Date.parse(p.deliveryStart);
      x.push(at / 1000);
      // Plotting only: the exact figures are the API's decimals.
      intensity.push(p.intensity === null ? null : Number(p.intensity));
      grid.push(Number(p.gridFactor));
      const cleared = byStart.get(at);
      price.push(cleared === undefined || cleared === null ? null : Number(cleared));
    }
    /** @type {AlignedData} */
    const data = [x, intensity, grid, price];
    if (this.plot) this.plot.setData(data);
    else this.build(data);
  }

  size() {
    return { width: Math.max(320, this.chart.clientWidth), height: 240 };
  }

  /** @param {AlignedData} data */
  build(data) {
    const uPlot = /** @type {{ uPlot: typeof import('uplot') }} */ (/** @type {unknown} */ (window))
      .uPlot;
    const { stepped } = uPlot.paths;
    if (!stepped) throw new Error('This uPlot build has no stepped paths.');
    /** @type {import('uplot').Options} */
    const options = {
      ...this.size(),
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, carbon: { auto: true }, price: { auto: true } },
      axes: [
        { stroke: '#475569', grid: { stroke: '#eef2f7' } },
        { scale: 'carbon', label: 'g CO2e/kWh', stroke: '#475569', size: 60 },
        { scale: 'price', side: 1, label: 'price, currency/kWh', stroke: '#475569', size: 60 },
      ],
      series: [
        {},
        {
          label: 'park intensity (g/kWh)',
          scale: 'carbon',
          stroke: INTENSITY_COLOR,
          width: 2,
          paths: stepped({ align: 1 }),
          points: { show: false },
        },
        {
          label: 'grid (g/kWh)',
          scale: 'carbon',
          stroke: GRID_COLOR,
          dash: [5, 4],
          width: 1.5,
          paths: stepped({ align: 1 }),
          points: { show: false },
        },
        {
          label: 'clearing price',
          scale: 'price',
          stroke: PRICE_COLOR,
          width: 1.5,
          paths: stepped({ align: 1 }),
          points: { show: false },
        },
      ],
    };
    this.chart.replaceChildren();
    this.plot = new uPlot(options, data, this.chart);
  }
}

/** "1.5" kWh → 1500n Wh (the API gives at most 3 decimals). */
function kwhToWh(/** @type {string} */ text) {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole) * 1000n + BigInt(fraction.padEnd(3, '0').slice(0, 3));
}

/** 1500n → "1.500": thousandths as a decimal. */
function milli(/** @type {bigint} */ n) {
  const sign = n < 0n ? '-' : '';
  const abs = n < 0n ? -n : n;
  return `${sign}${abs / 1000n}.${String(abs % 1000n).padStart(3, '0')}`;
}
