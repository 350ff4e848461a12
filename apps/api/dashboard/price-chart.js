// @ts-check
// Clearing price (steps, left axis) and traded volume (bars, right axis) per interval, with
// uPlot (served from node_modules by the API). Click an interval to select it.

const PRICE_COLOR = '#2563eb';
const VOLUME_COLOR = 'rgba(16, 185, 129, 0.45)';
const SELECTED_COLOR = 'rgba(234, 88, 12, 0.85)';

/** @import { ResultRow } from './api.js' */
/** @typedef {import('uplot')} UPlot */
/** @typedef {import('uplot').AlignedData} AlignedData */

export class PriceChart {
  /**
   * @param {HTMLElement} container
   * @param {{ onSelect: (deliveryStartMs: number) => void }} handlers
   */
  constructor(container, { onSelect }) {
    this.container = container;
    this.onSelect = onSelect;
    /** @type {UPlot | null} */
    this.plot = null;
    /** @type {(ResultRow | null)[]} Result of each data index (null for the inserted points). */
    this.nodes = [];
    /** @type {number | null} The selected delivery start (ms). */
    this.selected = null;
    this.unit = 'kWh';
    this.decimals = 4;
    new ResizeObserver(() => this.resize()).observe(container);
  }

  /**
   * `nodes`: results oldest first. Where intervals are missing (nothing was ordered, or the
   * market was idle) the price line breaks instead of bridging the gap.
   * @param {ResultRow[]} nodes
   * @param {{ unit: string, decimals: number, selected: number | null, intervalSeconds: number }} options
   */
  setData(nodes, { unit, decimals, selected, intervalSeconds }) {
    const rebuild = !this.plot || unit !== this.unit || decimals !== this.decimals;
    this.unit = unit;
    this.decimals = decimals;
    this.selected = selected;
    /** @type {number[]} */
    const x = [];
    /** @type {(number | null)[]} */
    const price = [];
    /** @type {(number | null)[]} */
    const volume = [];
    this.nodes = [];
    nodes.forEach((n, i) => {
      const at = Date.parse(n.deliveryStart) / 1000;
      if (i > 0 && at - x[x.length - 1] > intervalSeconds * 1.5) {
        x.push(x[x.length - 1] + intervalSeconds);
        price.push(null);
        volume.push(null);
        this.nodes.push(null);
      }
      x.push(at);
      price.push(n.price === null ? null : Number(n.price));
      volume.push(Number(n.volume));
      this.nodes.push(n);
    });
    if (x.length) {
      // The last price holds until its interval ends.
      x.push(x[x.length - 1] + intervalSeconds);
      price.push(price[price.length - 1]);
      volume.push(null);
      this.nodes.push(null);
    }
    /** @type {AlignedData} */
    const data = [x, price, volume];
    this.container.dataset.points = String(nodes.length);
    this.container.dataset.pricePoints = String(nodes.filter((n) => n.price !== null).length);
    if (rebuild || !this.plot) this.build(data);
    else this.plot.setData(data);
  }

  /** @param {number | null} selected */
  setSelected(selected) {
    this.selected = selected;
    this.plot?.redraw(false);
  }

  size() {
    return { width: Math.max(320, this.container.clientWidth), height: 300 };
  }

  resize() {
    if (this.plot) this.plot.setSize(this.size());
  }

  /** @param {AlignedData} data */
  build(data) {
    this.plot?.destroy();
    this.container.replaceChildren();
    const uPlot = uPlotGlobal();
    const { stepped, bars } = uPlot.paths;
    if (!stepped || !bars) throw new Error('This uPlot build has no stepped or bars paths.');
    const decimals = this.decimals;
    /** @type {import('uplot').Options} */
    const options = {
      ...this.size(),
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      legend: { live: true },
      scales: { x: { time: true }, price: { auto: true }, volume: { auto: true } },
      axes: [
        {
          stroke: '#475569',
          grid: { stroke: '#eef2f7' },
          ticks: { stroke: '#e2e8f0' },
          space: 70,
          // The x scale has its range by the time its ticks are labelled.
          values: (u, ticks) =>
            timeLabels(
              ticks,
              /** @type {number} */ (u.scales.x.max) - /** @type {number} */ (u.scales.x.min),
            ),
        },
        {
          scale: 'price',
          label: `price, currency/${this.unit}`,
          stroke: '#475569',
          grid: { stroke: '#eef2f7' },
          ticks: { stroke: '#e2e8f0' },
          size: 70,
          values: (_u, ticks) => ticks.map((t) => t.toFixed(Math.min(decimals, 4))),
        },
        {
          scale: 'volume',
          side: 1,
          label: this.unit,
          stroke: '#475569',
          grid: { show: false },
          ticks: { stroke: '#e2e8f0' },
          size: 60,
        },
      ],
      series: [
        { label: 'delivery', value: (_u, v) => (v === null ? '—' : timeLabel(v, true)) },
        {
          label: 'clearing price',
          scale: 'price',
          stroke: PRICE_COLOR,
          width: 2,
          paths: stepped({ align: 1 }),
          points: { show: false },
          spanGaps: false,
          value: (_u, v, _series, index) =>
            index === null || !this.nodes[index]
              ? '—'
              : v === null
                ? 'no trade'
                : v.toFixed(decimals),
        },
        {
          label: `volume (${this.unit})`,
          scale: 'volume',
          stroke: 'rgba(16, 185, 129, 0.9)',
          fill: VOLUME_COLOR,
          width: 1,
          paths: bars({ size: [0.7, 40], align: 1 }),
          points: { show: false },
          value: (_u, v) => (v === null || v === undefined ? '—' : v.toLocaleString()),
        },
      ],
      hooks: {
        draw: [
          (u) => {
            if (this.selected === null) return;
            const left = u.valToPos(this.selected / 1000, 'x', true);
            if (!Number.isFinite(left)) return;
            const { ctx } = u;
            ctx.save();
            ctx.strokeStyle = SELECTED_COLOR;
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(left, u.bbox.top);
            ctx.lineTo(left, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    const plot = new uPlot(options, data, this.container);
    this.plot = plot;
    plot.over.addEventListener('click', () => {
      const index = plot.cursor.idx;
      const node = index === null || index === undefined ? null : this.nodes[index];
      if (!node) return;
      this.onSelect(Date.parse(node.deliveryStart));
    });
  }
}

/**
 * uPlot's constructor: the IIFE build (vendor/uplot.js, loaded before the modules) defines the
 * global. Shared by the dashboard's charts.
 */
export function uPlotGlobal() {
  return /** @type {{ uPlot: typeof import('uplot') }} */ (/** @type {unknown} */ (window)).uPlot;
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/**
 * Local clock time of epoch seconds; with seconds when asked or when they are not zero.
 * @param {number} seconds
 * @param {boolean} withSeconds
 */
function timeLabel(seconds, withSeconds) {
  const date = new Date(seconds * 1000);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return withSeconds || date.getSeconds() ? `${clock}:${pad(date.getSeconds())}` : clock;
}

/**
 * Axis labels: clock times; the date under the first tick of each day when the span is long.
 * @param {number[]} ticks
 * @param {number} span
 */
function timeLabels(ticks, span) {
  /** @type {string | null} */
  let lastDay = null;
  return ticks.map((t) => {
    const date = new Date(t * 1000);
    const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
    const label = timeLabel(t, span < 600);
    const first = day !== lastDay;
    lastDay = day;
    return span > 86_400 && first ? `${label}\n${day}` : label;
  });
}
