/**
 * RFC 4180 CSV: comma-separated fields, CRLF after every record (the header too), a field
 * quoted when it holds a comma, a double quote, CR or LF, and a quote inside doubled.
 */
export type CsvValue = string | number | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
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
