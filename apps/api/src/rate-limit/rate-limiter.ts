import { AppError } from '../common/app-error';

export interface RateLimitOptions {
  /** Tokens added per second (sustained requests per second per key). */
  perSecond: number;
  /** Bucket size: requests a key may send at once after being idle. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Buckets idle this long are full again and can be forgotten. */
const PRUNE_EVERY = 10_000;

/**
 * Token buckets per API key, in the memory of this API process (so N replicas allow up to N
 * times the rate; a shared limiter would cost a round trip per request). Each request takes one
 * token; a key with an empty bucket gets RATE_LIMITED with the time until the next token.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private takes = 0;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Takes a token for `key` or throws RATE_LIMITED. */
  take(key: string): void {
    const now = this.nowMs();
    const { perSecond, burst } = this.options;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, updatedMs: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(
        burst,
        bucket.tokens + ((now - bucket.updatedMs) * perSecond) / 1000,
      );
      bucket.updatedMs = now;
    }
    if (++this.takes % PRUNE_EVERY === 0) this.prune(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfterMs = Math.ceil(((1 - bucket.tokens) * 1000) / perSecond);
    throw new AppError(
      'RATE_LIMITED',
      `too many requests with this API key: the limit is ${perSecond} per second (bursts of ${burst}); retry in ${retryAfterMs} ms`,
      { retryAfterMs, limitPerSecond: perSecond, burst },
    );
  }

  /** Forgets buckets that have refilled completely. */
  private prune(now: number): void {
    const { perSecond, burst } = this.options;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedMs) * perSecond) / 1000 >= burst) {
        this.buckets.delete(key);
      }
    }
  }
}
