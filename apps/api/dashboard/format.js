// Formatting for the dashboard. Decimals arrive from the API as exact strings; they are shown
// as given (padded to the tick's decimals), never recomputed through floats.

/** Number of decimals of a tick such as "0.0001" (4). */
export function decimalsOf(tick) {
  const [, fraction = ''] = String(tick).split('.');
  return fraction.replace(/0+$/, '').length || fraction.length;
}

/** "0.15" with 4 decimals → "0.1500"; null → "—". */
export function price(text, decimals = 4) {
  if (text === null || text === undefined) return '—';
  return padDecimals(text, decimals);
}

export function padDecimals(text, decimals) {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const padded = decimals > 0 ? `${whole}.${fraction.padEnd(decimals, '0')}` : whole;
  return `${negative ? '−' : ''}${group(padded)}`;
}

/** kWh string with thousands separators and at most 3 decimals, as sent. */
export function kwh(text) {
  if (text === null || text === undefined) return '—';
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  return `${negative ? '−' : ''}${group(body)}`;
}

/** Signed amounts: "+12.30" / "−4.05". */
export function signed(text, decimals) {
  if (text === null || text === undefined) return '—';
  const value = padDecimals(text, decimals);
  return value.startsWith('−') || Number(text) === 0 ? value : `+${value}`;
}

export function group(text) {
  const [whole, fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

const pad = (n) => String(n).padStart(2, '0');

/** Local time of an instant; seconds when intervals are shorter than a minute, the date when not today. */
export function time(iso, intervalSeconds = 900) {
  const date = new Date(iso);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}${
    intervalSeconds < 60 ? `:${pad(date.getSeconds())}` : ''
  }`;
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return clock;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock}`;
}

/** A readable span: "15 min", "4 s", "1 h". */
export function duration(seconds) {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function shortHash(hash) {
  return hash ? hash.slice(0, 10) : '—';
}

export function shortId(id) {
  return id ? `${id.slice(0, 8)}…` : '—';
}

/** Creates an element with attributes and children (strings become text nodes, never HTML). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
