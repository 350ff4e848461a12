import { formatDecimal, parseDecimal } from '../decimal';
import { formatMoney } from '../money';
import { formatQuantity } from '../quantity';
import {
  hashImbalanceInput,
  hashImbalanceResult,
  imbalancePrices,
  linesInForce,
  settleImbalance,
  type ImbalanceLine,
  type ImbalanceParty,
  type ImbalancePrices,
  type ImbalanceRevision,
} from './imbalance';

/** One stored revision of a product-interval's imbalance settlement: its header and its lines. */
export interface StoredImbalanceRevision extends ImbalanceRevision {
  readonly revision: number;
  readonly clearingPrice: string | null;
  readonly importTariff: string;
  readonly feedInTariff: string;
  readonly shortfallPrice: string;
  readonly surplusPrice: string;
  readonly inputHash: string;
  readonly resultHash: string;
  /** The revision's journal; null when it has none. */
  readonly journalId: string | null;
}

/** A participant's latest metered totals of the product-interval (`meter_interval_total`), Wh. */
export interface LatestReading {
  readonly importWh: bigint;
  readonly exportWh: bigint;
}

/** What `verifyImbalance` checks one product-interval's stored settlement against. */
export interface ImbalanceVerificationInput {
  readonly productCode: string;
  /** ISO-8601 UTC, as `Date.toISOString` writes it (the hashes use it). */
  readonly deliveryStart: string;
  /** The stored revisions, by revision number. */
  readonly revisions: readonly StoredImbalanceRevision[];
  /** The interval's stored clearing price; null when it did not clear with a price. */
  readonly clearingPrice: string | null;
  /** Current positions (bought − sold, Wh) per participant (`imbalance_position`). */
  readonly positions: ReadonlyMap<string, bigint>;
  /** Latest readings per participant (`meter_interval_total`). */
  readonly readings: ReadonlyMap<string, LatestReading>;
  /**
   * True when readings arrived that no revision has settled yet (`imbalance_interval.readings >
   * settled_readings`): a reading newer than the lines in force is then pending, not a difference.
   */
  readonly pendingReadings: boolean;
  /** `imbalance_interval.revision`: the latest revision the interval records (-1: none). */
  readonly intervalRevision: number;
}

export interface ImbalanceVerification {
  /** True when nothing differs. */
  readonly ok: boolean;
  readonly revisionsChecked: number;
  /** Stored lines compared (the longer of stored and recomputed, per revision). */
  readonly linesChecked: number;
  /** Every difference found, for a person to read (at most MAX_IMBALANCE_DIFFERENCES). */
  readonly differences: readonly string[];
}

/** Differences listed; beyond, the last one counts the rest. */
export const MAX_IMBALANCE_DIFFERENCES = 100;

/**
 * Checks one product-interval's stored imbalance settlement by replaying it with `settleImbalance`.
 *
 * - Prices: every revision carries the interval's clearing price and the tariffs of revision 0
 *   (the product's tariffs have no history: revision 0's stored ones are the reference), frozen
 *   across revisions; its shortfall and surplus prices are `imbalancePrices` of those.
 * - Lines: revision r is settled again from the parties it stores (every participant in force
 *   after r, with the position and metered energy of its line in force) against the lines the
 *   replay put in force before r (so a changed line shows in its own revision only); the
 *   recomputed lines (kind, participant, position, metered energy, estimate, imbalance, price,
 *   amount) and totals (readings, estimates, shortfall, surplus, amount) must equal the stored
 *   ones, line by line.
 * - Hashes: the stored input hash is `hashImbalanceInput` of those parties and lines in force, the
 *   stored result hash `hashImbalanceResult` of the stored lines and totals.
 * - Journal: a revision has a journal exactly when one of its lines moves energy or money.
 * - Against the market and the meters now: the positions of the lines in force equal the current
 *   positions, their metered energy the latest readings; a reading that differs is a difference
 *   only when no newer reading is waiting to be settled (`pendingReadings`), never for a revision
 *   still to come. `intervalRevision` must be the last stored revision.
 */
export function verifyImbalance(input: ImbalanceVerificationInput): ImbalanceVerification {
  const differences: string[] = [];
  const note = (text: string) => differences.push(text);
  let linesChecked = 0;
  const revisions = input.revisions;

  revisions.forEach((stored, index) => {
    if (stored.revision !== index) {
      note(`revision ${stored.revision} is stored where revision ${index} belongs`);
    }
  });
  const last = revisions.length - 1;
  if (input.intervalRevision !== last) {
    note(
      `the interval records revision ${input.intervalRevision} as its latest, the stored revisions end at ${last}`,
    );
  }
  const held: ImbalanceLine[] = [];
  const replayed: ImbalanceLine[] = [];
  const first = revisions.at(0);
  const prices = first
    ? imbalancePrices(input.clearingPrice, first.importTariff, first.feedInTariff)
    : null;
  for (const stored of revisions) {
    if (prices === null) break;
    const r = stored.revision;
    checkPrices(r, stored, prices, note);
    // what the replay says is in force: a line changed in one revision shows there, not again
    // in every later revision that replays against it
    const before = linesInForce(replayed);
    const after = linesInForce([...held, ...stored.lines]);
    const parties: ImbalanceParty[] = [...after.values()].map((line) => ({
      participantId: line.participantId,
      boughtWh: line.positionWh,
      soldWh: 0n,
      meteredImportWh: line.meteredImportWh,
      meteredExportWh: line.meteredExportWh,
    }));
    const recomputed = settleImbalance(parties, prices, before);
    linesChecked += Math.max(stored.lines.length, recomputed.lines.length);
    compareLines(r, stored.lines, recomputed.lines, note);
    compareTotals(r, stored, recomputed, note);
    const inputHash = hashImbalanceInput(
      input.productCode,
      input.deliveryStart,
      r,
      prices,
      parties,
      before,
    );
    if (stored.inputHash !== inputHash) {
      note(
        `revision ${r}: the stored input hash ${stored.inputHash} is not the hash of its parties and the lines in force before it (${inputHash})`,
      );
    }
    const resultHash = hashImbalanceResult(stored);
    if (stored.resultHash !== resultHash) {
      note(
        `revision ${r}: the stored result hash ${stored.resultHash} is not the hash of its stored lines and totals (${resultHash})`,
      );
    }
    const moves = stored.lines.some((l) => l.imbalanceWh !== 0n || l.amountMinor !== 0n);
    if (moves && stored.journalId === null) {
      note(`revision ${r}: its lines move energy or money but it has no journal`);
    } else if (!moves && stored.journalId !== null) {
      note(`revision ${r}: journal ${stored.journalId} settles lines that move nothing`);
    }
    held.push(...stored.lines);
    replayed.push(...recomputed.lines);
  }

  const inForce = linesInForce(held);
  for (const [participantId, line] of inForce) {
    const position = input.positions.get(participantId) ?? 0n;
    if (line.positionWh !== position) {
      note(
        `participant ${participantId}: the line in force settles a position of ${kwh(line.positionWh)} kWh, the participant's position is ${kwh(position)} kWh`,
      );
    }
    const reading = input.readings.get(participantId);
    if (reading === undefined) {
      if (!line.estimated) {
        note(
          `participant ${participantId}: the line in force uses a reading (import ${kwh(line.meteredImportWh!)} kWh, export ${kwh(line.meteredExportWh!)} kWh) that the meter readings do not hold`,
        );
      }
    } else if (
      !input.pendingReadings &&
      (line.meteredImportWh !== reading.importWh || line.meteredExportWh !== reading.exportWh)
    ) {
      note(
        `participant ${participantId}: the latest reading (import ${kwh(reading.importWh)} kWh, export ${kwh(reading.exportWh)} kWh) is not settled: the line in force ${line.estimated ? 'is estimated' : `uses import ${kwh(line.meteredImportWh!)} kWh, export ${kwh(line.meteredExportWh!)} kWh`}`,
      );
    }
  }
  for (const [participantId, position] of input.positions) {
    if (inForce.has(participantId)) continue;
    if (position !== 0n) {
      note(
        `participant ${participantId}: a position of ${kwh(position)} kWh has no imbalance line`,
      );
    }
  }
  for (const [participantId, reading] of input.readings) {
    if (inForce.has(participantId) || input.pendingReadings) continue;
    note(
      `participant ${participantId}: the reading (import ${kwh(reading.importWh)} kWh, export ${kwh(reading.exportWh)} kWh) is not settled: the participant has no imbalance line`,
    );
  }
  return result(differences, revisions.length, linesChecked);
}

function result(
  differences: string[],
  revisionsChecked: number,
  linesChecked: number,
): ImbalanceVerification {
  const listed =
    differences.length > MAX_IMBALANCE_DIFFERENCES
      ? [
          ...differences.slice(0, MAX_IMBALANCE_DIFFERENCES - 1),
          `and ${differences.length - MAX_IMBALANCE_DIFFERENCES + 1} more differences`,
        ]
      : differences;
  return { ok: differences.length === 0, revisionsChecked, linesChecked, differences: listed };
}

function checkPrices(
  r: number,
  stored: StoredImbalanceRevision,
  prices: ImbalancePrices,
  note: (text: string) => void,
): void {
  const fields = [
    ['clearing price', stored.clearingPrice, prices.clearingPrice, "the interval's clearing price"],
    ['import tariff', stored.importTariff, prices.importTariff, "revision 0's"],
    ['feed-in tariff', stored.feedInTariff, prices.feedInTariff, "revision 0's"],
    [
      'shortfall price',
      stored.shortfallPrice,
      prices.shortfallPrice,
      'max(clearing price, import tariff)',
    ],
    [
      'surplus price',
      stored.surplusPrice,
      prices.surplusPrice,
      'min(clearing price, feed-in tariff)',
    ],
  ] as const;
  for (const [name, actual, expected, what] of fields) {
    if (!sameDecimal(actual, expected)) {
      note(`revision ${r}: ${name} ${actual ?? 'none'} is not ${what} (${expected ?? 'none'})`);
    }
  }
}

function compareLines(
  r: number,
  stored: readonly ImbalanceLine[],
  recomputed: readonly ImbalanceLine[],
  note: (text: string) => void,
): void {
  if (stored.length !== recomputed.length) {
    note(`revision ${r}: ${stored.length} lines are stored, the replay gives ${recomputed.length}`);
  }
  const byLine = new Map(stored.map((l) => [l.line, l]));
  const seen = new Set<number>();
  for (const expected of recomputed) {
    seen.add(expected.line);
    const actual = byLine.get(expected.line);
    const where = `revision ${r} line ${expected.line}`;
    if (!actual) {
      note(
        `${where} is missing: the replay gives a ${expected.kind} line of participant ${expected.participantId} (imbalance ${kwh(expected.imbalanceWh)} kWh, amount ${formatMoney(expected.amountMinor)})`,
      );
      continue;
    }
    const fields: [string, string, string][] = [
      ['kind', actual.kind, expected.kind],
      ['participant', actual.participantId, expected.participantId],
      ['position', `${kwh(actual.positionWh)} kWh`, `${kwh(expected.positionWh)} kWh`],
      [
        'metered import',
        meteredText(actual.meteredImportWh),
        meteredText(expected.meteredImportWh),
      ],
      [
        'metered export',
        meteredText(actual.meteredExportWh),
        meteredText(expected.meteredExportWh),
      ],
      ['estimated', String(actual.estimated), String(expected.estimated)],
      ['imbalance', `${kwh(actual.imbalanceWh)} kWh`, `${kwh(expected.imbalanceWh)} kWh`],
      ['price', decimalText(actual.price), decimalText(expected.price)],
      ['amount', formatMoney(actual.amountMinor), formatMoney(expected.amountMinor)],
    ];
    for (const [name, a, e] of fields) {
      if (a !== e)
        note(
          `${where} (participant ${actual.participantId}): ${name} is ${a}, the replay gives ${e}`,
        );
    }
  }
  for (const line of stored) {
    if (!seen.has(line.line)) {
      note(
        `revision ${r} line ${line.line} (${line.kind}, participant ${line.participantId}) is stored but the replay gives no such line`,
      );
    }
  }
}

function compareTotals(
  r: number,
  stored: ImbalanceRevision,
  recomputed: ImbalanceRevision,
  note: (text: string) => void,
): void {
  const totals: [string, string, string][] = [
    ['readings', String(stored.readings), String(recomputed.readings)],
    ['estimated', String(stored.estimated), String(recomputed.estimated)],
    ['shortfall', `${kwh(stored.shortfallWh)} kWh`, `${kwh(recomputed.shortfallWh)} kWh`],
    ['surplus', `${kwh(stored.surplusWh)} kWh`, `${kwh(recomputed.surplusWh)} kWh`],
    ['amount', formatMoney(stored.amountMinor), formatMoney(recomputed.amountMinor)],
  ];
  for (const [name, a, e] of totals) {
    if (a !== e) note(`revision ${r}: ${name} is ${a}, the replay gives ${e}`);
  }
}

function kwh(wh: bigint): string {
  return formatQuantity(wh);
}

function meteredText(wh: bigint | null): string {
  return wh === null ? 'none (estimated)' : `${kwh(wh)} kWh`;
}

function decimalText(text: string): string {
  const parsed = parseDecimal(text);
  return parsed.ok ? formatDecimal(parsed.value) : text;
}

function sameDecimal(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return decimalText(a) === decimalText(b);
}
