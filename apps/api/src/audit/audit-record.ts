/**
 * What an audit row may hold. Arguments come from anyone (a refused mutation's too), so before they
 * are stored they are summarised, made printable and bounded: no input can make the INSERT fail
 * (PostgreSQL's text and jsonb refuse NUL and lone surrogates) or the row grow without limit.
 */

/** Longest stored `args`, in characters of its JSON text; larger arguments keep their head. */
export const AUDIT_ARGS_MAX_CHARS = 8192;
/** Longest stored `message`. */
export const AUDIT_MESSAGE_MAX_CHARS = 2000;
/** List items kept: a longer list becomes `{ count, first }` with the first 20. */
const MAX_LIST = 20;

/**
 * C0 and C1 control characters (NUL, ESC, CR, LF, tab, …) and unpaired surrogates. Escaped as the
 * text `\u0000` (six characters): jsonb cannot store NUL, and a terminal that prints a row must
 * not obey an escape sequence hidden in it.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

export function escapeControls(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Keeps the audit row small: long lists become their length plus the first items. */
export function summarise(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_LIST).map(summarise);
    return value.length > MAX_LIST ? { count: value.length, first: items } : items;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return escapeControls(value);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [escapeControls(key), summarise(item)]),
    );
  }
  return value;
}

/**
 * The arguments as stored: summarised, escaped, and at most AUDIT_ARGS_MAX_CHARS of JSON. Larger
 * ones become `{ "truncated": true, "chars": <full JSON length>, "head": "<start of the JSON>" }`.
 */
export function auditArgs(args: unknown): unknown {
  if (args === undefined) return undefined;
  const value = summarise(args);
  const json = JSON.stringify(value) ?? 'null';
  if (json.length <= AUDIT_ARGS_MAX_CHARS) return value;
  // The head is escaped once more inside the marker: shorten it until the whole fits.
  let keep = AUDIT_ARGS_MAX_CHARS - 64;
  for (;;) {
    const head = cut(json, keep);
    const marker = { truncated: true, chars: json.length, head };
    const excess = JSON.stringify(marker).length - AUDIT_ARGS_MAX_CHARS;
    if (excess <= 0) return marker;
    keep -= Math.max(excess, 1);
  }
}

/** A message bounded by AUDIT_MESSAGE_MAX_CHARS (marked `… [truncated]`) and escaped. */
export function auditMessage(message: string | null): string | null {
  if (message === null) return null;
  const text = escapeControls(message);
  if (text.length <= AUDIT_MESSAGE_MAX_CHARS) return text;
  const marker = ' … [truncated]';
  return cut(text, AUDIT_MESSAGE_MAX_CHARS - marker.length) + marker;
}

/** The first `length` characters, never splitting a surrogate pair. */
function cut(text: string, length: number): string {
  let end = Math.max(0, length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}
