/** `[████████░░░░]  42/96` — pure, for the terminal progress line. */
export function renderBar(done: number, total: number, width = 28): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(ratio * width);
  const count = String(done).padStart(String(total).length);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${count}/${total}`;
}

/**
 * A progress line on stderr: redrawn in place on a terminal; elsewhere (a log file, CI) one
 * line per tenth of the run, so logs stay readable. Messages printed through `log` appear above
 * the line.
 */
export class ProgressBar {
  private line = '';
  private lastTenth = -1;
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    plain = false,
  ) {
    this.tty = Boolean(stream.isTTY) && !plain;
  }

  update(done: number, details: string): void {
    this.line = `${renderBar(done, this.total)}  ${details}`;
    if (this.tty) {
      const columns = this.stream.columns || 120;
      this.stream.write(`\r\x1b[2K${this.line.slice(0, columns - 1)}`);
      return;
    }
    const tenth = Math.floor((done * 10) / Math.max(1, this.total));
    if (tenth !== this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${this.line}\n`);
    }
  }

  log(message: string): void {
    if (this.tty) this.stream.write(`\r\x1b[2K${message}\n${this.line}`);
    else this.stream.write(`${message}\n`);
  }

  finish(): void {
    if (this.tty && this.line) this.stream.write('\n');
    this.line = '';
  }
}
