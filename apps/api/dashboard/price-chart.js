// Clearing price (steps, left axis) and traded volume (bars, right axis) per interval, with
// uPlot (served from node_modules by the API). Click an interval to select it.

const PRICE_COLOR = '#2563eb';
const VOLUME_COLOR = 'rgba(16, 185, 129, 0.45)';
const SELECTED_COLOR = 'rgba(234, 88, 12, 0.85)';

export class PriceChart {
  /**
   * @param {HTMLElement} container
   * @param {{ onSelect: (deliveryStartMs: number) => void }} handlers
   */
  constructor(container, { onSelect }) {
    this.container = container;
    this.onSelect = onSelect;
    this.plot = null;
    this.nodes = [];
    this.selected = null;
    this.unit = 'kWh';
    this.decimals = 4;
    new ResizeObserver(() => this.resize()).observe(container);
  }

  /**
   * `nodes`: results oldest first. Where intervals are missing (nothing was ordered, or the
   * market was idle) the price line breaks instead of bridging the gap.
   */
  setData(nodes, { unit, decimals, selected, intervalSeconds }) {
    const rebuild = !this.plot || unit !== this.unit || decimals !== this.decimals;
    this.unit = unit;
    this.decimals = decimals;
    this.selected = selected;
    const x = [];
    const price = [];
    const volume = [];
    /** Result of each data index (null for the inserted gap points). */
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
    const data = [x, price, volume];
    this.container.dataset.points = String(nodes.length);
    this.container.dataset.pricePoints = String(nodes.filter((n) => n.price !== null).length);
    if (rebuild) this.build(data);
    else this.plot.setData(data);
  }

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

  build(data) {
    this.plot?.destroy();
    this.container.replaceChildren();
    const uPlot = window.uPlot;
    const decimals = this.decimals;
    const chart = this;
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
          values: (u, ticks) => timeLabels(ticks, u.scales.x.max - u.scales.x.min),
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
          paths: uPlot.paths.stepped({ align: 1 }),
          points: { show: false },
          spanGaps: false,
          value: (_u, v, _series, index) =>
            index === null || !chart.nodes[index]
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
          paths: uPlot.paths.bars({ size: [0.7, 40], align: 1 }),
          points: { show: false },
          value: (_u, v) => (v === null || v === undefined ? '—' : v.toLocaleString()),
        },
      ],
      hooks: {
        draw: [
          (u) => {
            if (chart.selected === null) return;
            const left = u.valToPos(chart.selected / 1000, 'x', true);
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
    this.plot = new uPlot(options, data, this.container);
    this.plot.over.addEventListener('click', () => {
      const index = this.plot.cursor.idx;
      if (index === null || index === undefined || !this.nodes[index]) return;
      this.onSelect(Date.parse(this.nodes[index].deliveryStart));
    });
  }
}

const pad = (n) => String(n).padStart(2, '0');

/** Local clock time of epoch seconds; with seconds when asked or when they are not zero. */
function timeLabel(seconds, withSeconds) {
  const date = new Date(seconds * 1000);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return withSeconds || date.getSeconds() ? `${clock}:${pad(date.getSeconds())}` : clock;
}

/** Axis labels: clock times; the date under the first tick of each day when the span is long. */
function timeLabels(ticks, span) {
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
