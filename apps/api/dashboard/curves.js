// @ts-check
// The demand (bids) and supply (offers) step curves of one interval as SVG, with the clearing
// point marked. Curve points come from the API: demand by price descending with the quantity
// bid at or above it, supply by price ascending with the quantity offered at or below it.

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 300;
const MARGIN = { top: 16, right: 18, bottom: 42, left: 64 };

/** @import { ResultWithCurves } from './api.js' */

/**
 * A point of a cumulative curve, as numbers for drawing.
 * @typedef {{ price: number, quantity: number }} Point
 */

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attributes]
 * @param {string} [text]
 */
function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * About `count` round tick values covering [low, high].
 * @param {number} low
 * @param {number} high
 * @returns {number[]}
 */
export function niceTicks(low, high, count = 5) {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

/**
 * Step path through cumulative points: from quantity 0 at the first price across to its
 * quantity, then to the next price, and so on.
 * @param {Point[]} points
 * @param {(quantity: number) => string} x
 * @param {(price: number) => string} y
 */
export function stepPath(points, x, y) {
  if (!points.length) return '';
  let d = `M${x(0)},${y(points[0].price)}`;
  points.forEach((point, i) => {
    if (i > 0) d += `V${y(point.price)}`;
    d += `H${x(point.quantity)}`;
  });
  return d;
}

/**
 * @param {HTMLElement} container
 * @param {ResultWithCurves | null} result
 * @param {{ unit: string, decimals: number }} options
 */
export function renderCurves(container, result, { unit, decimals }) {
  const width = Math.max(320, container.clientWidth || 560);
  container.replaceChildren();
  if (!result) {
    container.append(message('Select an interval to see its curves.'));
    return;
  }
  const demand = result.demandCurve.map((p) => ({
    price: Number(p.price),
    quantity: Number(p.quantity),
  }));
  const supply = result.supplyCurve.map((p) => ({
    price: Number(p.price),
    quantity: Number(p.quantity),
  }));
  container.dataset.demandPoints = String(demand.length);
  container.dataset.supplyPoints = String(supply.length);
  if (!demand.length && !supply.length) {
    container.append(message('No bids or offers in this interval.'));
    return;
  }
  const clearingPrice = result.price === null ? null : Number(result.price);
  const volume = Number(result.volume);

  const prices = [...demand, ...supply].map((p) => p.price);
  if (clearingPrice !== null) prices.push(clearingPrice);
  let low = Math.min(...prices);
  let high = Math.max(...prices);
  const pad = (high - low || Math.abs(high) || 1) * 0.08;
  low -= pad;
  high += pad;
  const maxQuantity =
    Math.max(1e-9, ...demand.map((p) => p.quantity), ...supply.map((p) => p.quantity), volume) *
    1.06;

  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (/** @type {number} */ q) => (MARGIN.left + (q / maxQuantity) * plotWidth).toFixed(1);
  const y = (/** @type {number} */ p) =>
    (MARGIN.top + (1 - (p - low) / (high - low)) * plotHeight).toFixed(1);

  const root = svg('svg', {
    viewBox: `0 0 ${width} ${HEIGHT}`,
    width,
    height: HEIGHT,
    role: 'img',
    'aria-label': 'Demand and supply curves',
    class: 'curves-svg',
  });

  const grid = svg('g', { class: 'grid' });
  for (const t of niceTicks(low, high)) {
    grid.append(svg('line', { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(t), y2: y(t) }));
    grid.append(
      svg(
        'text',
        { x: MARGIN.left - 8, y: Number(y(t)) + 4, 'text-anchor': 'end', class: 'tick' },
        t.toFixed(Math.min(decimals, 4)),
      ),
    );
  }
  for (const t of niceTicks(0, maxQuantity)) {
    grid.append(svg('line', { x1: x(t), x2: x(t), y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom }));
    grid.append(
      svg(
        'text',
        { x: x(t), y: HEIGHT - MARGIN.bottom + 16, 'text-anchor': 'middle', class: 'tick' },
        t.toLocaleString(),
      ),
    );
  }
  root.append(grid);
  root.append(
    svg(
      'text',
      {
        x: MARGIN.left + plotWidth / 2,
        y: HEIGHT - 6,
        'text-anchor': 'middle',
        class: 'axis-label',
      },
      `cumulative quantity, ${unit}`,
    ),
  );
  root.append(
    svg(
      'text',
      {
        x: 14,
        y: MARGIN.top + plotHeight / 2,
        'text-anchor': 'middle',
        class: 'axis-label',
        transform: `rotate(-90 14 ${MARGIN.top + plotHeight / 2})`,
      },
      `price, currency/${unit}`,
    ),
  );

  root.append(svg('path', { d: stepPath(supply, x, y), class: 'curve supply' }));
  root.append(svg('path', { d: stepPath(demand, x, y), class: 'curve demand' }));

  if (clearingPrice !== null && volume > 0) {
    const cx = x(volume);
    const cy = y(clearingPrice);
    root.append(
      svg('path', { d: `M${MARGIN.left},${cy}H${cx}V${HEIGHT - MARGIN.bottom}`, class: 'guide' }),
    );
    root.append(svg('circle', { cx, cy, r: 6, class: 'clearing-point' }));
    const label = `${clearingPrice.toFixed(decimals)} · ${volume.toLocaleString()} ${unit}`;
    const right = Number(cx) > MARGIN.left + plotWidth * 0.6;
    root.append(
      svg(
        'text',
        {
          x: Number(cx) + (right ? -10 : 10),
          y: Number(cy) - 10,
          'text-anchor': right ? 'end' : 'start',
          class: 'clearing-label',
        },
        label,
      ),
    );
  }
  container.append(root);
}

/** @param {string} text */
function message(text) {
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = text;
  return p;
}
