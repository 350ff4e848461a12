import { compilePriceGrid, type Ratio } from '@parkex/market';
import { div, whole } from './rational';
import type { LpColumn, LpModel, LpRow } from './lp';
import type { Auction, BlockOrder, ConversionOrder, StepOrder, StorageOrder } from './model';
import { maxInputAt } from './validate';

/**
 * The welfare model of an auction: maximise the value of accepted bids − the cost of accepted
 * offers − conversion, storage and grid costs + grid export value, with one balance per
 * carrier and interval (demand − supply = 0, so that its dual is the carrier's price there).
 * Quantities in the model are kWh (floats), money ticks × kWh.
 */

/** Equal step orders (carrier, interval, side, price) share one column, filled in time priority. */
export interface StepColumn {
  readonly column: number;
  readonly carrier: number;
  readonly interval: number;
  readonly side: 'BUY' | 'SELL';
  readonly priceTicks: bigint;
  readonly quantityWh: bigint;
  /** Its orders, earliest first. */
  readonly orders: readonly StepOrder[];
}

export interface BlockColumns {
  readonly order: BlockOrder;
  readonly carrier: number;
  /** The accepted fraction. */
  readonly acceptance: number;
  /** The binary choice (selection model only). */
  readonly choice: number | null;
}

export interface ConversionColumns {
  readonly order: ConversionOrder;
  readonly input: number | null;
  readonly outputs: readonly { readonly carrier: number; readonly ratio: Ratio }[];
  /** Input per interval. */
  readonly inputs: readonly number[];
}

export interface StorageColumns {
  readonly order: StorageOrder;
  readonly carrier: number;
  readonly charge: readonly number[];
  readonly discharge: readonly number[];
  /** State of charge at the end of each interval. */
  readonly state: readonly number[];
  /** The state-of-charge rows, per interval. */
  readonly stateRows: readonly number[];
  /**
   * Stored energy the park could not supply by the end (kWh), at the cap's price per kWh taken
   * (the cap over ηc per kWh stored): null when the store need not end above empty. It keeps a
   * store that must end fuller than it starts from making the whole auction infeasible.
   */
  readonly shortfall: number | null;
}

export interface GridColumns {
  readonly carrier: number;
  readonly imports: readonly number[];
  readonly exports: readonly number[];
}

export interface Formulation {
  readonly model: LpModel;
  readonly steps: readonly StepColumn[];
  readonly blocks: readonly BlockColumns[];
  readonly conversions: readonly ConversionColumns[];
  readonly storages: readonly StorageColumns[];
  readonly grids: readonly GridColumns[];
  /** Balance row of carrier c in interval t: `balanceRows[c][t]`. */
  readonly balanceRows: readonly (readonly number[])[];
}

/**
 * Which blocks may be accepted: `'choose'` builds the selection model (a binary per block,
 * parents and exclusive groups as constraints); a set fixes the selection (the blocks in it
 * accepted between their minimum acceptance and 1, all others rejected).
 */
export type BlockSelection = 'choose' | ReadonlySet<string>;

export const kwh = (wh: bigint): number => Number(wh) / 1000;

/** What a kWh of a storage's shortfall costs in the welfare model: the cap's price of the charge it stands for. */
export const shortfallPrice = (order: StorageOrder, capTicks: bigint): Ratio =>
  div(whole(capTicks), order.chargeEfficiency);
export const float = (ratio: Ratio): number => Number(ratio.num) / Number(ratio.den);

/** The welfare model of a validated auction. */
export function formulate(auction: Auction, selection: BlockSelection): Formulation {
  const { terms } = auction;
  const T = terms.intervals;
  const carrierIndex = new Map(terms.carriers.map((carrier, i) => [carrier.code, i]));
  const index = (code: string) => carrierIndex.get(code)!;

  const columns: LpColumn[] = [];
  const rows: LpRow[] = [];
  const addColumn = (column: LpColumn) => columns.push(column) - 1;
  const balanceTerms = terms.carriers.map(() =>
    Array.from({ length: T }, () => [] as [number, number][]),
  );
  /** `coefficient` > 0: demand (bought, input, charge, export); < 0: supply. */
  const onBalance = (carrier: number, t: number, column: number, coefficient: number) =>
    balanceTerms[carrier][t].push([column, coefficient]);

  const cap = compilePriceGrid(terms.grid).maxTicks;
  const steps = stepColumns(auction.orders, index, addColumn);
  for (const step of steps) {
    onBalance(step.carrier, step.interval, step.column, step.side === 'BUY' ? 1 : -1);
  }

  const blocks: BlockColumns[] = [];
  const choiceOf = new Map<string, number>();
  const groups = new Map<string, number[]>();
  for (const order of auction.orders) {
    if (order.kind !== 'BLOCK') continue;
    const carrier = index(order.carrier);
    const sign = order.side === 'BUY' ? 1 : -1;
    const volume = kwh(order.profileWh.reduce((sum, wh) => sum + wh, 0n));
    const minimum = float(order.minAcceptance);
    const accepted = selection === 'choose' || selection.has(order.id);
    const acceptance = addColumn({
      name: `block:${order.id}`,
      lower: selection === 'choose' || !accepted ? 0 : minimum,
      upper: accepted ? 1 : 0,
      cost: sign * Number(order.priceTicks) * volume,
    });
    order.profileWh.forEach((wh, i) => {
      if (wh > 0n) onBalance(carrier, order.firstInterval + i, acceptance, sign * kwh(wh));
    });
    let choice: number | null = null;
    if (selection === 'choose') {
      choice = addColumn({
        name: `select:${order.id}`,
        lower: 0,
        upper: 1,
        cost: 0,
        integer: true,
      });
      choiceOf.set(order.id, choice);
      // accepted ⇔ choice = 1, and then at least the minimum acceptance
      rows.push({
        name: `min:${order.id}`,
        terms: [
          [acceptance, 1],
          [choice, -minimum],
        ],
        lower: 0,
        upper: Infinity,
      });
      rows.push({
        name: `max:${order.id}`,
        terms: [
          [acceptance, 1],
          [choice, -1],
        ],
        lower: -Infinity,
        upper: 0,
      });
      if (order.exclusiveGroup !== null) {
        const group = `${order.participant} ${order.exclusiveGroup}`;
        groups.set(group, [...(groups.get(group) ?? []), choice]);
      }
    }
    blocks.push({ order, carrier, acceptance, choice });
  }
  if (selection === 'choose') {
    for (const { order, choice } of blocks) {
      if (order.parentId === null) continue;
      rows.push({
        name: `parent:${order.id}`,
        terms: [
          [choice!, 1],
          [choiceOf.get(order.parentId)!, -1],
        ],
        lower: -Infinity,
        upper: 0,
      });
    }
    for (const [group, choices] of groups) {
      if (choices.length < 2) continue;
      rows.push({
        name: `exclusive:${group}`,
        terms: choices.map((c) => [c, 1]),
        lower: -Infinity,
        upper: 1,
      });
    }
  }

  const conversions: ConversionColumns[] = [];
  for (const order of auction.orders) {
    if (order.kind !== 'CONVERSION') continue;
    const input = order.input === null ? null : index(order.input);
    const outputs = order.outputs.map((output) => ({
      carrier: index(output.carrier),
      ratio: output.ratio,
    }));
    const inputs = Array.from({ length: T }, (_, t) => {
      const column = addColumn({
        name: `convert:${order.id}:${t}`,
        lower: 0,
        upper: kwh(maxInputAt(order, t)),
        cost: -Number(order.costTicks),
      });
      if (input !== null) onBalance(input, t, column, 1);
      for (const output of outputs) onBalance(output.carrier, t, column, -float(output.ratio));
      return column;
    });
    conversions.push({ order, input, outputs, inputs });
  }

  const storages: StorageColumns[] = [];
  for (const order of auction.orders) {
    if (order.kind !== 'STORAGE') continue;
    const carrier = index(order.carrier);
    const charge: number[] = [];
    const discharge: number[] = [];
    const state: number[] = [];
    const stateRows: number[] = [];
    const shortfall =
      order.minFinalWh === 0n
        ? null
        : addColumn({
            name: `shortfall:${order.id}`,
            lower: 0,
            upper: kwh(order.minFinalWh),
            cost: -float(shortfallPrice(order, cap)),
          });
    for (let t = 0; t < T; t++) {
      charge.push(
        addColumn({
          name: `charge:${order.id}:${t}`,
          lower: 0,
          upper: kwh(order.maxChargeWh),
          cost: 0,
        }),
      );
      discharge.push(
        addColumn({
          name: `discharge:${order.id}:${t}`,
          lower: 0,
          upper: kwh(order.maxDischargeWh),
          cost: -Number(order.dischargeCostTicks),
        }),
      );
      state.push(
        addColumn({
          name: `state:${order.id}:${t}`,
          lower: t === T - 1 ? kwh(order.minFinalWh) : 0,
          upper: kwh(order.capacityWh),
          cost: 0,
        }),
      );
      onBalance(carrier, t, charge[t], 1);
      onBalance(carrier, t, discharge[t], -1);
      // s_t − s_{t−1} − ηc·charge_t + discharge_t / ηd = (t = 0: the initial state, else 0)
      const rowTerms: [number, number][] = [
        [state[t], 1],
        [charge[t], -float(order.chargeEfficiency)],
        [discharge[t], 1 / float(order.dischargeEfficiency)],
      ];
      if (t > 0) rowTerms.push([state[t - 1], -1]);
      if (t === T - 1 && shortfall !== null) rowTerms.push([shortfall, -1]);
      const rhs = t === 0 ? kwh(order.initialWh) : 0;
      stateRows.push(
        rows.push({ name: `soc:${order.id}:${t}`, terms: rowTerms, lower: rhs, upper: rhs }) - 1,
      );
    }
    storages.push({ order, carrier, charge, discharge, state, stateRows, shortfall });
  }

  const grids: GridColumns[] = [];
  terms.carriers.forEach((carrier, c) => {
    const connection = carrier.connection;
    if (connection === null) return;
    const imports: number[] = [];
    const exports: number[] = [];
    for (let t = 0; t < T; t++) {
      imports.push(
        addColumn({
          name: `import:${carrier.code}:${t}`,
          lower: 0,
          upper: kwh(connection.importLimitWh),
          cost: -Number(connection.importPriceTicks),
        }),
      );
      exports.push(
        addColumn({
          name: `export:${carrier.code}:${t}`,
          lower: 0,
          upper: kwh(connection.exportLimitWh),
          cost: Number(connection.exportPriceTicks),
        }),
      );
      onBalance(c, t, imports[t], -1);
      onBalance(c, t, exports[t], 1);
    }
    grids.push({ carrier: c, imports, exports });
  });

  const balanceRows = balanceTerms.map((perInterval, c) =>
    perInterval.map(
      (rowTerms, t) =>
        rows.push({
          name: `balance:${terms.carriers[c].code}:${t}`,
          terms: rowTerms,
          lower: 0,
          upper: 0,
        }) - 1,
    ),
  );
  return {
    model: { sense: 'MAXIMIZE', columns, rows },
    steps,
    blocks,
    conversions,
    storages,
    grids,
    balanceRows,
  };
}

/** One column per (carrier, interval, side, price); orders in time priority (seq). */
function stepColumns(
  orders: Auction['orders'],
  index: (code: string) => number,
  addColumn: (column: LpColumn) => number,
): StepColumn[] {
  const byKey = new Map<string, StepOrder[]>();
  for (const order of orders) {
    if (order.kind !== 'STEP') continue;
    const key = `${order.carrier}\u0000${order.interval}\u0000${order.side}\u0000${order.priceTicks}`;
    const list = byKey.get(key);
    if (list) list.push(order);
    else byKey.set(key, [order]);
  }
  const keys = [...byKey.keys()].sort();
  return keys.map((key) => {
    const members = byKey.get(key)!.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    const first = members[0];
    const quantityWh = members.reduce((sum, order) => sum + order.quantityWh, 0n);
    const sign = first.side === 'BUY' ? 1 : -1;
    const column = addColumn({
      name: `step:${first.carrier}:${first.interval}:${first.side}:${first.priceTicks}`,
      lower: 0,
      upper: kwh(quantityWh),
      cost: sign * Number(first.priceTicks),
    });
    return {
      column,
      carrier: index(first.carrier),
      interval: first.interval,
      side: first.side,
      priceTicks: first.priceTicks,
      quantityWh,
      orders: members,
    };
  });
}
