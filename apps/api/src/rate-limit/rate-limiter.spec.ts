import { AppError } from '../common/app-error';
import { AddressRateLimiter, RateLimiter, TokenBuckets } from './rate-limiter';

describe('TokenBuckets', () => {
  it('takes a weight, refuses when too few tokens are left, and refills with time', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 10, burst: 20 }, () => now);
    expect(buckets.take('k', 15)).toBe(0);
    expect(buckets.take('k', 5)).toBe(0);
    expect(buckets.take('k', 1)).toBe(100); // one token in 100 ms
    now = 100;
    expect(buckets.take('k', 1)).toBe(0);
    expect(buckets.take('other', 20)).toBe(0); // each key has its own bucket
  });

  it('lets a request heavier than the burst through a full bucket only, leaving a debt', () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 10, burst: 20 }, () => now);
    expect(buckets.take('k', 50)).toBe(0); // 30 tokens of debt
    expect(buckets.take('k', 1)).toBe(3100); // 31 tokens to come back
    now = 3000;
    expect(buckets.take('k', 50)).toBe(2000); // needs a full bucket (20) again
    now = 5000;
    expect(buckets.take('k', 50)).toBe(0);
  });

  it('keeps at most maxBuckets buckets, forgetting the oldest', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 }, () => 0, 3);
    for (const key of ['a', 'b', 'c', 'd']) buckets.take(key, 2);
    expect(buckets.size).toBe(3);
    expect(buckets.take('a', 2)).toBe(0); // forgotten, so full again
    expect(buckets.take('d', 1)).toBeGreaterThan(0);
  });

  it('keeps the bound through a flood of new keys, between prunings too', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 }, () => 0, 3);
    for (let i = 0; i < 5_000; i++) {
      buckets.take(`flood-${i}`, 2);
      expect(buckets.size).toBeLessThanOrEqual(3);
    }
    expect(buckets.take('flood-4999', 1)).toBeGreaterThan(0); // the newest is kept
  });
});

describe('RateLimiter and AddressRateLimiter', () => {
  it('throws RATE_LIMITED naming the weight, or the address', () => {
    const keys = new RateLimiter({ perSecond: 1, burst: 5 }, () => 0);
    keys.take('k', 5);
    expect(() => keys.take('k', 3)).toThrow(
      expect.objectContaining({
        code: 'RATE_LIMITED',
        details: expect.objectContaining({ reason: 'KEY_RATE', weight: 3, retryAfterMs: 3000 }),
      }) as AppError,
    );
    const addresses = new AddressRateLimiter({ perSecond: 1, burst: 1 }, () => 0);
    addresses.take('192.0.2.1');
    expect(() => addresses.take('192.0.2.1')).toThrow(/without a valid API key from 192\.0\.2\.1/);
    addresses.refund('192.0.2.1');
    expect(() => addresses.take('192.0.2.1')).not.toThrow();
  });
});
