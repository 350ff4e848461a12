/** Time for the matcher's scheduling and timings; injected so that tests can drive it. */
export interface Clock {
  /** Wall-clock now. */
  now(): Date;
  /** Monotonic milliseconds, for durations. */
  monotonicMs(): number;
  /** Resolves after `ms` (or at once when the clock is driven by a test). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', wake);
        resolve();
      }, ms);
      signal?.addEventListener('abort', wake, { once: true });
    }),
};
