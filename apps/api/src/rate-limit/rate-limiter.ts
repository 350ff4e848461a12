import { AppError } from '../common/app-error';

export interface RateLimitOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: what may be spent at once after being idle. */
  burst: number;
}

/** Buckets kept at most per limiter; beyond, the least recently created one is forgotten. */
export const MAX_BUCKETS = 100_000;

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Pruning of refilled buckets runs every this many takes. */
const PRUNE_EVERY = 10_000;
/**
 * A new key finding all buckets taken prunes them first only if this many buckets were created
 * since the last pruning: in a flood of new keys nothing has refilled, and a walk of all buckets
 * per request would be paid for nothing.
 */
const PRUNE_WHEN_FULL_EVERY = 1_000;

/**
 * Token buckets by key, in the memory of this API process (N replicas allow up to N times the
 * rate; a shared limiter would cost a round trip per request). At most `MAX_BUCKETS` buckets:
 * full ones are pruned (every `PRUNE_EVERY` takes, and when a new key finds all buckets taken,
 * at most once per `PRUNE_WHEN_FULL_EVERY` new buckets), and when that is not enough the oldest
 * is dropped.
 *
 * A take of `weight` tokens needs `min(weight, burst)` of them in the bucket and then removes all
 * `weight`: a request heavier than the burst is allowed from a full bucket and leaves its key in
 * debt for `(weight − burst) / perSecond` seconds, so the sustained rate holds whatever the weight.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private takes = 0;
  /** Buckets created since the last pruning (initially as if long ago). */
  private createdSincePrune = PRUNE_WHEN_FULL_EVERY;

  constructor(
    readonly options: RateLimitOptions,
    private readonly nowMs: () => number = () => performance.now(),
    private readonly maxBuckets = MAX_BUCKETS,
  ) {}

  /** Takes `weight` tokens for `key`; returns 0, or the milliseconds until it could. */
  take(key: string, weight = 1): number {
    const now = this.nowMs();
    const { perSecond, burst } = this.options;
    const bucket = this.refilled(key, now);
    if (++this.takes % PRUNE_EVERY === 0) this.prune(now);
    const needed = Math.min(weight, burst);
    if (bucket.tokens >= needed) {
      bucket.tokens -= weight;
      return 0;
    }
    return Math.max(1, Math.ceil(((needed - bucket.tokens) * 1000) / perSecond));
  }

  /** Gives back the token taken for a request that turned out not to count. */
  refund(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.options.burst, bucket.tokens + 1);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const { perSecond, burst } = this.options;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxBuckets && this.createdSincePrune >= PRUNE_WHEN_FULL_EVERY) {
        this.prune(now);
      }
      if (this.buckets.size >= this.maxBuckets) {
        this.buckets.delete(this.buckets.keys().next().value as string);
      }
      bucket = { tokens: burst, updatedMs: now };
      this.buckets.set(key, bucket);
      this.createdSincePrune += 1;
    } else {
      bucket.tokens = Math.min(
        burst,
        bucket.tokens + ((now - bucket.updatedMs) * perSecond) / 1000,
      );
      bucket.updatedMs = now;
    }
    return bucket;
  }

  /** Forgets buckets that have refilled completely. */
  private prune(now: number): void {
    this.createdSincePrune = 0;
    const { perSecond, burst } = this.options;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedMs) * perSecond) / 1000 >= burst) {
        this.buckets.delete(key);
      }
    }
  }
}

/**
 * The per-API-key limit. A request takes its weight: its query cost plus the orders it submits
 * (see `requestWeight`); a key with too few tokens gets RATE_LIMITED with the time to wait.
 */
export class RateLimiter {
  private readonly buckets: TokenBuckets;

  constructor(options: RateLimitOptions, nowMs?: () => number) {
    this.buckets = new TokenBuckets(options, nowMs);
  }

  /** Takes `weight` tokens for the key or throws RATE_LIMITED. */
  take(keyHash: string, weight = 1): void {
    const retryAfterMs = this.buckets.take(keyHash, weight);
    if (retryAfterMs === 0) return;
    const { perSecond, burst } = this.buckets.options;
    throw new AppError(
      'RATE_LIMITED',
      `too many requests with this API key: the limit is ${perSecond} per second (bursts of ${burst}), ` +
        `counted in query cost, each order submitted an item (this request: ${weight}); retry in ${retryAfterMs} ms`,
      { reason: 'KEY_RATE', retryAfterMs, limitPerSecond: perSecond, burst, weight },
    );
  }
}

/**
 * The pre-authentication limit: requests without a valid API key (none, malformed, unknown or
 * revoked) take a token of their client address's bucket, and are refused before any key
 * lookup once it is empty. Requests with a valid key cost it nothing.
 */
export class AddressRateLimiter {
  private readonly buckets: TokenBuckets;

  constructor(options: RateLimitOptions, nowMs?: () => number) {
    this.buckets = new TokenBuckets(options, nowMs);
  }

  /** Takes a token for `address` or throws RATE_LIMITED. */
  take(address: string): void {
    const retryAfterMs = this.buckets.take(address);
    if (retryAfterMs === 0) return;
    const { perSecond, burst } = this.buckets.options;
    throw new AppError(
      'RATE_LIMITED',
      `too many requests without a valid API key from ${address}: the limit is ${perSecond} per second ` +
        `(bursts of ${burst}); retry in ${retryAfterMs} ms, and send Authorization: Bearer <api key>`,
      { reason: 'ADDRESS_RATE', retryAfterMs, limitPerSecond: perSecond, burst },
    );
  }

  /** Returns the token of a request whose key turned out valid. */
  refund(address: string): void {
    this.buckets.refund(address);
  }
}
