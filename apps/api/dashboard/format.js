// @ts-check
// Formatting for the dashboard. Decimals arrive from the API as exact strings; they are shown
// as given (padded to the tick's decimals), never recomputed through floats.

/**
 * Number of decimals of a tick such as "0.0001" (4).
 * @param {string} tick
 */
export function decimalsOf(tick) {
  const [, fraction = ''] = String(tick).split('.');
  return fraction.replace(/0+$/, '').length || fraction.length;
}

/**
 * "0.15" with 4 decimals → "0.1500"; null → "—".
 * @param {string | null | undefined} text
 */
export function price(text, decimals = 4) {
  if (text === null || text === undefined) return '—';
  return padDecimals(text, decimals);
}

/**
 * @param {string} text
 * @param {number} decimals
 */
export function padDecimals(text, decimals) {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const padded = decimals > 0 ? `${whole}.${fraction.padEnd(decimals, '0')}` : whole;
  return `${negative ? '−' : ''}${group(padded)}`;
}

/**
 * kWh string with thousands separators and at most 3 decimals, as sent.
 * @param {string | null | undefined} text
 */
export function kwh(text) {
  if (text === null || text === undefined) return '—';
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  return `${negative ? '−' : ''}${group(body)}`;
}

/**
 * Signed amounts: "+12.30" / "−4.05".
 * @param {string | null | undefined} text
 * @param {number} decimals
 */
export function signed(text, decimals) {
  if (text === null || text === undefined) return '—';
  const value = padDecimals(text, decimals);
  return value.startsWith('−') || Number(text) === 0 ? value : `+${value}`;
}

/** @param {string} text */
export function group(text) {
  const [whole, fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/**
 * Local time of an instant; seconds when intervals are shorter than a minute, the date when not today.
 * @param {string} iso
 */
export function time(iso, intervalSeconds = 900) {
  const date = new Date(iso);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}${
    intervalSeconds < 60 ? `:${pad(date.getSeconds())}` : ''
  }`;
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return clock;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock}`;
}

/**
 * A readable span: "15 min", "4 s", "1 h".
 * @param {number} seconds
 */
export function duration(seconds) {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** @param {string | null | undefined} hash */
export function shortHash(hash) {
  return hash ? hash.slice(0, 10) : '—';
}

/** @param {string | null | undefined} id */
export function shortId(id) {
  return id ? `${id.slice(0, 8)}…` : '—';
}

/**
 * A child of `el`: a node, or text (numbers included); null, undefined and false are skipped,
 * arrays are flattened one level.
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/**
 * Attributes of `el`: `class`, `dataset` (an object), `on…` listeners, and any other attribute
 * (true: present and empty; null, undefined, false: absent).
 * @typedef {Record<string, string | number | boolean | null | undefined | EventListener
 *   | Record<string, string>>} Attributes
 */

/**
 * Creates an element with attributes and children (strings become text nodes, never HTML).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    } else if (typeof value === 'object') {
      if (name === 'dataset') Object.assign(node.dataset, value);
    } else if (name === 'class') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
