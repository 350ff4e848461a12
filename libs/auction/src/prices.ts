import { acceptedFamily } from './families';
import type { Formulation } from './formulate';
import { float, kwh } from './formulate';
import type { LpColumn, LpModel, LpRow } from './lp';
import type { Auction } from './model';

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

export interface PriceModel {
  readonly model: LpModel;
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
        rows.push({
          name: `cap:${c}:${t}`,
          terms: [
            [priceColumns[c][t], 1],
            [above, -1],
          ],
          lower: -Infinity,
          upper: cap,
        });
        rows.push({
          name: `floor:${c}:${t}`,
          terms: [
            [priceColumns[c][t], 1],
            [below, 1],
          ],
          lower: floor,
          upper: Infinity,
        });
      }),
    );
    if (objective.kind === 'SUM') {
      rows.push({ name: 'excess', terms: excess, lower: 0, upper: objective.capExcess! });
    }
  }
  /** `Σ terms` ≤ 0, ≥ 0 or = 0 (plus `constant`) as the variable sits at its upper, lower bound or between. */
  const reducedCost = (name: string, terms: [number, number][], constant: number, at: Position) => {
    if (at === 'FIXED') return;
    // a maximisation: at the lower bound the reduced cost is ≤ 0, at the upper ≥ 0
    rows.push({
      name,
      terms,
      lower: at === 'LOWER' ? -Infinity : -constant,
      upper: at === 'UPPER' ? Infinity : -constant,
    });
  };
  const price = (c: number, t: number) => priceColumns[c][t];

  for (const conversion of formulation.conversions) {
    conversion.inputs.forEach((column, t) => {
      // Σ ratio·λ(output) − λ(input) − cost
      const terms: [number, number][] = conversion.outputs.map((o) => [
        price(o.carrier, t),
        float(o.ratio),
      ]);
      if (conversion.input !== null) terms.push([price(conversion.input, t), -1]);
      reducedCost(
        `convert:${conversion.order.id}:${t}`,
        terms,
        -Number(conversion.order.costTicks),
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
    const etaC = float(order.chargeEfficiency);
    const etaD = float(order.dischargeEfficiency);
    for (let t = 0; t < T; t++) {
      const c = storage.carrier;
      // charge: ηc·μ_t − λ_t; discharge: λ_t − μ_t/ηd − wear
      reducedCost(
        `charge:${order.id}:${t}`,
        [
          [value[t], etaC],
          [price(c, t), -1],
        ],
        0,
        where(storage.charge[t]),
      );
      reducedCost(
        `discharge:${order.id}:${t}`,
        [
          [price(c, t), 1],
          [value[t], -1 / etaD],
        ],
        -Number(order.dischargeCostTicks),
        where(storage.discharge[t]),
      );
      // state: μ_{t+1} − μ_t (the last: −μ_T, nothing is worth anything after the auction)
      const terms: [number, number][] = [[value[t], -1]];
      if (t < T - 1) terms.push([value[t + 1], 1]);
      reducedCost(`state:${order.id}:${t}`, terms, 0, where(storage.state[t]));
    }
  }

  // Accepted blocks: the reduced cost of the accepted fraction, and no family losing money.
  const surplusTerms = new Map<
    string,
    { terms: [number, number][]; constant: number; fraction: number }
  >();
  for (const block of formulation.blocks) {
    const { order } = block;
    const column = model.columns[block.acceptance];
    if (column.upper === 0) continue;
    const sign = order.side === 'BUY' ? 1 : -1;
    const volume = kwh(order.profileWh.reduce((sum, wh) => sum + wh, 0n));
    // surplus = sign·(p·volume − Σ λ_t·profile_t)
    const terms: [number, number][] = [];
    order.profileWh.forEach((wh, i) => {
      if (wh > 0n) terms.push([price(block.carrier, order.firstInterval + i), -sign * kwh(wh)]);
    });
    const constant = sign * Number(order.priceTicks) * volume;
    surplusTerms.set(order.id, { terms, constant, fraction: primal[block.acceptance] });
    reducedCost(
      `block:${order.id}`,
      terms,
      constant,
      // half a Wh of the whole profile
      position(primal[block.acceptance], column.lower, column.upper, AT_BOUND_KWH / volume),
    );
  }
  const orders = formulation.blocks.map((block) => block.order);
  for (const block of formulation.blocks) {
    const own = surplusTerms.get(block.order.id);
    if (own === undefined) continue;
    const family = acceptedFamily(orders, block.order.id, (id) => surplusTerms.has(id));
    const merged = new Map<number, number>();
    let constant = 0;
    for (const member of family) {
      // each member's surplus at the fraction of it that is accepted
      const { terms, constant: own, fraction } = surplusTerms.get(member)!;
      constant += own * fraction;
      for (const [column, coefficient] of terms) {
        merged.set(column, (merged.get(column) ?? 0) + coefficient * fraction);
      }
    }
    rows.push({
      name: `family:${block.order.id}`,
      terms: [...merged],
      lower: -constant,
      upper: Infinity,
    });
  }
  const sense = objective.kind === 'SUM' ? objective.sense : 'MINIMIZE';
  return { model: { sense, columns, rows }, priceColumns, valueColumns };
}
