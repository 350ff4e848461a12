/**
 * Injected failures for crash tests: `MATCHER_FAILPOINT=<step>:<action>` makes the matcher
 * exit (as if killed) or stall (`stall` for an hour, `stall-<ms>`) at that step of the clearing
 * transaction.
 * Steps: after-claim, after-load, after-clear, after-write (just before COMMIT).
 */
export type FailpointStep = 'after-claim' | 'after-load' | 'after-clear' | 'after-write';

export class Failpoints {
  constructor(private readonly spec: string | undefined) {}

  async hit(step: FailpointStep): Promise<void> {
    if (!this.spec) return;
    const [at, action] = this.spec.split(':');
    if (at !== step) return;
    if (action === 'exit') process.kill(process.pid, 'SIGKILL');
    const stall = /^stall(?:-(\d+))?$/.exec(action ?? '');
    if (stall) await new Promise((resolve) => setTimeout(resolve, Number(stall[1] ?? 3_600_000)));
  }
}

export const FAILPOINTS = Symbol('FAILPOINTS');
