/**
 * Injected failures for crash and failure tests:
 * `MATCHER_FAILPOINT=<step>:<action>[@PRODUCT[/DELIVERY_START]]` acts at that step of the
 * clearing transaction (with `@`, of that product's intervals only, or of one interval:
 * `@ELECTRICITY/2030-01-01T00:00:00.000Z`).
 * Steps: after-claim, after-load, after-clear, after-write (just before COMMIT), and inside the
 * ledger write: ledger-locked (the ledger lock just taken, between statements) and ledger-copy
 * (the ledger entries' COPY under way: its first rows sent, the rest not); and
 * before-failure-write (the attempts used up, before the FAILED result is written). Imbalance
 * settlement (`ImbalanceSettler`) hits after-claim, ledger-locked and after-write of its
 * product-intervals too.
 * Actions: `exit` (SIGKILL itself, as if killed), `stall` (an hour) or `stall-<ms>`, `throw`
 * (an error, as a broken book would), `sigstop` (SIGSTOP itself: a frozen process whose
 * connection stays open).
 */
export type FailpointStep =
  | 'after-claim'
  | 'after-load'
  | 'after-clear'
  | 'after-write'
  | 'ledger-locked'
  | 'ledger-copy'
  | 'before-failure-write';

export class FailpointError extends Error {
  override name = 'FailpointError';
}

/** The interval being cleared. */
export interface FailpointTarget {
  productCode: string;
  deliveryStart: Date;
}

export class Failpoints {
  private readonly step: string | undefined;
  private readonly action: string | undefined;
  private readonly product: string | undefined;
  private readonly deliveryStart: number | undefined;

  constructor(spec: string | undefined) {
    if (!spec) return;
    const [where, scope] = spec.split('@');
    [this.step, this.action] = where.split(':');
    const [product, start] = (scope ?? '').split('/');
    this.product = product || undefined;
    this.deliveryStart = start ? new Date(start).getTime() : undefined;
  }

  async hit(step: FailpointStep, target: FailpointTarget | undefined): Promise<void> {
    if (this.step !== step || !this.applies(target)) return;
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

  private applies(target: FailpointTarget | undefined): boolean {
    if (this.product === undefined) return true;
    if (!target || target.productCode !== this.product) return false;
    return (
      this.deliveryStart === undefined || target.deliveryStart.getTime() === this.deliveryStart
    );
  }
}

export const FAILPOINTS = Symbol('FAILPOINTS');
