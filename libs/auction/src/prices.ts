import { acceptedFamily } from './families';
import type { Formulation } from './formulate';
import { float, kwh, shortfallPrice } from './formulate';
import type { LpColumn, LpModel, LpRow } from './lp';
import type { Auction } from './model';
import { ratio, type Ratio } from '@parkex/market';
import { add, div, mul, snap, sub, whole } from './rational';

/**
 * The price LP: every price vector λ (one per carrier and interval) under which the cleared
 * quantities are what each order would choose for itself — an order in the money fully
 * accepted, out of the money rejected, at the money any; every conversion and storage running
 * its optimal schedule at those prices (a storage with the values μ of its stored energy); every
 * accepted block at least breaking even with its accepted children. Minimising and maximising
 * Σλ over it gives the ends of the price range.
 */

/** Half a Wh in kWh: a value that close to a bound is at the bound (awards are whole Wh). */
const AT_BOUND_KWH = 0.0005;

type Position = 'LOWER' | 'UPPER' | 'BETWEEN' | 'FIXED';

function position(value: number, lower: number, upper: number, tolerance = AT_BOUND_KWH): Position {
  if (upper - lower <= tolerance) return 'FIXED';
  if (value <= lower + tolerance) return 'LOWER';
  if (value >= upper - tolerance) return 'UPPER';
  return 'BETWEEN';
}

/** A row of the price LP in exact numbers: `lower ≤ Σ coefficient·column ≤ upper` (null: none). */
export interface ExactRow {
  readonly terms: readonly (readonly [number, Ratio])[];
  readonly lower: Ratio | null;
  readonly upper: Ratio | null;
}

export interface PriceModel {
  readonly model: LpModel;
  /** `model.rows` in exact numbers, by the same index. */
  readonly exactRows: readonly ExactRow[];
  /** Column of λ(c, t): `priceColumns[c][t]`. */
  readonly priceColumns: readonly (readonly number[])[];
  /** Columns of μ(t), the value of a Wh stored at the end of interval t, by storage id. */
  readonly valueColumns: ReadonlyMap<string, readonly number[]>;
}

/**
 * What a price LP optimises: Σλ over the traded carrier-intervals (the ends of the price range),
 * within the caps (`capExcess` null) or with their prices allowed at most `capExcess` ticks in
 * total beyond the caps; or that excess itself (`CAP_EXCESS`), least first.
 */
export type PriceObjective =
  | {
      readonly kind: 'SUM';
      readonly sense: 'MINIMIZE' | 'MAXIMIZE';
      readonly capExcess: number | null;
    }
  | { readonly kind: 'CAP_EXCESS' };

/**
 * The price LP of a fixed block selection, given an optimal solution `primal` of its welfare
 * model. The carrier-intervals where energy is exchanged (`traded`) publish a price and keep it
 * within the grid's caps where the schedule allows; a conversion can make a carrier worth more
 * than the cap (heat at 209 through a COP of 12/5 prices the electricity at 501.6), and then the
 * prices are the consistent ones least beyond the caps (`CAP_EXCESS` first). The others publish
 * no price and are bounded only by their orders: a carrier-interval where nothing can go (a
 * CHP's heat with no heat demand) may be worth less than the floor, and its price still enters
 * the conditions of the devices that link it to other carriers and intervals.
 */
export function priceModel(
  auction: Auction,
  formulation: Formulation,
  primal: readonly number[],
  caps: { readonly minTicks: bigint; readonly maxTicks: bigint },
  traded: readonly (readonly boolean[])[],
  objective: PriceObjective,
): PriceModel {
  const { model } = formulation;
  const T = auction.terms.intervals;
  const C = auction.terms.carriers.length;
  const [floor, cap] = [Number(caps.minTicks), Number(caps.maxTicks)];
  const hardCaps = objective.kind === 'SUM' && objective.capExcess === null;
  // Conditions on one price alone become its bounds.
  const lower = traded.map((row) => row.map((t) => (t && hardCaps ? floor : -Infinity)));
  const upper = traded.map((row) => row.map((t) => (t && hardCaps ? cap : Infinity)));
  const atLeast = (c: number, t: number, p: number) => (lower[c][t] = Math.max(lower[c][t], p));
  const atMost = (c: number, t: number, p: number) => (upper[c][t] = Math.min(upper[c][t], p));
  /** A demand at price p (bid, export): λ ≤ p when taken fully, λ ≥ p when not at all. */
  const demand = (c: number, t: number, p: number, where: Position) => {
    if (where === 'UPPER' || where === 'BETWEEN') atMost(c, t, p);
    if (where === 'LOWER' || where === 'BETWEEN') atLeast(c, t, p);
  };
  /** A supply at price p (offer, import): λ ≥ p when taken fully, λ ≤ p when not at all. */
  const supply = (c: number, t: number, p: number, where: Position) => {
    if (where === 'UPPER' || where === 'BETWEEN') atLeast(c, t, p);
    if (where === 'LOWER' || where === 'BETWEEN') atMost(c, t, p);
  };
  const where = (column: number) => {
    const { lower: lo, upper: hi } = model.columns[column];
    return position(primal[column], lo, hi);
  };

  for (const step of formulation.steps) {
    const at = where(step.column);
    const p = Number(step.priceTicks);
    if (step.side === 'BUY') demand(step.carrier, step.interval, p, at);
    else supply(step.carrier, step.interval, p, at);
  }
  const connections = auction.terms.carriers.map((carrier) => carrier.connection);
  for (const grid of formulation.grids) {
    const connection = connections[grid.carrier]!;
    for (let t = 0; t < T; t++) {
      supply(grid.carrier, t, Number(connection.importPriceTicks), where(grid.imports[t]));
      demand(grid.carrier, t, Number(connection.exportPriceTicks), where(grid.exports[t]));
    }
  }

  const columns: LpColumn[] = [];
  const priceColumns = Array.from({ length: C }, (_, c) =>
    Array.from(
      { length: T },
      (_, t) =>
        columns.push({
          name: `price:${c}:${t}`,
          lower: lower[c][t],
          upper: upper[c][t],
          cost: objective.kind === 'SUM' && traded[c][t] ? 1 : 0,
        }) - 1,
    ),
  );
  const rows: LpRow[] = [];
  const exactRows: ExactRow[] = [];
  /** A row `lower ≤ Σ terms ≤ upper` (null: no bound), to the solver in floats, kept exactly. */
  const addRow = (
    name: string,
    terms: readonly (readonly [number, Ratio])[],
    lower: Ratio | null,
    upper: Ratio | null,
  ) => {
    exactRows.push({ terms, lower, upper });
    rows.push({
      name,
      terms: terms.map(([column, coefficient]) => [column, float(coefficient)]),
      lower: lower === null ? -Infinity : float(lower),
      upper: upper === null ? Infinity : float(upper),
    });
  };
  const ONE = whole(1n);
  const MINUS_ONE = whole(-1n);
  if (!hardCaps) {
    // λ − above ≤ cap and λ + below ≥ floor, above and below ≥ 0, their sum the excess
    const excess: [number, number][] = [];
    traded.forEach((row, c) =>
      row.forEach((isTraded, t) => {
        if (!isTraded) return;
        const beyond = (side: string) =>
          columns.push({
            name: `${side}:${c}:${t}`,
            lower: 0,
            upper: Infinity,
            cost: objective.kind === 'CAP_EXCESS' ? 1 : 0,
          }) - 1;
        const [above, below] = [beyond('above'), beyond('below')];
        excess.push([above, 1], [below, 1]);
        const lambda = priceColumns[c][t];
        addRow(
          `cap:${c}:${t}`,
          [
            [lambda, ONE],
            [above, MINUS_ONE],
          ],
          null,
          whole(caps.maxTicks),
        );
        addRow(
          `floor:${c}:${t}`,
          [
            [lambda, ONE],
            [below, ONE],
          ],
          whole(caps.minTicks),
          null,
        );
      }),
    );
    if (objective.kind === 'SUM') {
      // a float bound: never an equation of the exact prices
      exactRows.push({ terms: [], lower: null, upper: null });
      rows.push({ name: 'excess', terms: excess, lower: 0, upper: objective.capExcess! });
    }
  }
  /** `Σ terms + constant` ≤ 0, ≥ 0 or = 0 as the variable sits at its upper, lower bound or between. */
  const reducedCost = (
    name: string,
    terms: readonly (readonly [number, Ratio])[],
    constant: Ratio,
    at: Position,
  ) => {
    if (at === 'FIXED') return;
    // a maximisation: at the lower bound the reduced cost is ≤ 0, at the upper ≥ 0
    const bound = sub(whole(0n), constant);
    addRow(name, terms, at === 'LOWER' ? null : bound, at === 'UPPER' ? null : bound);
  };
  const price = (c: number, t: number) => priceColumns[c][t];

  for (const conversion of formulation.conversions) {
    conversion.inputs.forEach((column, t) => {
      // Σ ratio·λ(output) − λ(input) − cost
      const terms: [number, Ratio][] = conversion.outputs.map((o) => [
        price(o.carrier, t),
        o.ratio,
      ]);
      if (conversion.input !== null) terms.push([price(conversion.input, t), MINUS_ONE]);
      reducedCost(
        `convert:${conversion.order.id}:${t}`,
        terms,
        whole(-conversion.order.costTicks),
        where(column),
      );
    });
  }

  const valueColumns = new Map<string, number[]>();
  for (const storage of formulation.storages) {
    const { order } = storage;
    const value = Array.from(
      { length: T },
      (_, t) =>
        columns.push({
          name: `value:${order.id}:${t}`,
          lower: -Infinity,
          upper: Infinity,
          cost: 0,
        }) - 1,
    );
    valueColumns.set(order.id, value);
    const etaC = order.chargeEfficiency;
    const perDelivered = div(MINUS_ONE, order.dischargeEfficiency);
    for (let t = 0; t < T; t++) {
      const c = storage.carrier;
      // charge: ηc·μ_t − λ_t; discharge: λ_t − μ_t/ηd − wear
      reducedCost(
        `charge:${order.id}:${t}`,
        [
          [value[t], etaC],
          [price(c, t), MINUS_ONE],
        ],
        whole(0n),
        where(storage.charge[t]),
      );
      reducedCost(
        `discharge:${order.id}:${t}`,
        [
          [price(c, t), ONE],
          [value[t], perDelivered],
        ],
        whole(-order.dischargeCostTicks),
        where(storage.discharge[t]),
      );
      // state: μ_{t+1} − μ_t (the last: −μ_T, nothing is worth anything after the auction)
      const terms: [number, Ratio][] = [[value[t], MINUS_ONE]];
      if (t < T - 1) terms.push([value[t + 1], ONE]);
      reducedCost(`state:${order.id}:${t}`, terms, whole(0n), where(storage.state[t]));
    }
    if (storage.shortfall !== null) {
      // a kWh short at the end: μ_T − the cap's price of the charge it stands for
      reducedCost(
        `shortfall:${order.id}`,
        [[value[T - 1], ONE]],
        sub(whole(0n), shortfallPrice(order, caps.maxTicks)),
        where(storage.shortfall),
      );
    }
  }

  // Accepted blocks: the reduced cost of the accepted fraction, and no family losing money.
  const surplusTerms = new Map<
    string,
    { terms: [number, Ratio][]; constant: Ratio; fraction: Ratio }
  >();
  for (const block of formulation.blocks) {
    const { order } = block;
    const column = model.columns[block.acceptance];
    if (column.upper === 0) continue;
    const sign = order.side === 'BUY' ? 1n : -1n;
    const volumeWh = order.profileWh.reduce((sum, wh) => sum + wh, 0n);
    // surplus = sign·(p·volume − Σ λ_t·profile_t), volumes in kWh
    const terms: [number, Ratio][] = [];
    order.profileWh.forEach((wh, i) => {
      if (wh > 0n)
        terms.push([price(block.carrier, order.firstInterval + i), ratio(-sign * wh, 1000n)]);
    });
    const constant = ratio(sign * order.priceTicks * volumeWh, 1000n);
    // the accepted fraction as published
    const fraction = snap(Math.min(1, Math.max(0, primal[block.acceptance])));
    surplusTerms.set(order.id, { terms, constant, fraction });
    reducedCost(
      `block:${order.id}`,
      terms,
      constant,
      // half a Wh of the whole profile
      position(primal[block.acceptance], column.lower, column.upper, AT_BOUND_KWH / kwh(volumeWh)),
    );
  }
  const orders = formulation.blocks.map((block) => block.order);
  for (const block of formulation.blocks) {
    const own = surplusTerms.get(block.order.id);
    if (own === undefined) continue;
    const family = acceptedFamily(orders, block.order.id, (id) => surplusTerms.has(id));
    const merged = new Map<number, Ratio>();
    let constant = whole(0n);
    for (const member of family) {
      // each member's surplus at the fraction of it that is accepted
      const { terms, constant: own, fraction } = surplusTerms.get(member)!;
      constant = add(constant, mul(own, fraction));
      for (const [column, coefficient] of terms) {
        merged.set(column, add(merged.get(column) ?? whole(0n), mul(coefficient, fraction)));
      }
    }
    addRow(`family:${block.order.id}`, [...merged], sub(whole(0n), constant), null);
  }
  const sense = objective.kind === 'SUM' ? objective.sense : 'MINIMIZE';
  return { model: { sense, columns, rows }, exactRows, priceColumns, valueColumns };
}

/** Within the solver's tolerance of `target`, relative to the size of the numbers summed. */
const near = (value: number, target: number, scale: number) =>
  Math.abs(value - target) <= 1e-6 * Math.max(1, scale);

/**
 * The exact values of a solved price LP. A column at one of its bounds (whole ticks, or none) is
 * that bound, and a row the solution meets at one of its bounds is an equation; solving the
 * equations left with one unknown, again and again, carries prices exactly through conversion
 * ratios, storage efficiencies and block profiles. A value no equation determines is snapped
 * (`snap`); the verification re-checks every published number exactly either way.
 */
export function exactSolution(priceModel: PriceModel, values: readonly number[]): Ratio[] {
  const { columns } = priceModel.model;
  const exact: (Ratio | null)[] = columns.map((column, j) => {
    for (const bound of [column.lower, column.upper]) {
      if (Number.isFinite(bound) && near(values[j], bound, Math.abs(bound))) {
        if (!Number.isSafeInteger(bound)) throw new RangeError(`bound ${bound} is not whole`);
        return whole(BigInt(bound));
      }
    }
    return null;
  });

  interface Equation {
    readonly terms: readonly (readonly [number, Ratio])[];
    readonly rhs: Ratio;
    unknowns: number;
  }
  const equations: Equation[] = [];
  const equationsOf = columns.map(() => [] as Equation[]);
  for (const row of priceModel.exactRows) {
    if (row.terms.length === 0) continue;
    let activity = 0;
    let scale = 0;
    for (const [j, coefficient] of row.terms) {
      const term = float(coefficient) * values[j];
      activity += term;
      scale += Math.abs(term);
    }
    const rhs = [row.lower, row.upper].find(
      (bound) => bound !== null && near(activity, float(bound), scale + Math.abs(float(bound))),
    );
    if (rhs === undefined || rhs === null) continue;
    const equation = {
      terms: row.terms,
      rhs,
      unknowns: row.terms.filter(([j]) => exact[j] === null).length,
    };
    equations.push(equation);
    for (const [j] of row.terms) equationsOf[j].push(equation);
  }

  const ready = equations.filter((equation) => equation.unknowns === 1);
  while (ready.length > 0) {
    const equation = ready.pop()!;
    if (equation.unknowns !== 1) continue;
    let rest = equation.rhs;
    let unknown: readonly [number, Ratio] | null = null;
    for (const term of equation.terms) {
      const known = exact[term[0]];
      if (known === null) unknown = term;
      else rest = sub(rest, mul(term[1], known));
    }
    if (unknown === null) continue;
    const [j, coefficient] = unknown;
    exact[j] = div(rest, coefficient);
    for (const other of equationsOf[j]) {
      other.unknowns -= 1;
      if (other.unknowns === 1) ready.push(other);
    }
  }
  solveTogether(
    equations.filter((equation) => equation.unknowns > 0),
    exact,
    values,
  );
  return exact.map((value, j) => value ?? snap(values[j]));
}

/** Most unknowns `solveTogether` eliminates; beyond, the values are snapped. */
const MAX_ELIMINATED = 400;

/**
 * The equations that propagation left with several unknowns each (a block spanning two
 * intervals whose prices a storage also links): Gauss–Jordan elimination in exact arithmetic.
 * An unknown no equation pins down keeps its snapped value; a redundant equation drops out.
 */
function solveTogether(
  equations: readonly {
    readonly terms: readonly (readonly [number, Ratio])[];
    readonly rhs: Ratio;
  }[],
  exact: (Ratio | null)[],
  values: readonly number[],
): void {
  const unknowns = new Set<number>();
  const rows = equations.map(({ terms, rhs }) => {
    const coefficients = new Map<number, Ratio>();
    let rest = rhs;
    for (const [j, coefficient] of terms) {
      const known = exact[j];
      if (known !== null) rest = sub(rest, mul(coefficient, known));
      else {
        unknowns.add(j);
        coefficients.set(j, add(coefficients.get(j) ?? whole(0n), coefficient));
      }
    }
    return { coefficients, rhs: rest };
  });
  if (unknowns.size === 0 || unknowns.size > MAX_ELIMINATED) return;

  type Row = (typeof rows)[number];
  /** `row` − `factor`·`pivot`, in place. */
  const subtract = (row: Row, factor: Ratio, pivot: Row) => {
    for (const [j, coefficient] of pivot.coefficients) {
      const next = sub(row.coefficients.get(j) ?? whole(0n), mul(factor, coefficient));
      if (next.num === 0n) row.coefficients.delete(j);
      else row.coefficients.set(j, next);
    }
    row.rhs = sub(row.rhs, mul(factor, pivot.rhs));
  };
  const pivots = new Map<number, Row>();
  for (const row of rows) {
    for (const [j, pivot] of pivots) {
      const factor = row.coefficients.get(j);
      if (factor !== undefined) subtract(row, factor, pivot);
    }
    const first = row.coefficients.entries().next();
    if (first.done) continue; // redundant (or inconsistent within the solver's tolerance)
    const [column, coefficient] = first.value;
    for (const [j, c] of row.coefficients) row.coefficients.set(j, div(c, coefficient));
    row.rhs = div(row.rhs, coefficient);
    for (const other of pivots.values()) {
      const factor = other.coefficients.get(column);
      if (factor !== undefined) subtract(other, factor, row);
    }
    pivots.set(column, row);
  }
  // unknowns without a pivot are free: their snapped values; the pivots follow from them
  for (const j of unknowns) if (!pivots.has(j)) exact[j] = snap(values[j]);
  for (const [column, row] of pivots) {
    let value = row.rhs;
    for (const [j, coefficient] of row.coefficients) {
      if (j !== column) value = sub(value, mul(coefficient, exact[j]!));
    }
    exact[column] = value;
  }
}
