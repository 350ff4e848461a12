/**
 * Injected failures for crash and failure tests: `MATCHER_FAILPOINT=<step>:<action>[@PRODUCT]`
 * acts at that step of the clearing transaction (of that product's intervals only, with `@`).
 * Steps: after-claim, after-load, after-clear, after-write (just before COMMIT), and inside the
 * ledger write: ledger-locked (the ledger lock just taken, between statements) and ledger-copy
 * (the ledger entries' COPY under way: its first rows sent, the rest not).
 * Actions: `exit` (SIGKILL itself, as if killed), `stall` (an hour) or `stall-<ms>`, `throw`
 * (an error, as a broken book would), `sigstop` (SIGSTOP itself: a frozen process whose
 * connection stays open).
 */
export type FailpointStep =
  'after-claim' | 'after-load' | 'after-clear' | 'after-write' | 'ledger-locked' | 'ledger-copy';

export class FailpointError extends Error {}

export class Failpoints {
  private readonly step: string | undefined;
  private readonly action: string | undefined;
  private readonly product: string | undefined;

  constructor(spec: string | undefined) {
    if (!spec) return;
    const [where, product] = spec.split('@');
    [this.step, this.action] = where.split(':');
    this.product = product;
  }

  async hit(step: FailpointStep, productCode: string): Promise<void> {
    if (this.step !== step || (this.product && this.product !== productCode)) return;
    const action = this.action ?? '';
    if (action === 'exit') process.kill(process.pid, 'SIGKILL');
    if (action === 'throw') throw new FailpointError(`failpoint ${step}: injected failure`);
    if (action === 'sigstop') {
      // let what was written reach the socket, say so (stderr to a pipe is synchronous), stop
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.stderr.write(`failpoint ${step}: SIGSTOP pid ${process.pid}\n`);
      process.kill(process.pid, 'SIGSTOP');
      return;
    }
    const stall = /^stall(?:-(\d+))?$/.exec(action);
    if (stall) await new Promise((resolve) => setTimeout(resolve, Number(stall[1] ?? 3_600_000)));
  }
}

export const FAILPOINTS = Symbol('FAILPOINTS');
