// @ts-check
// The carbon panel: the park's carbon intensity per interval over one UTC day (market-based
// emissions of the park's metered electricity over that electricity, `parkCarbonIntensity`), the
// grid's factor beside it, and the clearing price of the same electricity product on the right
// axis (ELECTRICITY, or another product that carries electricity, picked), so that a cheap interval
// and a clean one can be compared. Polled every 30 s; ◀ ▶ move by a day; the URL's
// `#carbonDay=YYYY-MM-DD` opens another day.

import { el } from './format.js';
import { DAY_MS, DayPanel } from './polled-panel.js';
import { uPlotGlobal } from './price-chart.js';

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

const QUERY = `query($from: DateTime!, $to: DateTime!, $product: String!) {
  parkCarbonIntensity(from: $from, to: $to, productCode: $product) {
    deliveryStart consumption emissionsGrams intensity gridFactor }
  clearingResults(productCode: $product, from: $from, to: $to, first: 500) {
    edges { node { deliveryStart price } } } }`;
const CARRIERS = '{ productCarriers { productCode carrier } }';

export class CarbonPanel extends DayPanel {
  /**
   * @param {HTMLElement} root the panel's card body
   * @param {{ onError: (message: string) => void }} options
   */
  constructor(root, options) {
    super(root, options, { title: 'Carbon', pollMs: 30_000 }, 'carbonDay');
    /** The electricity product whose intervals and prices are shown. */
    this.product = 'ELECTRICITY';
    /** Whether the picker lists the products of this sign-in. */
    this.picked = false;
    /** @type {UPlot | null} */
    this.plot = null;
    this.picker = el('select', {
      'aria-label': 'electricity product',
      onchange: () => {
        this.product = this.picker.value;
        void this.refresh();
      },
    });
    this.summary = el('p', { class: 'carbon-summary hint' });
    this.title = el('strong', {});
    this.chart = el('div', { class: 'chart carbon-chart' });
    this.root.replaceChildren(
      this.dayNavigation('carbon-nav', this.title, this.picker),
      this.summary,
      this.chart,
    );
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(this.chart);
  }

  /**
   * @param {Api} api
   * @override
   */
  start(api) {
    this.picked = false;
    super.start(api);
  }

  /**
   * @param {Api} api
   * @override
   */
  async load(api) {
    if (!this.picked) await this.pickProducts(api);
    const { day, product } = this;
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
        data.parkCarbonIntensity,
        data.clearingResults.edges.map((e) => e.node),
      );
    }
  }

  /**
   * The products that deliver electricity (`productCarriers`): the picker's choices.
   * @param {Api} api
   */
  async pickProducts(api) {
    const { productCarriers } =
      /** @type {{ productCarriers: { productCode: string, carrier: string | null }[] }} */ (
        await api.query(CARRIERS)
      );
    const codes = productCarriers
      .filter((p) => p.carrier === 'ELECTRICITY')
      .map((p) => p.productCode);
    if (!codes.includes(this.product)) this.product = codes[0] ?? 'ELECTRICITY';
    this.picker.replaceChildren(
      ...codes.map((code) => el('option', { value: code, selected: code === this.product }, code)),
    );
    this.picker.hidden = codes.length < 2;
    this.picked = true;
  }

  /**
   * @param {IntensityPoint[]} points
   * @param {PricePoint[]} prices
   */
  render(points, prices) {
    const date = new Date(this.day).toISOString().slice(0, 10);
    this.title.textContent = `${date} (UTC)`;
    Object.assign(this.root.dataset, {
      day: date,
      product: this.product,
      points: String(points.filter((p) => p.intensity !== null).length),
    });
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
      dayIntensity === null
        ? 'No metered electricity on this day yet: the intensity needs meter readings.'
        : `Park electricity ${milli(wh)} kWh, ${grams.toLocaleString()} g CO2e market-based: ${milli(dayIntensity)} g/kWh over the day.`;

    const priceAt = new Map(prices.map((p) => [Date.parse(p.deliveryStart), p.price]));
    // Plotting only: the exact figures are the API's decimals.
    const number = (/** @type {string | null | undefined} */ text) =>
      text === null || text === undefined ? null : Number(text);
    /** @type {AlignedData} */
    const data = [
      points.map((p) => Date.parse(p.deliveryStart) / 1000),
      points.map((p) => number(p.intensity)),
      points.map((p) => number(p.gridFactor)),
      points.map((p) => number(priceAt.get(Date.parse(p.deliveryStart)))),
    ];
    if (this.plot) this.plot.setData(data);
    else this.build(data);
  }

  size() {
    return { width: Math.max(320, this.chart.clientWidth), height: 240 };
  }

  /** @param {AlignedData} data */
  build(data) {
    const uPlot = uPlotGlobal();
    const { stepped } = uPlot.paths;
    if (!stepped) throw new Error('This uPlot build has no stepped paths.');
    /** One step per interval, held over the interval. */
    const step = (
      /** @type {string} */ label,
      /** @type {string} */ scale,
      /** @type {string} */ stroke,
      /** @type {Partial<import('uplot').Series>} */ more = {},
    ) => ({
      label,
      scale,
      stroke,
      width: 1.5,
      paths: stepped({ align: 1 }),
      points: { show: false },
      ...more,
    });
    this.chart.replaceChildren();
    this.plot = new uPlot(
      {
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
          step('park intensity (g/kWh)', 'carbon', '#059669', { width: 2 }),
          step('grid (g/kWh)', 'carbon', '#94a3b8', { dash: [5, 4] }),
          step('clearing price', 'price', '#2563eb'),
        ],
      },
      data,
      this.chart,
    );
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
