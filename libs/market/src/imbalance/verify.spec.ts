import {
  hashImbalanceInput,
  hashImbalanceResult,
  imbalancePrices,
  linesInForce,
  settleImbalance,
  type ImbalanceLine,
  type ImbalanceParty,
} from './imbalance';
import { party } from './spec-support';
import {
  MAX_IMBALANCE_DIFFERENCES,
  verifyImbalance,
  type ImbalanceVerificationInput,
  type LatestReading,
  type StoredImbalanceRevision,
} from './verify';

const PRODUCT = 'ELECTRICITY';
const START = '2030-01-01T00:00:00.000Z';
const prices = imbalancePrices('0.12', '0.25', '0.07');

/** Stores the revisions the matcher would write for successive views of the parties. */
function store(rounds: readonly ImbalanceParty[][]): StoredImbalanceRevision[] {
  const stored: StoredImbalanceRevision[] = [];
  const held: ImbalanceLine[] = [];
  rounds.forEach((parties, revision) => {
    const before = linesInForce(held);
    const settled = settleImbalance(parties, prices, before);
    const after = linesInForce([...held, ...settled.lines]);
    const hashed = [...after.values()].map((l) => ({
      participantId: l.participantId,
      boughtWh: l.positionWh,
      soldWh: 0n,
      meteredImportWh: l.meteredImportWh,
      meteredExportWh: l.meteredExportWh,
    }));
    stored.push({
      ...settled,
      revision,
      ...prices,
      inputHash: hashImbalanceInput(PRODUCT, START, revision, prices, hashed, before),
      resultHash: hashImbalanceResult(settled),
      journalId: settled.lines.some((l) => l.imbalanceWh !== 0n || l.amountMinor !== 0n)
        ? `journal-${revision}`
        : null,
    });
    held.push(...settled.lines);
  });
  return stored;
}

const first = [
  party('a-bakery', 4000n, 0n, [5200n, 0n]),
  party('b-solar', 0n, 3000n, [0n, 3500n]),
  party('c-office', 1000n, 0n, null),
  party('d-chp', 0n, 2000n, [0n, 1900n]),
];
// a late reading of the office, then a correction of the bakery's meter
const second = first.map((p) =>
  p.participantId === 'c-office' ? party('c-office', 1000n, 0n, [700n, 0n]) : p,
);
const third = second.map((p) =>
  p.participantId === 'a-bakery' ? party('a-bakery', 4000n, 0n, [4100n, 0n]) : p,
);

function positionsOf(parties: readonly ImbalanceParty[]): Map<string, bigint> {
  return new Map(parties.map((p) => [p.participantId, p.boughtWh - p.soldWh]));
}

function readingsOf(parties: readonly ImbalanceParty[]): Map<string, LatestReading> {
  const readings = new Map<string, LatestReading>();
  for (const p of parties) {
    if (p.meteredImportWh !== null) {
      readings.set(p.participantId, { importWh: p.meteredImportWh, exportWh: p.meteredExportWh! });
    }
  }
  return readings;
}

function inputOf(
  revisions: StoredImbalanceRevision[],
  parties: readonly ImbalanceParty[],
  overrides: Partial<ImbalanceVerificationInput> = {},
): ImbalanceVerificationInput {
  return {
    productCode: PRODUCT,
    deliveryStart: START,
    revisions,
    clearingPrice: '0.12',
    positions: positionsOf(parties),
    readings: readingsOf(parties),
    pendingReadings: false,
    intervalRevision: revisions.length - 1,
    ...overrides,
  };
}

/** A copy of revision `r` with line `line` changed. */
function tamperLine(
  revisions: StoredImbalanceRevision[],
  r: number,
  line: number,
  change: Partial<ImbalanceLine>,
): StoredImbalanceRevision[] {
  return revisions.map((rev) =>
    rev.revision !== r
      ? rev
      : { ...rev, lines: rev.lines.map((l) => (l.line === line ? { ...l, ...change } : l)) },
  );
}

describe('verifyImbalance', () => {
  const revisions = store([first, second, third]);

  it('passes the revisions settleImbalance produced, against the positions and readings they used', () => {
    expect(verifyImbalance(inputOf(revisions, third))).toEqual({
      ok: true,
      revisionsChecked: 3,
      linesChecked: 4 + 2 + 2,
      differences: [],
    });
    expect(verifyImbalance(inputOf(revisions.slice(0, 1), first)).ok).toBe(true);
  });

  it('passes an interval without a clearing price, and a later revision that changed nothing', () => {
    const noPrice = imbalancePrices(null, '0.25', '0.07');
    const settled = settleImbalance(first, noPrice, new Map());
    const lines = linesInForce(settled.lines);
    const parties = [...lines.values()].map((l) =>
      party(
        l.participantId,
        l.positionWh,
        0n,
        l.estimated ? null : [l.meteredImportWh!, l.meteredExportWh!],
      ),
    );
    const again = settleImbalance(first, noPrice, lines);
    const revs: StoredImbalanceRevision[] = [
      {
        ...settled,
        revision: 0,
        ...noPrice,
        inputHash: hashImbalanceInput(PRODUCT, START, 0, noPrice, parties, new Map()),
        resultHash: hashImbalanceResult(settled),
        journalId: 'j0',
      },
      {
        ...again,
        revision: 1,
        ...noPrice,
        inputHash: hashImbalanceInput(PRODUCT, START, 1, noPrice, parties, lines),
        resultHash: hashImbalanceResult(again),
        journalId: null,
      },
    ];
    expect(verifyImbalance(inputOf(revs, first, { clearingPrice: null }))).toMatchObject({
      ok: true,
      revisionsChecked: 2,
      linesChecked: 4,
    });
  });

  it('detects a changed amount', () => {
    const check = verifyImbalance(
      inputOf(tamperLine(revisions, 0, 0, { amountMinor: -31n }), third),
    );
    expect(check.ok).toBe(false);
    // once: revision 2 reverses the line as it was settled, so its REVERSAL still matches
    expect(check.differences).toEqual([
      'revision 0 line 0 (participant a-bakery): amount is -0.31, the replay gives -0.30',
      expect.stringMatching(
        /^revision 0: the stored result hash \w+ is not the hash of its stored lines/,
      ),
    ]);
  });

  it('detects a changed metered value, even with imbalance and amount changed to match it', () => {
    // the solar's export 3.5 → 3.6 kWh: surplus 0.6 kWh, earns 0.042 → 0.04 (unchanged money)
    const check = verifyImbalance(
      inputOf(tamperLine(revisions, 0, 1, { meteredExportWh: 3600n, imbalanceWh: -600n }), third),
    );
    expect(check.ok).toBe(false);
    expect(check.differences).toEqual(
      expect.arrayContaining([
        'revision 0: surplus is 0.5 kWh, the replay gives 0.6 kWh',
        expect.stringMatching(/^revision 0: the stored input hash/),
        'participant b-solar: the latest reading (import 0 kWh, export 3.5 kWh) is not settled: the line in force uses import 0 kWh, export 3.6 kWh',
      ]),
    );
  });

  it('detects a dropped line', () => {
    const dropped = revisions.map((rev) =>
      rev.revision === 0 ? { ...rev, lines: rev.lines.filter((l) => l.line !== 3) } : rev,
    );
    const check = verifyImbalance(inputOf(dropped, third));
    expect(check.ok).toBe(false);
    expect(check.differences).toEqual(
      expect.arrayContaining([
        'revision 0: readings is 3, the replay gives 2',
        'revision 0: shortfall is 1.3 kWh, the replay gives 1.2 kWh',
        expect.stringMatching(/^revision 0: the stored result hash/),
        'participant d-chp: a position of -2 kWh has no imbalance line',
        'participant d-chp: the reading (import 0 kWh, export 1.9 kWh) is not settled: the participant has no imbalance line',
      ]),
    );
  });

  it('detects a changed price', () => {
    const changed = revisions.map((rev) =>
      rev.revision === 1 ? { ...rev, surplusPrice: '0.08', feedInTariff: '0.08' } : rev,
    );
    const check = verifyImbalance(inputOf(changed, third));
    expect(check.differences).toEqual([
      "revision 1: feed-in tariff 0.08 is not revision 0's (0.07)",
      'revision 1: surplus price 0.08 is not min(clearing price, feed-in tariff) (0.07)',
    ]);
    const clearing = verifyImbalance(inputOf(revisions, third, { clearingPrice: '0.13' }));
    expect(clearing.differences).toEqual(
      expect.arrayContaining([
        "revision 0: clearing price 0.12 is not the interval's clearing price (0.13)",
        expect.stringMatching(/^revision 0: the stored input hash/),
      ]),
    );
  });

  it('detects a changed line price, a wrong REVERSAL and a missing journal', () => {
    expect(
      verifyImbalance(inputOf(tamperLine(revisions, 0, 0, { price: '0.26' }), third)).differences,
    ).toContain('revision 0 line 0 (participant a-bakery): price is 0.26, the replay gives 0.25');
    expect(
      verifyImbalance(inputOf(tamperLine(revisions, 2, 0, { amountMinor: 0n }), third)).differences,
    ).toContain('revision 2 line 0 (participant a-bakery): amount is 0.00, the replay gives 0.30');
    const unjournalled = revisions.map((rev) =>
      rev.revision === 1 ? { ...rev, journalId: null } : rev,
    );
    expect(verifyImbalance(inputOf(unjournalled, third)).differences).toEqual([
      'revision 1: its lines move energy or money but it has no journal',
    ]);
  });

  it('compares the lines in force with the current positions and the latest readings', () => {
    const positions = positionsOf(third);
    positions.set('a-bakery', 4500n);
    positions.set('e-newcomer', 1000n);
    const check = verifyImbalance(inputOf(revisions, third, { positions }));
    expect(check.differences).toEqual([
      "participant a-bakery: the line in force settles a position of 4 kWh, the participant's position is 4.5 kWh",
      'participant e-newcomer: a position of 1 kWh has no imbalance line',
    ]);
  });

  it('reports a newer reading as not settled only when none is pending', () => {
    // the bakery's meter was corrected to 4.2 kWh after revision 2
    const readings = readingsOf(third);
    readings.set('a-bakery', { importWh: 4200n, exportWh: 0n });
    expect(
      verifyImbalance(inputOf(revisions, third, { readings, pendingReadings: true })),
    ).toMatchObject({
      ok: true,
    });
    expect(verifyImbalance(inputOf(revisions, third, { readings })).differences).toEqual([
      'participant a-bakery: the latest reading (import 4.2 kWh, export 0 kWh) is not settled: the line in force uses import 4.1 kWh, export 0 kWh',
    ]);
    // the office's reading settled at revision 1; without it the first revision alone is behind
    expect(
      verifyImbalance(inputOf(revisions.slice(0, 1), third, { pendingReadings: false }))
        .differences,
    ).toEqual(
      expect.arrayContaining([
        'participant c-office: the latest reading (import 0.7 kWh, export 0 kWh) is not settled: the line in force is estimated',
      ]),
    );
  });

  it('checks the revision numbering against the interval', () => {
    expect(verifyImbalance(inputOf(revisions, third, { intervalRevision: 3 })).differences).toEqual(
      ['the interval records revision 3 as its latest, the stored revisions end at 2'],
    );
    expect(verifyImbalance(inputOf([], [], { intervalRevision: -1 }))).toEqual({
      ok: true,
      revisionsChecked: 0,
      linesChecked: 0,
      differences: [],
    });
  });

  it('lists at most MAX_IMBALANCE_DIFFERENCES differences, the last counting the rest', () => {
    const positions = new Map<string, bigint>();
    for (let i = 0; i < 150; i++) positions.set(`p-${String(i).padStart(3, '0')}`, 1000n);
    const check = verifyImbalance(inputOf([], [], { positions, intervalRevision: -1 }));
    expect(check.differences).toHaveLength(MAX_IMBALANCE_DIFFERENCES);
    expect(check.differences.at(-1)).toBe('and 51 more differences');
  });
});
