import { InvariantViolation } from './invariant';
import { assertK, parseK, ratio } from './ratio';

describe('parseK', () => {
  it.each([
    ['0.5', 1n, 2n],
    ['0', 0n, 1n],
    ['1', 1n, 1n],
    ['1.000', 1n, 1n],
    ['0.25', 1n, 4n],
    ['0.3', 3n, 10n],
  ])('%s → %p/%p', (text, num, den) => {
    expect(parseK(text)).toEqual({ ok: true, value: { num, den } });
  });

  it.each(['1.01', '-0.1', '2'])('rejects %s as K_OUT_OF_RANGE', (text) => {
    const result = parseK(text);
    expect(!result.ok && result.rejection.code).toBe('K_OUT_OF_RANGE');
  });

  it('rejects malformed k', () => {
    const result = parseK('half');
    expect(!result.ok && result.rejection.code).toBe('INVALID_DECIMAL');
  });
});

describe('ratio / assertK', () => {
  it('reduces', () => {
    expect(ratio(6n, 8n)).toEqual({ num: 3n, den: 4n });
    expect(ratio(0n, 8n)).toEqual({ num: 0n, den: 1n });
  });

  it('guards invariants', () => {
    expect(() => ratio(1n, 0n)).toThrow(InvariantViolation);
    expect(() => assertK({ num: 3n, den: 2n })).toThrow(InvariantViolation);
    expect(() => assertK({ num: -1n, den: 2n })).toThrow(InvariantViolation);
    expect(() => assertK({ num: 1, den: 2 } as never)).toThrow(InvariantViolation);
    expect(() => assertK({ num: 1n, den: 2n })).not.toThrow();
  });
});
