/**
 * A benchmark's process lifecycle: cleanups run once, in order, on the way out (success,
 * failure, SIGINT/SIGTERM or the deadline), then the process exits with the given code.
 */
export interface BenchLifecycle {
  /** Run on shutdown in this order (`unshift` what must go first). */
  cleanups: (() => Promise<void>)[];
  shutdown(code: number): Promise<void>;
}

/** Installs the signal handlers and a hard deadline; runs `main`, exiting 1 if it throws. */
export function runBench(
  log: (message: string) => void,
  deadlineMs: number,
  main: (lifecycle: BenchLifecycle) => Promise<number>,
): void {
  let stopping = false;
  const lifecycle: BenchLifecycle = {
    cleanups: [],
    async shutdown(code: number): Promise<void> {
      if (stopping) return;
      stopping = true;
      for (const cleanup of lifecycle.cleanups) {
        try {
          await cleanup();
        } catch (error) {
          log(`cleanup failed: ${String(error)}`);
        }
      }
      process.exit(code);
    },
  };
  process.on('SIGINT', () => void lifecycle.shutdown(130));
  process.on('SIGTERM', () => void lifecycle.shutdown(143));
  const deadline = setTimeout(() => {
    log('deadline reached; stopping');
    void lifecycle.shutdown(3);
  }, deadlineMs);
  deadline.unref();
  main(lifecycle)
    .then((code) => lifecycle.shutdown(code))
    .catch(async (error: unknown) => {
      log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await lifecycle.shutdown(1);
    });
}
