import { compilePriceGrid, type Ratio } from '@parkex/market';
import { awardLines, type Awards } from './awards';
import { acceptedFamily } from './families';
import { formulate, type Formulation } from './formulate';
import type { LpModel, LpSolution, LpSolver } from './lp';
import type { Auction, BlockOrder, StorageOrder } from './model';
import { exactSolution, priceModel, type PriceModel, type PriceObjective } from './prices';
import {
  add,
  ceilOf,
  compare,
  div,
  floorOf,
  mul,
  roundHalfUp,
  snap,
  sub,
  whole,
  shareWh,
} from './rational';
import { validateAuction, type AuctionRejection } from './validate';

/** Most rounds of removing paradoxically accepted blocks before the fallback (every block rejected). */
export const MAX_REPAIR_ROUNDS = 20;

export interface AuctionPrices {
  /** Published price per carrier and interval (ticks); null where nothing was exchanged. */
  readonly priceTicks: readonly (readonly (bigint | null)[])[];
  /** The ends of the range of consistent prices, exact. */
  readonly low: readonly (readonly Ratio[])[];
  readonly high: readonly (readonly Ratio[])[];
  /** low + k·(high − low) before rounding: a dual solution of the welfare model with `storageValues`. */
  readonly exact: readonly (readonly Ratio[])[];
  /** μ(t) of every storage: what a Wh stored at the end of interval t is worth, by id. */
  readonly storageValues: ReadonlyMap<string, readonly Ratio[]>;
}

export interface AuctionQuantities {
  /** Filled Wh of every step order, by id. */
  readonly steps: ReadonlyMap<string, bigint>;
  /** Accepted fraction of every block (0 for rejected), by id. */
  readonly blocks: ReadonlyMap<string, Ratio>;
  /** Input per interval of every conversion (Wh), by id. */
  readonly conversions: ReadonlyMap<string, readonly bigint[]>;
  /** Charge, discharge and state of charge per interval of every storage, by id. */
  readonly storages: ReadonlyMap<string, StorageSchedule>;
  /** Import and export per carrier and interval (Wh), by carrier code (connected carriers). */
  readonly grid: ReadonlyMap<
    string,
    { readonly importWh: readonly bigint[]; readonly exportWh: readonly bigint[] }
  >;
  /** Traded volume (total supply) per carrier and interval (Wh), from the solver's schedule. */
  readonly volumeWh: readonly (readonly bigint[])[];
}

export type AuctionClearing =
  | {
      readonly status: 'CLEARED';
      readonly solver: string;
      /** Welfare of the solution as the solver reports it (ticks × kWh). */
      readonly welfare: number;
      readonly prices: AuctionPrices;
      readonly quantities: AuctionQuantities;
      /** Every award line with its money, zero-sum with `awards.roundingMinor`. */
      readonly awards: Awards;
      readonly acceptedBlocks: readonly string[];
      /** Blocks removed as paradoxically accepted, in the order they were removed. */
      readonly removedBlocks: readonly string[];
      /** Rejected blocks that would have earned money at the prices (full acceptance). */
      readonly paradoxicallyRejected: readonly string[];
      /** True when the repair rounds ran out and every block was rejected. */
      readonly fallback: boolean;
      readonly timings: { readonly selectMs: number; readonly priceMs: number };
    }
  | { readonly status: 'REJECTED'; readonly rejections: readonly AuctionRejection[] };

/** Clock for the timings only (results never depend on it). */
export type Clock = () => number;

/**
 * Clears an auction: selects the blocks (MILP, proven optimum), removes paradoxically accepted
 * block families one round at a time, solves the welfare LP of the selection, prefers the
 * largest traded volume among welfare-optimal schedules (as the merit-order walk does), then
 * bounds the prices by the price LP and publishes low + k·(high − low), rounded to the tick, an
 * exact half up.
 */
export function clearAuction(auction: Auction, solver: LpSolver, clock: Clock): AuctionClearing {
  const check = validateAuction(auction);
  if (!check.ok) return { status: 'REJECTED', rejections: check.rejections };
  const started = clock();
  const caps = compilePriceGrid(auction.terms.grid);
  const hasBlocks = auction.orders.some((order) => order.kind === 'BLOCK');
  const excluded = new Set<string>();
  const removedBlocks: string[] = [];
  let fallback = false;
  let schedule: { formulation: Formulation; welfare: LpSolution } | null = null;

  for (let round = 0; schedule === null; round++) {
    const selected = fallback
      ? new Set<string>()
      : hasBlocks
        ? selectBlocks(auction, excluded, solver)
        : new Set<string>();
    const formulation = formulate(auction, selected);
    const welfare = solveOrThrow(solver, formulation.model, 'the welfare model');
    const losing = losingBlock(formulation, welfare);
    if (losing === null) {
      schedule = { formulation, welfare };
    } else if (round + 1 >= MAX_REPAIR_ROUNDS) {
      fallback = true;
    } else {
      excluded.add(losing);
      removedBlocks.push(losing);
    }
  }
  const { formulation } = schedule;
  const primal = tradeAtTheMoney(formulation, schedule.welfare.primal);
  const selectMs = clock() - started;

  const quantities = roundQuantities(auction, formulation, primal);
  const traded = quantities.volumeWh.map((row) => row.map((wh) => wh > 0n));
  const { lowest, highest } = priceRange(auction, formulation, primal, caps, traded, solver);
  const k = auction.terms.k;
  const exact = lowest.prices.map((perInterval, c) =>
    perInterval.map((low, t) => between(low, highest.prices[c][t], k)),
  );
  const settlementPrices = exact.map((perInterval) =>
    perInterval.map((price) => settlementPrice(price, caps)),
  );
  const priceTicks = settlementPrices.map((perInterval, c) =>
    perInterval.map((price, t) => (quantities.volumeWh[c][t] === 0n ? null : price)),
  );
  const storageValues = new Map(
    [...lowest.values].map(([id, low]) => [
      id,
      low.map((value, t) => between(value, highest.values.get(id)![t], k)),
    ]),
  );
  const awards = awardLines(auction, quantities, settlementPrices, auction.terms.grid);
  const paradoxicallyRejected = formulation.blocks
    .filter((block) => quantities.blocks.get(block.order.id)!.num === 0n)
    .filter((block) => blockSurplus(block.order, exact[block.carrier]).num > 0n)
    .map((block) => block.order.id);
  return {
    status: 'CLEARED',
    solver: solver.version,
    welfare: schedule.welfare.objective,
    prices: { priceTicks, low: lowest.prices, high: highest.prices, exact, storageValues },
    quantities,
    awards,
    acceptedBlocks: [...quantities.blocks].filter(([, a]) => a.num > 0n).map(([id]) => id),
    removedBlocks,
    paradoxicallyRejected,
    fallback,
    timings: { selectMs, priceMs: clock() - started - selectMs },
  };
}

function solveOrThrow(solver: LpSolver, model: LpModel, what: string): LpSolution {
  const solution = solver.solve(model);
  if (solution.status !== 'OPTIMAL') {
    throw new Error(`${what} was not solved to optimality: ${solution.statusText}`);
  }
  return solution;
}

/** The blocks of the welfare-optimal selection (none of `excluded`). */
function selectBlocks(
  auction: Auction,
  excluded: ReadonlySet<string>,
  solver: LpSolver,
): Set<string> {
  const formulation = formulate(auction, 'choose');
  const excludedChoices = new Set(
    formulation.blocks.filter((b) => excluded.has(b.order.id)).map((b) => b.choice),
  );
  const columns = formulation.model.columns.map((column, i) =>
    excludedChoices.has(i) ? { ...column, upper: 0 } : column,
  );
  const solution = solveOrThrow(solver, { ...formulation.model, columns }, 'the block selection');
  return new Set(
    formulation.blocks
      .filter((block) => solution.primal[block.choice!] > 0.5)
      .map((block) => block.order.id),
  );
}

/**
 * The accepted block whose family loses most at the welfare model's prices (its duals), or null
 * when no accepted family loses money.
 */
function losingBlock(formulation: Formulation, welfare: LpSolution): string | null {
  const price = (carrier: number, t: number) =>
    welfare.rowDuals[formulation.balanceRows[carrier][t]];
  const surplus = new Map<string, number>();
  for (const block of formulation.blocks) {
    if (welfare.primal[block.acceptance] <= 0) continue;
    const { order } = block;
    const sign = order.side === 'BUY' ? 1 : -1;
    let value = 0;
    order.profileWh.forEach((wh, i) => {
      value +=
        (sign *
          (Number(order.priceTicks) - price(block.carrier, order.firstInterval + i)) *
          Number(wh)) /
        1000;
    });
    surplus.set(order.id, value * welfare.primal[block.acceptance]);
  }
  const orders = formulation.blocks.map((block) => block.order);
  let worst: string | null = null;
  let worstValue = -1e-6;
  for (const block of formulation.blocks) {
    if (!surplus.has(block.order.id)) continue;
    const family = acceptedFamily(orders, block.order.id, (id) => surplus.has(id)).reduce(
      (sum, id) => sum + surplus.get(id)!,
      0,
    );
    if (family < worstValue) {
      worst = block.order.id;
      worstValue = family;
    }
  }
  return worst;
}

/**
 * Among the welfare-optimal schedules, the one with the most step volume: where a carrier-interval
 * has a bid and an offer column at the same price, both with quantity left, they trade with each
 * other (at zero surplus, so welfare does not change), as they do in the merit-order walk. Two
 * such prices cannot exist in one carrier-interval: the bid at the higher would trade with the
 * offer at the lower for a gain. Quantities in kWh, like the solver's.
 */
function tradeAtTheMoney(formulation: Formulation, primal: readonly number[]): number[] {
  const values = [...primal];
  const { columns } = formulation.model;
  const slack = (column: number) => Math.max(0, columns[column].upper - values[column]);
  const offers = new Map<string, number>();
  for (const step of formulation.steps) {
    if (step.side === 'SELL')
      offers.set(`${step.carrier} ${step.interval} ${step.priceTicks}`, step.column);
  }
  for (const step of formulation.steps) {
    if (step.side !== 'BUY') continue;
    const offer = offers.get(`${step.carrier} ${step.interval} ${step.priceTicks}`);
    if (offer === undefined) continue;
    const more = Math.min(slack(step.column), slack(offer));
    values[step.column] += more;
    values[offer] += more;
  }
  return values;
}

interface PriceVector {
  readonly prices: Ratio[][];
  readonly values: Map<string, Ratio[]>;
}

/**
 * The ends of the range of consistent prices: minimising and maximising Σλ within the caps; if
 * no consistent prices lie within them, first the least total excess beyond the caps, then the
 * ends of the range with at most that excess (and a millionth of it for the solver's floats).
 */
function priceRange(
  auction: Auction,
  formulation: Formulation,
  primal: readonly number[],
  caps: { readonly minTicks: bigint; readonly maxTicks: bigint },
  traded: readonly (readonly boolean[])[],
  solver: LpSolver,
): { lowest: PriceVector; highest: PriceVector } {
  const build = (objective: PriceObjective) =>
    priceModel(auction, formulation, primal, caps, traded, objective);
  const vector = (model: PriceModel, solution: LpSolution): PriceVector => {
    const values = exactSolution(model, solution.primal);
    const exact = (column: number) => values[column];
    return {
      prices: model.priceColumns.map((perInterval) => perInterval.map(exact)),
      values: new Map([...model.valueColumns].map(([id, columns]) => [id, columns.map(exact)])),
    };
  };
  const extreme = (sense: 'MINIMIZE' | 'MAXIMIZE', capExcess: number | null) => {
    const model = build({ kind: 'SUM', sense, capExcess });
    return vector(model, solveOrThrow(solver, model.model, 'the price model'));
  };
  const within = build({ kind: 'SUM', sense: 'MINIMIZE', capExcess: null });
  const lowest = solver.solve(within.model);
  if (lowest.status === 'OPTIMAL') {
    return { lowest: vector(within, lowest), highest: extreme('MAXIMIZE', null) };
  }
  const least = build({ kind: 'CAP_EXCESS' });
  const capExcess =
    solveOrThrow(solver, least.model, 'the price model').objective * (1 + 1e-6) + 1e-9;
  return { lowest: extreme('MINIMIZE', capExcess), highest: extreme('MAXIMIZE', capExcess) };
}

/** The published price: the exact price rounded to the tick (half up), within the caps. */
export function settlementPrice(
  exact: Ratio,
  caps: { readonly minTicks: bigint; readonly maxTicks: bigint },
): bigint {
  const rounded = roundHalfUp(exact);
  return rounded < caps.minTicks
    ? caps.minTicks
    : rounded > caps.maxTicks
      ? caps.maxTicks
      : rounded;
}

/** low + k·(high − low), exactly. */
function between(low: Ratio, high: Ratio, k: Ratio): Ratio {
  return add(low, mul(k, sub(high, low)));
}

/** The solver's schedule in whole Wh; step orders filled in time priority within their column. */
function roundQuantities(
  auction: Auction,
  formulation: Formulation,
  primal: readonly number[],
): AuctionQuantities {
  const T = auction.terms.intervals;
  const wh = (column: number, max: bigint) => {
    const value = BigInt(Math.round(primal[column] * 1000));
    return value < 0n ? 0n : value > max ? max : value;
  };
  const volumeWh = auction.terms.carriers.map(() => new Array<bigint>(T).fill(0n));
  const supplied = (carrier: number, t: number, quantity: bigint) =>
    (volumeWh[carrier][t] += quantity);

  const steps = new Map<string, bigint>();
  for (const step of formulation.steps) {
    let left = wh(step.column, step.quantityWh);
    if (step.side === 'SELL') supplied(step.carrier, step.interval, left);
    for (const order of step.orders) {
      const filled = left < order.quantityWh ? left : order.quantityWh;
      steps.set(order.id, filled);
      left -= filled;
    }
  }
  const blocks = new Map<string, Ratio>();
  for (const block of formulation.blocks) {
    const fraction = snap(Math.min(1, Math.max(0, primal[block.acceptance])));
    blocks.set(block.order.id, fraction);
    if (block.order.side === 'SELL') {
      block.order.profileWh.forEach((quantity, i) =>
        supplied(block.carrier, block.order.firstInterval + i, shareWh(fraction, quantity)),
      );
    }
  }
  const conversions = new Map<string, bigint[]>();
  for (const conversion of formulation.conversions) {
    const inputs = conversion.inputs.map((column, t) => {
      const input = wh(column, BigInt(Math.round(formulation.model.columns[column].upper * 1000)));
      for (const output of conversion.outputs) {
        supplied(output.carrier, t, shareWh(output.ratio, input));
      }
      return input;
    });
    conversions.set(conversion.order.id, inputs);
  }
  const storages = new Map<string, StorageSchedule>();
  for (const storage of formulation.storages) {
    const schedule = feasibleSchedule(
      storage.order,
      storage.charge.map((column) => wh(column, storage.order.maxChargeWh)),
      storage.discharge.map((column) => wh(column, storage.order.maxDischargeWh)),
      storage.shortfall === null ? 0n : wh(storage.shortfall, storage.order.minFinalWh),
    );
    schedule.dischargeWh.forEach((quantity, t) => supplied(storage.carrier, t, quantity));
    storages.set(storage.order.id, schedule);
  }
  const grid = new Map<string, { importWh: bigint[]; exportWh: bigint[] }>();
  for (const connection of formulation.grids) {
    const carrier = auction.terms.carriers[connection.carrier];
    const importWh = connection.imports.map((column) =>
      wh(column, carrier.connection!.importLimitWh),
    );
    const exportWh = connection.exports.map((column) =>
      wh(column, carrier.connection!.exportLimitWh),
    );
    importWh.forEach((quantity, t) => supplied(connection.carrier, t, quantity));
    grid.set(carrier.code, { importWh, exportWh });
  }
  return { steps, blocks, conversions, storages, grid, volumeWh };
}

export interface StorageSchedule {
  /** Taken from the carrier per interval (Wh). */
  readonly chargeWh: readonly bigint[];
  /** Delivered to the carrier per interval (Wh). */
  readonly dischargeWh: readonly bigint[];
  /** Stored at the end of each interval (Wh, exact: efficiencies make fractions). */
  readonly stateWh: readonly Ratio[];
  /**
   * How far the last state lies below the minimum final state (Wh): what the park could not
   * supply at up to the cap's price. Usually 0.
   */
  readonly shortfallWh: bigint;
}

/**
 * The rounded schedule made feasible exactly: a discharge that would take the store below 0, or a
 * charge above its capacity, is cut to the whole Wh that fits; then, if the store ends below its
 * minimum, discharges are cut from the last interval back. The cuts are a Wh or two of rounding;
 * the carrier-interval's residual goes to the grid or the balancing line like any other.
 */
function feasibleSchedule(
  order: StorageOrder,
  charge: bigint[],
  discharge: bigint[],
  shortfallWh: bigint,
): StorageSchedule {
  const etaC = order.chargeEfficiency;
  const etaD = order.dischargeEfficiency;
  const capacity = whole(order.capacityWh);
  const states = (): Ratio[] => {
    const result: Ratio[] = [];
    let state = whole(order.initialWh);
    for (let t = 0; t < charge.length; t++) {
      let next = sub(add(state, mul(etaC, whole(charge[t]))), div(whole(discharge[t]), etaD));
      if (next.num < 0n) {
        // most it can deliver: (state + ηc·charge)·ηd
        discharge[t] = floorOf(mul(add(state, mul(etaC, whole(charge[t]))), etaD));
        next = sub(add(state, mul(etaC, whole(charge[t]))), div(whole(discharge[t]), etaD));
      }
      if (compare(next, capacity) > 0) {
        // most it can take: (capacity − state + discharge/ηd)/ηc
        charge[t] = floorOf(div(add(sub(capacity, state), div(whole(discharge[t]), etaD)), etaC));
        next = sub(add(state, mul(etaC, whole(charge[t]))), div(whole(discharge[t]), etaD));
      }
      result.push(next);
      state = next;
    }
    return result;
  };
  let stateWh = states();
  // Where it ends below its minimum, discharges are cut from the last interval back, each only
  // as far as every later state stays within the capacity (a full store that must end full would
  // otherwise trade a Wh of discharge for a Wh of charge without end); what is left is short.
  const short = () => sub(whole(order.minFinalWh - shortfallWh), stateWh[stateWh.length - 1]);
  for (let t = charge.length - 1; t >= 0 && short().num > 0n; t--) {
    if (discharge[t] === 0n) continue;
    const wanted = ceilOf(mul(short(), etaD));
    const cut = wanted < discharge[t] ? wanted : discharge[t];
    const rise = div(whole(cut), etaD);
    const fits = stateWh.slice(t).every((state) => compare(add(state, rise), capacity) <= 0);
    if (!fits) continue;
    discharge[t] -= cut;
    stateWh = states();
  }
  // how far below its minimum the store ends (a Wh the rounding could not recover counts too)
  const missing = ceilOf(sub(whole(order.minFinalWh), stateWh[stateWh.length - 1]));
  return {
    chargeWh: charge,
    dischargeWh: discharge,
    stateWh,
    shortfallWh: missing > 0n ? missing : 0n,
  };
}

/**
 * What a block earns if fully accepted at `prices` (its carrier's exact prices per interval), in
 * ticks × Wh: a bid's value minus its cost, an offer's revenue minus its price.
 */
export function blockSurplus(order: BlockOrder, prices: readonly Ratio[]): Ratio {
  let surplus = whole(0n);
  order.profileWh.forEach((wh, i) => {
    const margin = sub(whole(order.priceTicks), prices[order.firstInterval + i]);
    surplus = add(surplus, mul(margin, whole(order.side === 'BUY' ? wh : -wh)));
  });
  return surplus;
}
