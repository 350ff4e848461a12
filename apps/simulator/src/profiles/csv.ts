/** A column of a profile file: one value per row, keyed by the row's first field. */
export interface Series {
  /** First field of each row, e.g. `2015-04-22 12:00:00+02:00`. */
  keys: string[];
  values: number[];
}

/**
 * Reads the comma-separated profile files of `data/` (one header line, LF or CRLF). `column` is
 * the 0-based field index of the values; a missing or non-numeric value is an error, so a
 * broken file fails loudly instead of simulating zeros.
 */
export function parseSeries(text: string, column: number, name = 'file'): Series {
  const lines = text.split(/\r?\n/);
  const keys: string[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const fields = line.split(',');
    const value = Number(fields[column]);
    if (fields[column] === undefined || fields[column] === '' || !Number.isFinite(value)) {
      throw new Error(`${name} line ${i + 1}: no number in column ${column}: ${line}`);
    }
    keys.push(fields[0]);
    values.push(value);
  }
  return { keys, values };
}

/** Rows of a small table file as objects keyed by the header's names. */
export function parseTable(text: string): Record<string, string>[] {
  const [header, ...rows] = text.split(/\r?\n/).filter((line) => line !== '');
  const names = header.split(',');
  return rows.map((row) => {
    const fields = row.split(',');
    return Object.fromEntries(names.map((name, i) => [name, fields[i] ?? '']));
  });
}
