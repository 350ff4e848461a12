/**
 * RFC 4180 CSV: comma-separated fields, CRLF after every record (the header too), a field
 * quoted when it holds a comma, a double quote, CR or LF, and a quote inside doubled; text that
 * a spreadsheet would run as a formula is neutralised first (`neutraliseFormula`).
 */
export type CsvValue = string | number | null | undefined;

/** A cell a spreadsheet would read as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number, e.g. -12.50 or +3: left as it is, spreadsheets read it as a number. */
const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

/**
 * A cell that starts with =, +, -, @, tab or CR and is not a plain decimal number gets a single
 * quote in front (`'=HYPERLINK(…)`): spreadsheet programs show it as text instead of running it.
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) && !DECIMAL.test(text) ? `'${text}` : text;
}

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : neutraliseFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** Characters gathered before a chunk is handed on (one socket write per chunk, not per row). */
const CHUNK_CHARS = 64 * 1024;

/**
 * The CSV text of `rows`, header first, in chunks of about 64 KiB. Pulls rows only as fast as the
 * reader takes chunks; stopping early (`return()`) stops the rows too.
 */
export async function* csvChunks<T>(
  header: readonly string[],
  rows: AsyncIterable<T>,
  record: (row: T) => readonly CsvValue[],
): AsyncGenerator<string> {
  let chunk = csvRecord(header);
  for await (const row of rows) {
    chunk += csvRecord(record(row));
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
