import { divideRoundHalfAwayFromZero } from '../decimal';
import { ratio, type Ratio } from '../ratio';
import {
  CARBON_CARRIERS,
  gridFactor,
  referenceFactor,
  type CarbonCarrier,
  type CarbonFactors,
  type SupplyFactor,
} from './factors';

/** What a participant's meters say it drew of a carrier in one interval. */
export interface MeteredImport {
  readonly participantId: string;
  readonly startMs: number;
  readonly carrier: CarbonCarrier;
  readonly importWh: bigint;
}

/**
 * Energy a participant bought in the park in one interval: a fill (as buyer) or an award of the
 * integrated auction (a BUY line), with the factor and renewable part its supply carries.
 */
export interface Purchase {
  readonly participantId: string;
  readonly startMs: number;
  readonly carrier: CarbonCarrier;
  readonly quantityWh: bigint;
  /** mg CO2e per kWh. */
  readonly factor: Ratio;
  /** The renewable part of `quantityWh` (exact Wh: an auction pool's share of it). */
  readonly renewableWh: Ratio;
}

/** A purchase of `quantityWh` at a seller's factor (a fill): all or nothing renewable. */
export function purchaseFrom(
  base: Omit<Purchase, 'factor' | 'renewableWh'>,
  supply: SupplyFactor,
): Purchase {
  return {
    ...base,
    factor: supply.factor,
    renewableWh: ratio(supply.renewable ? base.quantityWh : 0n, 1n),
  };
}

/**
 * The integrated auction's pool of one carrier and interval: every award bought from it carries
 * the quantity-weighted factor of what was sold into it (orders' outputs at their sellers'
 * factors, grid import and park balancing at the reference factor) and the same renewable share.
 * Empty pool: the factor of `fallback`.
 */
export function poolFactor(
  sells: readonly { quantityWh: bigint; supply: SupplyFactor }[],
  fallback: SupplyFactor,
): { factor: Ratio; renewableShare: Ratio } {
  let total = 0n;
  let renewable = 0n;
  let emissions = EXACT_ZERO;
  for (const sell of sells) {
    total += sell.quantityWh;
    if (sell.supply.renewable) renewable += sell.quantityWh;
    emissions = add(emissions, times(sell.supply.factor, sell.quantityWh));
  }
  if (total === 0n) {
    return { factor: fallback.factor, renewableShare: ratio(fallback.renewable ? 1n : 0n, 1n) };
  }
  return {
    factor: ratio(emissions.num, emissions.den * total),
    renewableShare: ratio(renewable, total),
  };
}

/** One line of a carbon report: one carrier, or the total of both (`carrier` null). */
export interface CarbonLine {
  readonly carrier: CarbonCarrier | null;
  /** Metered import (Wh). */
  readonly consumptionWh: bigint;
  /** Bought in the park: fills and auction awards as buyer (Wh), claimed up to the import. */
  readonly parkPurchasesWh: bigint;
  /** Σ per interval max(0, metered import − park purchases): grid and imbalance energy (Wh). */
  readonly residualWh: bigint;
  /** Σ per interval min(renewable purchases, metered import), rounded to Wh. */
  readonly renewableWh: bigint;
  /** Renewable share in ten-thousandths (0.6250 = 6250n); null without consumption. */
  readonly renewableShareBp: bigint | null;
  /** Grams CO2e, each rounded once (half away from zero) from its exact value. */
  readonly locationBasedG: bigint;
  readonly marketBasedG: bigint;
  /** Location-based − market-based, exact, then rounded: what the park trading avoided. */
  readonly avoidedG: bigint;
}

export interface CarbonReport {
  readonly lines: readonly CarbonLine[];
  readonly total: CarbonLine;
}

/**
 * A participant's carbon figures over the intervals given (the caller picks a month), GHG Protocol
 * scope 2. Per carrier c and interval t, with import I, park purchases P (each q at its factor f),
 * reference factor r (grid for electricity, heat default for heat):
 * - location-based  = Σ I·r
 * - market-based    = Σ c·q·f + Σ max(0, I − ΣP)·r   (contractual purchases, the rest from the
 *   grid; c = min(1, I/ΣP): purchases beyond the metered import are not claimed, so a cell's
 *   purchases count at their average factor for the metered part only)
 * - renewable share = Σ min(renewable purchases, I) / Σ I
 * - avoided         = location-based − market-based (all consumption bought from the grid, minus
 *   what the park trading made of it).
 * Sums are exact (µg: Wh × mg/kWh); each figure is rounded once to grams, so figures may differ by
 * a gram from the sum or difference of other rounded figures.
 */
export function carbonReport(
  factors: CarbonFactors,
  metered: readonly MeteredImport[],
  purchases: readonly Purchase[],
): CarbonReport {
  const cells = intervalCells(factors, metered, purchases);
  const sums = CARBON_CARRIERS.map((carrier) =>
    sumCells(cells.filter((cell) => cell.carrier === carrier)),
  );
  const lines = CARBON_CARRIERS.map((carrier, i) => lineOf(carrier, sums[i]));
  return { lines, total: lineOf(null, sumCells(cells)) };
}

/** The park's electricity in one interval: consumption, emissions and their ratio. */
export interface IntensityPoint {
  readonly startMs: number;
  /** Σ metered electricity import of all participants (Wh). */
  readonly consumptionWh: bigint;
  /** Σ market-based emissions of that import (g, rounded once). */
  readonly emissionsG: bigint;
  /** emissions / consumption in mg per kWh (rounded once), null without consumption. */
  readonly intensityMgPerKwh: bigint | null;
  /** The grid's factor of the interval (mg/kWh), for comparison. */
  readonly gridMgPerKwh: bigint;
}

/**
 * The park's carbon intensity per interval: the market-based emissions of every participant's
 * metered electricity import (as in `carbonReport`) over that import, for each interval start in
 * `startsMs` (ascending).
 */
export function parkIntensity(
  factors: CarbonFactors,
  startsMs: readonly number[],
  metered: readonly MeteredImport[],
  purchases: readonly Purchase[],
): IntensityPoint[] {
  const electric = (item: { carrier: CarbonCarrier }) => item.carrier === 'ELECTRICITY';
  const cells = intervalCells(factors, metered.filter(electric), purchases.filter(electric));
  const byStart = new Map<number, Cell[]>();
  for (const cell of cells) {
    const list = byStart.get(cell.startMs) ?? [];
    list.push(cell);
    byStart.set(cell.startMs, list);
  }
  return startsMs.map((startMs) => {
    const sum = sumCells(byStart.get(startMs) ?? []);
    return {
      startMs,
      consumptionWh: sum.importWh,
      emissionsG: toGrams(sum.marketUg),
      intensityMgPerKwh:
        sum.importWh === 0n
          ? null
          : divideRoundHalfAwayFromZero(sum.marketUg.num, sum.marketUg.den * sum.importWh),
      gridMgPerKwh: gridFactor(factors, startMs),
    };
  });
}

/** Exact µg (or Wh) as an unreduced fraction: sums of many terms stay cheap. */
interface Exact {
  readonly num: bigint;
  readonly den: bigint;
}
const EXACT_ZERO: Exact = { num: 0n, den: 1n };

function add(a: Exact, b: Exact): Exact {
  if (b.num === 0n) return a;
  if (a.den === b.den) return { num: a.num + b.num, den: a.den };
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

function times(r: Ratio, wh: bigint): Exact {
  return { num: r.num * wh, den: r.den };
}

function compare(a: Exact, b: Exact): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** µg → g, half away from zero. */
function toGrams(ug: Exact): bigint {
  return divideRoundHalfAwayFromZero(ug.num, ug.den * 1_000_000n);
}

/** One participant, carrier and interval. */
interface Cell {
  readonly startMs: number;
  readonly carrier: CarbonCarrier;
  readonly importWh: bigint;
  readonly purchasedWh: bigint;
  readonly residualWh: bigint;
  readonly renewableWh: Exact;
  readonly locationUg: Exact;
  readonly marketUg: Exact;
}

function intervalCells(
  factors: CarbonFactors,
  metered: readonly MeteredImport[],
  purchases: readonly Purchase[],
): Cell[] {
  const key = (x: { participantId: string; startMs: number; carrier: string }) =>
    `${x.participantId}|${x.startMs}|${x.carrier}`;
  const groups = new Map<
    string,
    { startMs: number; carrier: CarbonCarrier; importWh: bigint; bought: Purchase[] }
  >();
  const group = (x: { participantId: string; startMs: number; carrier: CarbonCarrier }) => {
    let found = groups.get(key(x));
    if (!found) {
      found = { startMs: x.startMs, carrier: x.carrier, importWh: 0n, bought: [] };
      groups.set(key(x), found);
    }
    return found;
  };
  for (const m of metered) group(m).importWh += m.importWh;
  for (const p of purchases) group(p).bought.push(p);

  return [...groups.values()].map(({ startMs, carrier, importWh, bought }) => {
    const reference = referenceFactor(factors, carrier, startMs);
    let purchasedWh = 0n;
    let purchasedUg = EXACT_ZERO;
    let renewable = EXACT_ZERO;
    for (const p of bought) {
      purchasedWh += p.quantityWh;
      purchasedUg = add(purchasedUg, times(p.factor, p.quantityWh));
      renewable = add(renewable, p.renewableWh);
    }
    const residualWh = importWh > purchasedWh ? importWh - purchasedWh : 0n;
    // Bought beyond the metered import (resold, exported, or not metered yet): only the consumed
    // part is claimed, at the purchases' average factor (GHG Protocol scope 2 quality criteria).
    const claimedUg =
      purchasedWh > importWh
        ? { num: purchasedUg.num * importWh, den: purchasedUg.den * purchasedWh }
        : purchasedUg;
    const cap: Exact = { num: importWh, den: 1n };
    return {
      startMs,
      carrier,
      importWh,
      purchasedWh,
      residualWh,
      renewableWh: compare(renewable, cap) > 0 ? cap : renewable,
      locationUg: { num: importWh * reference, den: 1n },
      marketUg: add(claimedUg, { num: residualWh * reference, den: 1n }),
    };
  });
}

interface CellSum {
  importWh: bigint;
  purchasedWh: bigint;
  residualWh: bigint;
  renewableWh: Exact;
  locationUg: Exact;
  marketUg: Exact;
}

function sumCells(cells: readonly Cell[]): CellSum {
  const sum: CellSum = {
    importWh: 0n,
    purchasedWh: 0n,
    residualWh: 0n,
    renewableWh: EXACT_ZERO,
    locationUg: EXACT_ZERO,
    marketUg: EXACT_ZERO,
  };
  for (const cell of cells) {
    sum.importWh += cell.importWh;
    sum.purchasedWh += cell.purchasedWh;
    sum.residualWh += cell.residualWh;
    sum.renewableWh = add(sum.renewableWh, cell.renewableWh);
    sum.locationUg = add(sum.locationUg, cell.locationUg);
    sum.marketUg = add(sum.marketUg, cell.marketUg);
  }
  return sum;
}

function lineOf(carrier: CarbonCarrier | null, sum: CellSum): CarbonLine {
  const avoidedUg = add(sum.locationUg, { num: -sum.marketUg.num, den: sum.marketUg.den });
  return {
    carrier,
    consumptionWh: sum.importWh,
    parkPurchasesWh: sum.purchasedWh,
    residualWh: sum.residualWh,
    renewableWh: divideRoundHalfAwayFromZero(sum.renewableWh.num, sum.renewableWh.den),
    renewableShareBp:
      sum.importWh === 0n
        ? null
        : divideRoundHalfAwayFromZero(
            sum.renewableWh.num * 10_000n,
            sum.renewableWh.den * sum.importWh,
          ),
    locationBasedG: toGrams(sum.locationUg),
    marketBasedG: toGrams(sum.marketUg),
    avoidedG: toGrams(avoidedUg),
  };
}
