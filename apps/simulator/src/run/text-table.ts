/** A plain-text table: the header, a rule, the rows; columns padded, `right` ones right-aligned. */
export function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The tables of the summary: a name in the first column, figures in the others. */
export function figuresTable(header: string[], rows: string[][]): string {
  return table(
    header,
    rows,
    header.map((_, i) => i > 0),
  );
}
