import {
  energyAmountMinor,
  hashImbalanceInput,
  hashImbalanceResult,
  imbalanceJournalLines,
  imbalancePrices,
  linesInForce,
  settleImbalance,
} from './imbalance';
import { party } from './spec-support';

describe('imbalancePrices', () => {
  it('charges a shortfall the higher of clearing price and import tariff, pays a surplus the lower of clearing price and feed-in tariff', () => {
    expect(imbalancePrices('0.1200', '0.25', '0.07')).toEqual({
      clearingPrice: '0.12',
      importTariff: '0.25',
      feedInTariff: '0.07',
      shortfallPrice: '0.25',
      surplusPrice: '0.07',
    });
    // a scarce interval: the market price is above the grid's import tariff
    expect(imbalancePrices('0.31', '0.25', '0.07')).toMatchObject({
      shortfallPrice: '0.31',
      surplusPrice: '0.07',
    });
    // a glut: the market price is below the feed-in tariff, even negative
    expect(imbalancePrices('-0.02', '0.25', '0.07')).toMatchObject({
      shortfallPrice: '0.25',
      surplusPrice: '-0.02',
    });
  });

  it('uses the tariffs alone without a clearing price', () => {
    expect(imbalancePrices(null, '0.095', '0')).toEqual({
      clearingPrice: null,
      importTariff: '0.095',
      feedInTariff: '0',
      shortfallPrice: '0.095',
      surplusPrice: '0',
    });
  });
});

describe('energyAmountMinor', () => {
  it('is kWh × price in minor units, an exact half away from zero', () => {
    expect(energyAmountMinor(1500n, '0.25')).toBe(38n); // 0.375 → 0.38
    expect(energyAmountMinor(-1500n, '0.25')).toBe(-38n);
    expect(energyAmountMinor(100n, '0.07')).toBe(1n); // 0.007 → 0.01
    expect(energyAmountMinor(71n, '0.07')).toBe(0n); // 0.00497 → 0.00
    expect(energyAmountMinor(0n, '0')).toBe(0n);
  });
});

describe('settleImbalance', () => {
  // The README's hand-computed case: clearing price 0.12, import 0.25, feed-in 0.07.
  const prices = imbalancePrices('0.12', '0.25', '0.07');
  const parties = [
    // bought 4 kWh, took 5.2 kWh: 1.2 kWh short at 0.25 → pays 0.30
    party('a-bakery', 4000n, 0n, [5200n, 0n]),
    // sold 3 kWh of PV, exported 3.5 kWh: 0.5 kWh surplus at 0.07 → earns 0.035 → 0.04
    party('b-solar', 0n, 3000n, [0n, 3500n]),
    // bought 1 kWh, no reading: estimated, nothing to pay
    party('c-office', 1000n, 0n, null),
    // sold 2 kWh, exported 1.9 kWh: 0.1 kWh short at 0.25 → pays 0.025 → 0.03
    party('d-chp', 0n, 2000n, [0n, 1900n]),
  ];

  it('settles revision 0: one NEW line per party, estimates flagged, totals from the lines', () => {
    const revision = settleImbalance(parties, prices, new Map());
    expect(
      revision.lines.map((l) => [
        l.participantId,
        l.kind,
        l.imbalanceWh,
        l.price,
        l.amountMinor,
        l.estimated,
      ]),
    ).toEqual([
      ['a-bakery', 'NEW', 1200n, '0.25', -30n, false],
      ['b-solar', 'NEW', -500n, '0.07', 4n, false],
      ['c-office', 'NEW', 0n, '0', 0n, true],
      ['d-chp', 'NEW', 100n, '0.25', -3n, false],
    ]);
    expect(revision.lines.map((l) => l.positionWh)).toEqual([4000n, -3000n, 1000n, -2000n]);
    expect(revision).toMatchObject({
      readings: 3,
      estimated: 1,
      shortfallWh: 1300n,
      surplusWh: 500n,
      amountMinor: 29n, // 0.30 + 0.03 − 0.04 paid to the utility
    });
  });

  it('books a correction as a REVERSAL of the line in force and a NEW line, nothing for unchanged parties', () => {
    const first = settleImbalance(parties, prices, new Map());
    const late = parties.map((p) =>
      p.participantId === 'c-office' ? party('c-office', 1000n, 0n, [700n, 0n]) : p,
    );
    const second = settleImbalance(late, prices, linesInForce(first.lines));
    expect(
      second.lines.map((l) => [
        l.line,
        l.kind,
        l.participantId,
        l.imbalanceWh,
        l.amountMinor,
        l.estimated,
      ]),
    ).toEqual([
      [0, 'REVERSAL', 'c-office', 0n, 0n, true],
      // took 0.3 kWh less than it bought: a surplus at 0.07 → earns 0.021 → 0.02
      [1, 'NEW', 'c-office', -300n, 2n, false],
    ]);
    expect(second).toMatchObject({
      readings: 4,
      estimated: 0,
      shortfallWh: 1300n,
      surplusWh: 800n,
      amountMinor: -2n,
    });
    const third = settleImbalance(late, prices, linesInForce([...first.lines, ...second.lines]));
    expect(third.lines).toEqual([]);
    expect(third.amountMinor).toBe(0n);
  });

  it('reverses the line in force, not the first one, on a second correction', () => {
    const first = settleImbalance(parties, prices, new Map());
    const corrected = parties.map((p) =>
      p.participantId === 'a-bakery' ? party('a-bakery', 4000n, 0n, [4000n, 0n]) : p,
    );
    const second = settleImbalance(corrected, prices, linesInForce(first.lines));
    const again = corrected.map((p) =>
      p.participantId === 'a-bakery' ? party('a-bakery', 4000n, 0n, [3000n, 0n]) : p,
    );
    const third = settleImbalance(again, prices, linesInForce([...first.lines, ...second.lines]));
    expect(third.lines.map((l) => [l.kind, l.imbalanceWh, l.amountMinor])).toEqual([
      ['REVERSAL', 0n, 0n],
      ['NEW', -1000n, 7n],
    ]);
    // over all revisions the bakery's lines add up to its last line
    const all = [...first.lines, ...second.lines, ...third.lines].filter(
      (l) => l.participantId === 'a-bakery',
    );
    expect(all.reduce((s, l) => s + l.amountMinor, 0n)).toBe(7n);
    expect(all.reduce((s, l) => s + l.imbalanceWh, 0n)).toBe(-1000n);
  });

  it('refuses a party listed twice', () => {
    expect(() => settleImbalance([parties[0], parties[0]], prices, new Map())).toThrow(/twice/);
  });
});

describe('imbalance journal and hashes', () => {
  const prices = imbalancePrices(null, '0.25', '0.07');
  const parties = [party('p1', 0n, 0n, [2000n, 0n]), party('p2', 1000n, 0n, null)];
  const revision = settleImbalance(parties, prices, new Map());

  it('gives each line with energy or money a participant entry and the utility opposite, zero-sum', () => {
    const entries = imbalanceJournalLines(
      revision.lines,
      new Map([
        ['p1', 'acc-1'],
        ['p2', 'acc-2'],
      ]),
      'utility',
    );
    expect(entries).toEqual([
      {
        line: 0,
        accountId: 'acc-1',
        kind: 'IMBALANCE',
        fillSeq: 0,
        energyWh: 2000n,
        amountMinor: -50n,
      },
      {
        line: 1,
        accountId: 'utility',
        kind: 'IMBALANCE',
        fillSeq: 0,
        energyWh: -2000n,
        amountMinor: 50n,
      },
    ]);
    expect(() => imbalanceJournalLines(revision.lines, new Map(), 'utility')).toThrow(/account/);
  });

  it('hashes inputs and results: the same data the same hash, any change another', () => {
    const key = ['ELECTRICITY', '2030-01-01T00:00:00.000Z', 0] as const;
    const input = hashImbalanceInput(...key, prices, parties, new Map());
    expect(input).toMatch(/^[0-9a-f]{64}$/);
    expect(hashImbalanceInput(...key, prices, [...parties].reverse(), new Map())).toBe(input);
    const changed = [party('p1', 0n, 0n, [2001n, 0n]), parties[1]];
    expect(hashImbalanceInput(...key, prices, changed, new Map())).not.toBe(input);
    const result = hashImbalanceResult(revision);
    expect(hashImbalanceResult(settleImbalance(changed, prices, new Map()))).not.toBe(result);
    expect(hashImbalanceResult(settleImbalance(parties, prices, new Map()))).toBe(result);
  });
});
