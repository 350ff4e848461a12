import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { auditSealHash, canonicalAuditSeal, type SealedAuditRow } from './audit-seal';
import { GENESIS_HASH } from './settlement';

const row: SealedAuditRow = {
  id: '42',
  at: '2026-11-30T23:59:59.123456Z',
  actorId: '6f1c1f1e-7d4b-4a39-9d55-0c6a1e0b2f11',
  action: 'submitOrders',
  args: '{"orders": {"count": 25, "first": []}}',
  outcome: 'ERROR',
  errorCode: 'BAD_USER_INPUT',
  message: 'order 3: "price" | off tick\nsecond line',
};

describe('canonicalAuditSeal', () => {
  it('is a compact JSON array of the format, the previous hash and every column', () => {
    expect(canonicalAuditSeal(GENESIS_HASH, { ...row, message: 'm', args: null })).toBe(
      `["parkex.audit.v1","${GENESIS_HASH}","42","2026-11-30T23:59:59.123456Z",` +
        '"6f1c1f1e-7d4b-4a39-9d55-0c6a1e0b2f11","submitOrders",null,"ERROR","BAD_USER_INPUT","m"]',
    );
  });

  it('hashes the UTF-8 bytes of the canonical text', () => {
    const text = canonicalAuditSeal(GENESIS_HASH, row);
    expect(auditSealHash(GENESIS_HASH, row)).toBe(
      createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'),
    );
  });

  it('changes with the previous hash and with any column, null and "" included', () => {
    const base = auditSealHash(GENESIS_HASH, row);
    expect(auditSealHash('1'.repeat(64), row)).not.toBe(base);
    const changed: Partial<SealedAuditRow>[] = [
      { id: '43' },
      { at: '2026-11-30T23:59:59.123457Z' },
      { actorId: null },
      { action: 'cancelOrder' },
      { args: '{"orders": {"count": 26, "first": []}}' },
      { outcome: 'OK' },
      { errorCode: null },
      { message: '' },
    ];
    for (const change of changed) {
      expect(auditSealHash(GENESIS_HASH, { ...row, ...change })).not.toBe(base);
    }
  });

  it('keeps field boundaries whatever the text holds (no two rows share a canonical form)', () => {
    const text = fc.option(fc.string({ unit: 'binary' }), { nil: null });
    fc.assert(
      fc.property(text, text, text, text, (a, b, c, d) => {
        const left = { ...row, action: a ?? '', message: b };
        const right = { ...row, action: c ?? '', message: d };
        const same = left.action === right.action && left.message === right.message;
        expect(
          canonicalAuditSeal(GENESIS_HASH, left) === canonicalAuditSeal(GENESIS_HASH, right),
        ).toBe(same);
      }),
    );
  });
});
