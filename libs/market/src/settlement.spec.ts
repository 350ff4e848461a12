import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  GENESIS_HASH,
  journalDebitMinor,
  journalHash,
  journalLines,
  type SettlementFill,
} from './settlement';

const fill = (
  seq: number,
  buyer: string,
  seller: string,
  wh: bigint,
  amount: bigint,
): SettlementFill => ({
  seq,
  buyerAccountId: buyer,
  sellerAccountId: seller,
  quantityWh: wh,
  amountMinor: amount,
});

describe('journalLines', () => {
  it('debits the buyer and credits the seller per fill, then charges fees per buyer to the utility', () => {
    const lines = journalLines(
      [
        fill(0, 'b1', 's1', 1500n, 63n),
        fill(1, 'b2', 's1', 1000n, 42n),
        fill(2, 'b1', 's2', 1000n, 42n),
      ],
      'utility',
      '0.0125',
    );
    expect(lines.map((l) => [l.accountId, l.kind, l.fillSeq, l.energyWh, l.amountMinor])).toEqual([
      ['b1', 'ENERGY', 0, 1500n, -63n],
      ['s1', 'ENERGY', 0, -1500n, 63n],
      ['b2', 'ENERGY', 1, 1000n, -42n],
      ['s1', 'ENERGY', 1, -1000n, 42n],
      ['b1', 'ENERGY', 2, 1000n, -42n],
      ['s2', 'ENERGY', 2, -1000n, 42n],
      ['b1', 'NETWORK_FEE', null, 0n, -3n], // 2.5 kWh × 0.0125 = 0.03125 → 0.03
      ['b2', 'NETWORK_FEE', null, 0n, -1n], // 1 kWh × 0.0125 = 0.0125 → 0.01
      ['utility', 'NETWORK_FEE', null, 0n, 4n],
    ]);
    expect(lines.map((l) => l.line)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(journalDebitMinor(lines)).toBe(63n + 42n + 42n + 3n + 1n);
  });

  it('writes no fee lines when the fee is zero', () => {
    const lines = journalLines([fill(0, 'b', 's', 1000n, 10n)], 'utility', '0');
    expect(lines.map((l) => l.kind)).toEqual(['ENERGY', 'ENERGY']);
  });

  it('balances to exactly zero for any fills and fee (property)', () => {
    const accounts = fc.constantFrom('a', 'b', 'c', 'd');
    const fills = fc.array(
      fc.record({
        buyer: accounts,
        seller: accounts,
        wh: fc.bigInt({ min: 1n, max: 10n ** 9n }),
        amount: fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
      }),
      { maxLength: 30 },
    );
    const fee = fc
      .tuple(fc.nat(99_999), fc.nat(4))
      .map(([units, scale]) => (units / 10 ** scale).toString());
    fc.assert(
      fc.property(fills, fee, (raw, feeText) => {
        const lines = journalLines(
          raw.map((f, seq) => fill(seq, f.buyer, f.seller, f.wh, f.amount)),
          'utility',
          feeText,
        );
        const money = lines.reduce((sum, l) => sum + l.amountMinor, 0n);
        const energy = lines.reduce((sum, l) => sum + l.energyWh, 0n);
        expect([money, energy]).toEqual([0n, 0n]);
      }),
    );
  });
});

describe('journalHash', () => {
  const header = {
    productCode: 'ELECTRICITY',
    deliveryStart: '2026-11-27T10:15:00.000Z',
    inputHash: 'a'.repeat(64),
    resultHash: 'b'.repeat(64),
  };
  const lines = journalLines([fill(0, 'b', 's', 1000n, 35n)], 'utility', '0.01');

  it('is a deterministic SHA-256 over the predecessor, the header and every line', () => {
    const hash = journalHash(2, GENESIS_HASH, header, lines);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(journalHash(2, GENESIS_HASH, header, lines)).toBe(hash);
  });

  it('changes when the predecessor, the header or any line changes', () => {
    const hash = journalHash(2, GENESIS_HASH, header, lines);
    expect(journalHash(2, '1'.repeat(64), header, lines)).not.toBe(hash);
    expect(journalHash(2, GENESIS_HASH, { ...header, productCode: 'HEAT' }, lines)).not.toBe(hash);
    const tampered = lines.map((l, i) => (i === 1 ? { ...l, amountMinor: l.amountMinor + 1n } : l));
    expect(journalHash(2, GENESIS_HASH, header, tampered)).not.toBe(hash);
    expect(journalHash(2, GENESIS_HASH, header, lines.slice(0, -1))).not.toBe(hash);
  });

  it("covers the clearing's input and result hashes from version 2 on", () => {
    const v2 = journalHash(2, GENESIS_HASH, header, lines);
    expect(journalHash(2, GENESIS_HASH, { ...header, inputHash: 'c'.repeat(64) }, lines)).not.toBe(
      v2,
    );
    expect(journalHash(2, GENESIS_HASH, { ...header, resultHash: 'c'.repeat(64) }, lines)).not.toBe(
      v2,
    );
    const v1 = journalHash(1, GENESIS_HASH, header, lines);
    expect(v1).not.toBe(v2);
    expect(journalHash(1, GENESIS_HASH, { ...header, inputHash: '', resultHash: '' }, lines)).toBe(
      v1,
    );
  });

  it('keeps version 1 as the journals before version 2 were hashed', () => {
    // The text hashed for version 1, spelled out: old journals must keep verifying.
    const text =
      `parkex.journal.v1|${GENESIS_HASH}|ELECTRICITY|2026-11-27T10:15:00.000Z|4\n` +
      '0|b|ENERGY|0|1000|-35\n1|s|ENERGY|0|-1000|35\n2|b|NETWORK_FEE||0|-1\n3|utility|NETWORK_FEE||0|1\n';
    expect(journalHash(1, GENESIS_HASH, header, lines)).toBe(
      createHash('sha256').update(text).digest('hex'),
    );
  });
});
