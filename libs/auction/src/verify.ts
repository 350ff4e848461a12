import { compilePriceGrid, fillAmountMinor, ratio, type Ratio } from '@parkex/market';
import {
  blockSurplus,
  settlementPrice,
  type AuctionClearing,
  type StorageSchedule,
} from './clear-auction';
import { acceptedFamily } from './families';
import type { Auction, BlockOrder, ConversionOrder, StepOrder, StorageOrder } from './model';
import { add, compare, div, mul, shareWh, sub, whole } from './rational';
import { shortfallPrice } from './formulate';
import { maxInputAt, validateAuction } from './validate';

export type ClearedAuction = Extract<AuctionClearing, { status: 'CLEARED' }>;

export interface VerificationCheck {
  readonly name: string;
  readonly ok: boolean;
  /** What failed, one line each (at most `MAX_DETAILS`); empty when the check passed. */
  readonly details: readonly string[];
}

export interface AuctionVerification {
  readonly ok: boolean;
  readonly checks: readonly VerificationCheck[];
}

/** At most this many failure lines per check. */
export const MAX_DETAILS = 20;

/**
 * A Wh or two of rounding: the solver's schedule is rounded to whole Wh and a storage's rounded
 * schedule cut to fit its bounds, so a quantity this close to one of its bounds counts as at it.
 */
const ROUNDING_WH = 2n;

/**
 * Checks a published clearing without a solver, in exact arithmetic: the prices against their
 * range and the rounding rule, energy balances, money, every order's condition against its
 * prices, conversions and storages against the prices (a storage with the published values of
 * its stored energy), block surpluses and the paradoxically rejected list, and welfare against
 * the dual objective of the published prices for the fixed block selection.
 */
export function verifyAuction(auction: Auction, result: ClearedAuction): AuctionVerification {
  const checks: VerificationCheck[] = [];
  const check = (name: string, run: (fail: (detail: string) => void) => void) => {
    const details: string[] = [];
    let failures = 0;
    run((detail) => {
      if (failures++ < MAX_DETAILS) details.push(detail);
    });
    if (failures > MAX_DETAILS) details.push(`… and ${failures - MAX_DETAILS} more`);
    checks.push({ name, ok: failures === 0, details });
  };
  const valid = validateAuction(auction);
  check('input', (fail) => {
    if (!valid.ok) for (const r of valid.rejections) fail(`${r.code}: ${r.message}`);
  });
  if (!valid.ok) return { ok: false, checks };

  const { terms } = auction;
  const T = terms.intervals;
  const carriers = terms.carriers.map((carrier) => carrier.code);
  const carrierIndex = new Map(carriers.map((code, i) => [code, i]));
  const c = (code: string) => carrierIndex.get(code)!;
  const { exact, low, high, priceTicks, storageValues } = result.prices;
  const caps = compilePriceGrid(terms.grid);
  // rounded to the tick, within the caps (a conversion can price a carrier beyond them)
  const settlement = exact.map((perInterval) =>
    perInterval.map((price) => settlementPrice(price, caps)),
  );
  const name = (carrier: number, t: number) => `${carriers[carrier]} interval ${t}`;

  // `low` and `high` are the price vectors of least and most Σλ: a carrier-interval's low may
  // lie above its high where joint outputs (a CHP's electricity and heat) move prices apart.
  check('prices', (fail) => {
    carriers.forEach((_, ci) => {
      for (let t = 0; t < T; t++) {
        const [lo, hi, x] = [low[ci][t], high[ci][t], exact[ci][t]];
        if (compare(x, add(lo, mul(terms.k, sub(hi, lo)))) !== 0) {
          fail(`${name(ci, t)}: the price is not low + k·(high − low)`);
        }
        const published = priceTicks[ci][t];
        const volume = result.quantities.volumeWh[ci][t];
        if ((published === null) !== (volume === 0n)) {
          fail(`${name(ci, t)}: a price is published exactly where energy is exchanged`);
        } else if (published !== null && published !== settlement[ci][t]) {
          fail(`${name(ci, t)}: published ${published}, the rule gives ${settlement[ci][t]}`);
        }
        if (published !== null && (published < caps.minTicks || published > caps.maxTicks)) {
          fail(`${name(ci, t)}: price ${published} outside the caps`);
        }
      }
    });
  });

  const lines = result.awards.lines;
  check('balance', (fail) => {
    const net = carriers.map(() => new Array<bigint>(T).fill(0n));
    for (const line of lines) {
      net[c(line.carrier)][line.interval] +=
        line.side === 'BUY' ? line.quantityWh : -line.quantityWh;
    }
    net.forEach((perInterval, ci) =>
      perInterval.forEach((value, t) => {
        if (value !== 0n) fail(`${name(ci, t)}: taken − delivered = ${value} Wh`);
      }),
    );
  });

  check('money', (fail) => {
    let sum = 0n;
    for (const line of lines) {
      const price = settlement[c(line.carrier)][line.interval];
      if (line.priceTicks !== price)
        fail(
          `a line of ${name(c(line.carrier), line.interval)} at ${line.priceTicks}, not ${price}`,
        );
      const amount = fillAmountMinor(line.quantityWh, line.priceTicks, terms.grid);
      if (line.amountMinor !== amount)
        fail(`${line.quantityWh} Wh at ${line.priceTicks}: ${line.amountMinor}, not ${amount}`);
      sum += line.side === 'BUY' ? line.amountMinor : -line.amountMinor;
    }
    if (sum !== result.awards.roundingMinor) {
      fail(
        `buyers pay ${sum} more than sellers get, the balancing line books ${result.awards.roundingMinor}`,
      );
    }
  });

  const steps: StepOrder[] = [];
  const blocks: BlockOrder[] = [];
  const conversions: ConversionOrder[] = [];
  const storages: StorageOrder[] = [];
  for (const order of auction.orders) {
    if (order.kind === 'STEP') steps.push(order);
    else if (order.kind === 'BLOCK') blocks.push(order);
    else if (order.kind === 'CONVERSION') conversions.push(order);
    else storages.push(order);
  }
  const q = result.quantities;

  check('awards', (fail) => {
    const expected = new Map<string, bigint>();
    const key = (id: string, carrier: string, t: number, side: string) =>
      `${id} ${carrier} ${t} ${side}`;
    const expect = (id: string, carrier: string, t: number, side: string, wh: bigint) => {
      if (wh !== 0n)
        expected.set(
          key(id, carrier, t, side),
          (expected.get(key(id, carrier, t, side)) ?? 0n) + wh,
        );
    };
    for (const order of steps)
      expect(order.id, order.carrier, order.interval, order.side, q.steps.get(order.id) ?? 0n);
    for (const order of blocks) {
      const fraction = q.blocks.get(order.id) ?? whole(0n);
      order.profileWh.forEach((wh, i) =>
        expect(order.id, order.carrier, order.firstInterval + i, order.side, shareWh(fraction, wh)),
      );
    }
    for (const order of conversions) {
      (q.conversions.get(order.id) ?? []).forEach((input, t) => {
        if (order.input !== null) expect(order.id, order.input, t, 'BUY', input);
        for (const output of order.outputs) {
          expect(order.id, output.carrier, t, 'SELL', shareWh(output.ratio, input));
        }
      });
    }
    for (const order of storages) {
      const schedule = q.storages.get(order.id);
      schedule?.chargeWh.forEach((wh, t) => expect(order.id, order.carrier, t, 'BUY', wh));
      schedule?.dischargeWh.forEach((wh, t) => expect(order.id, order.carrier, t, 'SELL', wh));
    }
    const actual = new Map<string, bigint>();
    for (const line of lines) {
      if (line.party.kind !== 'ORDER') continue;
      const k = key(line.party.orderId, line.carrier, line.interval, line.side);
      actual.set(k, (actual.get(k) ?? 0n) + line.quantityWh);
    }
    for (const [k, wh] of expected)
      if (actual.get(k) !== wh) fail(`${k}: ${actual.get(k) ?? 0n} Wh awarded, ${wh} Wh scheduled`);
    for (const [k, wh] of actual)
      if (!expected.has(k)) fail(`${k}: ${wh} Wh awarded, none scheduled`);
    for (const order of steps) {
      const filled = q.steps.get(order.id) ?? 0n;
      if (filled < 0n || filled > order.quantityWh)
        fail(`${order.id}: filled ${filled} of ${order.quantityWh} Wh`);
    }
    for (const carrier of terms.carriers) {
      const flows = q.grid.get(carrier.code);
      if (carrier.connection === null || flows === undefined) continue;
      flows.importWh.forEach((wh, t) => {
        if (wh < 0n || wh > carrier.connection!.importLimitWh)
          fail(`${carrier.code} interval ${t}: import ${wh} Wh outside its limit`);
      });
      flows.exportWh.forEach((wh, t) => {
        if (wh < 0n || wh > carrier.connection!.exportLimitWh)
          fail(`${carrier.code} interval ${t}: export ${wh} Wh outside its limit`);
      });
    }
  });

  check('steps', (fail) => {
    const groups = new Map<string, StepOrder[]>();
    for (const order of steps) {
      const filled = q.steps.get(order.id) ?? 0n;
      const price = settlement[c(order.carrier)][order.interval];
      const inTheMoney = order.side === 'BUY' ? order.priceTicks > price : order.priceTicks < price;
      const outOfTheMoney =
        order.side === 'BUY' ? order.priceTicks < price : order.priceTicks > price;
      if (inTheMoney && filled !== order.quantityWh)
        fail(
          `${order.id} is in the money at ${price} but filled ${filled} of ${order.quantityWh} Wh`,
        );
      if (outOfTheMoney && filled !== 0n)
        fail(`${order.id} is out of the money at ${price} but filled ${filled} Wh`);
      const key = `${order.carrier} ${order.interval} ${order.side} ${order.priceTicks}`;
      groups.set(key, [...(groups.get(key) ?? []), order]);
    }
    for (const group of groups.values()) {
      group.sort((a, b) => (a.seq < b.seq ? -1 : 1));
      let partialSeen = false;
      for (const order of group) {
        const filled = q.steps.get(order.id) ?? 0n;
        if (partialSeen && filled > 0n)
          fail(`${order.id} is filled before an earlier order of its price is full`);
        if (filled < order.quantityWh) partialSeen = true;
      }
    }
  });

  check('blocks', (fail) => {
    const fraction = (id: string) => q.blocks.get(id) ?? whole(0n);
    const accepted = (id: string) => fraction(id).num > 0n;
    const groups = new Map<string, string[]>();
    for (const order of blocks) {
      const a = fraction(order.id);
      if (
        accepted(order.id) &&
        (compare(a, order.minAcceptance) < 0 || compare(a, whole(1n)) > 0)
      ) {
        fail(`${order.id}: accepted fraction outside [minimum acceptance, 1]`);
      }
      if (accepted(order.id) && order.parentId !== null && !accepted(order.parentId)) {
        fail(`${order.id} is accepted without its parent ${order.parentId}`);
      }
      if (accepted(order.id) && order.exclusiveGroup !== null) {
        const group = `${order.participant} ${order.exclusiveGroup}`;
        groups.set(group, [...(groups.get(group) ?? []), order.id]);
      }
    }
    for (const [group, members] of groups)
      if (members.length > 1) fail(`exclusive group ${group}: ${members.join(', ')} all accepted`);
    // no accepted family loses money at the exact prices
    const byId = new Map(blocks.map((block) => [block.id, block]));
    for (const order of blocks) {
      if (!accepted(order.id)) continue;
      let surplus = whole(0n);
      for (const id of acceptedFamily(blocks, order.id, accepted)) {
        const member = byId.get(id)!;
        surplus = add(surplus, mul(fraction(id), blockSurplus(member, exact[c(member.carrier)])));
      }
      if (surplus.num < 0n)
        fail(
          `${order.id}: its accepted family loses ${formatRatio(surplus)} ticks·Wh (paradoxically accepted)`,
        );
    }
  });

  check('paradoxically-rejected', (fail) => {
    const listed = new Set(result.paradoxicallyRejected);
    for (const order of blocks) {
      const rejected = (q.blocks.get(order.id) ?? whole(0n)).num === 0n;
      const inTheMoney = blockSurplus(order, exact[c(order.carrier)]).num > 0n;
      if (rejected && inTheMoney && !listed.has(order.id))
        fail(`${order.id} is rejected in the money but not listed`);
      if (listed.has(order.id) && !(rejected && inTheMoney))
        fail(`${order.id} is listed but is not a rejected block in the money`);
    }
  });

  check('conversions', (fail) => {
    for (const order of conversions) {
      (q.conversions.get(order.id) ?? []).forEach((input, t) => {
        const max = maxInputAt(order, t);
        if (input < 0n || input > max)
          fail(`${order.id} interval ${t}: input ${input} Wh outside [0, ${max}]`);
        let margin = whole(-order.costTicks);
        for (const output of order.outputs)
          margin = add(margin, mul(output.ratio, exact[c(output.carrier)][t]));
        if (order.input !== null) margin = sub(margin, exact[c(order.input)][t]);
        if (margin.num > 0n && input < max - ROUNDING_WH)
          fail(
            `${order.id} interval ${t}: earns ${formatRatio(margin)} per kWh but runs at ${input} of ${max} Wh`,
          );
        if (margin.num < 0n && input > ROUNDING_WH)
          fail(
            `${order.id} interval ${t}: loses ${formatRatio(margin)} per kWh but runs at ${input} Wh`,
          );
      });
    }
  });

  check('storages', (fail) => {
    for (const order of storages) {
      const schedule = q.storages.get(order.id);
      const values = storageValues.get(order.id);
      if (schedule === undefined || values === undefined) {
        fail(`${order.id}: no schedule or no values published`);
        continue;
      }
      checkStorage(order, schedule, values, exact[c(order.carrier)], T, caps.maxTicks, fail);
    }
  });

  check('duality', (fail) => {
    const { primal, dual, slack } = welfareAndDual(auction, result, exact, c, caps.maxTicks);
    if (compare(abs(sub(primal, dual)), slack) > 0) {
      fail(
        `welfare ${formatRatio(primal)} and the dual objective ${formatRatio(dual)} differ by more than the rounding allows (${formatRatio(slack)}) (ticks·Wh)`,
      );
    }
  });
  return { ok: checks.every((entry) => entry.ok), checks };
}

function checkStorage(
  order: StorageOrder,
  schedule: StorageSchedule,
  values: readonly Ratio[],
  prices: readonly Ratio[],
  T: number,
  capTicks: bigint,
  fail: (detail: string) => void,
): void {
  const etaC = order.chargeEfficiency;
  const etaD = order.dischargeEfficiency;
  let state = whole(order.initialWh);
  // How close to a bound counts as at it. Whole-Wh charges and discharges move the state in
  // steps of 1/ηd and ηc Wh, so a state pinned at a bound (a full store that must end full) is
  // met exactly only by discharges in multiples of ηd's numerator times ηc's denominator: the
  // rounding may move a discharge that far, the state that over ηd, the charge that over ηc·ηd.
  const dischargeTolerance = whole(ROUNDING_WH + etaD.num * etaC.den);
  const stateTolerance = div(dischargeTolerance, etaD);
  const chargeTolerance = div(stateTolerance, etaC);
  for (let t = 0; t < T; t++) {
    const charge = schedule.chargeWh[t];
    const discharge = schedule.dischargeWh[t];
    if (charge < 0n || charge > order.maxChargeWh)
      fail(`${order.id} interval ${t}: charge ${charge} Wh outside its limit`);
    if (discharge < 0n || discharge > order.maxDischargeWh)
      fail(`${order.id} interval ${t}: discharge ${discharge} Wh outside its limit`);
    state = sub(add(state, mul(etaC, whole(charge))), div(whole(discharge), etaD));
    if (compare(state, schedule.stateWh[t]) !== 0)
      fail(`${order.id} interval ${t}: published state of charge is not the schedule's`);
    const last = t === T - 1;
    if (compare(state, whole(0n)) < 0 || compare(state, whole(order.capacityWh)) > 0) {
      fail(
        `${order.id} interval ${t}: state of charge ${formatRatio(state)} Wh outside [0, ${order.capacityWh}]`,
      );
    }
    // the model's last state counts the shortfall in: at least the minimum final state
    const floor = last ? order.minFinalWh : 0n;
    const modelState = last ? add(state, whole(schedule.shortfallWh)) : state;
    if (last && compare(modelState, whole(floor)) < 0) {
      fail(
        `${order.id}: ends at ${formatRatio(state)} Wh, ${schedule.shortfallWh} Wh short of ${floor} reported`,
      );
    }
    // the schedule is the store's own best at these prices: reduced costs agree with the bounds
    const sideOf = (
      value: Ratio,
      lower: bigint,
      upper: bigint,
      tolerance = whole(ROUNDING_WH),
    ) => ({
      atLower: compare(value, add(whole(lower), tolerance)) <= 0,
      atUpper: compare(value, sub(whole(upper), tolerance)) >= 0,
    });
    const agree = (what: string, reduced: Ratio, at: { atLower: boolean; atUpper: boolean }) => {
      if (reduced.num > 0n && !at.atUpper)
        fail(`${order.id} interval ${t}: ${what} would earn ${formatRatio(reduced)} more per kWh`);
      if (reduced.num < 0n && !at.atLower)
        fail(`${order.id} interval ${t}: ${what} loses ${formatRatio(reduced)} per kWh`);
    };
    agree(
      'charging',
      sub(mul(etaC, values[t]), prices[t]),
      sideOf(whole(charge), 0n, order.maxChargeWh, chargeTolerance),
    );
    agree(
      'discharging',
      sub(sub(prices[t], div(values[t], etaD)), whole(order.dischargeCostTicks)),
      sideOf(whole(discharge), 0n, order.maxDischargeWh, dischargeTolerance),
    );
    const keeping = last ? sub(whole(0n), values[t]) : sub(values[t + 1], values[t]);
    if (!(last && order.minFinalWh === order.capacityWh)) {
      agree('keeping energy', keeping, sideOf(modelState, floor, order.capacityWh, stateTolerance));
    }
    if (last && order.minFinalWh > 0n) {
      const short = schedule.shortfallWh;
      if (short < 0n || short > order.minFinalWh)
        fail(`${order.id}: shortfall ${short} Wh outside [0, ${order.minFinalWh}]`);
      // short only where a stored kWh is worth the cap's price of the charge it stands for
      agree(
        'falling short',
        sub(values[t], shortfallPrice(order, capTicks)),
        sideOf(whole(short), 0n, order.minFinalWh, stateTolerance),
      );
    } else if (last && schedule.shortfallWh !== 0n) {
      fail(`${order.id}: shortfall ${schedule.shortfallWh} Wh without a minimum final state`);
    }
  }
}

/**
 * Welfare of the published schedule (ticks·Wh) and the dual objective of the welfare model at
 * the published exact prices and storage values; `slack` is what the Wh rounding may account
 * for: two Wh per scheduled quantity at its objective coefficient.
 */
function welfareAndDual(
  auction: Auction,
  result: ClearedAuction,
  exact: readonly (readonly Ratio[])[],
  c: (code: string) => number,
  capTicks: bigint,
): { primal: Ratio; dual: Ratio; slack: Ratio } {
  const q = result.quantities;
  let primal = whole(0n);
  let dual = whole(0n);
  let slack = whole(0n);
  /** A column: objective `cost` per Wh, reduced cost `reduced`, bounds and value (Wh). */
  const column = (
    cost: Ratio,
    reduced: Ratio,
    lower: Ratio,
    upper: Ratio,
    value: Ratio,
    rounding: Ratio = whole(ROUNDING_WH),
  ) => {
    primal = add(primal, mul(cost, value));
    dual = add(dual, mul(reduced, reduced.num > 0n ? upper : lower));
    slack = add(slack, mul(abs(cost), rounding));
  };
  const sign = (side: 'BUY' | 'SELL') => (side === 'BUY' ? 1n : -1n);
  const zero = whole(0n);
  for (const order of auction.orders) {
    switch (order.kind) {
      case 'STEP': {
        const s = sign(order.side);
        const reduced = mul(
          whole(s),
          sub(whole(order.priceTicks), exact[c(order.carrier)][order.interval]),
        );
        column(
          whole(s * order.priceTicks),
          reduced,
          zero,
          whole(order.quantityWh),
          whole(q.steps.get(order.id) ?? 0n),
        );
        break;
      }
      case 'BLOCK': {
        const fraction = q.blocks.get(order.id) ?? zero;
        const volume = order.profileWh.reduce((sum, wh) => sum + wh, 0n);
        const s = sign(order.side);
        const accepted = fraction.num > 0n;
        const bound = accepted ? order.minAcceptance : zero;
        // the fraction is the column; objective s·p·volume; reduced cost its surplus
        // a fraction is rounded to whole Wh in each interval of the profile
        column(
          whole(s * order.priceTicks * volume),
          blockSurplus(order, exact[c(order.carrier)]),
          bound,
          accepted ? whole(1n) : zero,
          fraction,
          ratio(ROUNDING_WH * BigInt(order.profileWh.length), volume),
        );
        break;
      }
      case 'CONVERSION':
        (q.conversions.get(order.id) ?? []).forEach((input, t) => {
          let reduced = whole(-order.costTicks);
          for (const output of order.outputs)
            reduced = add(reduced, mul(output.ratio, exact[c(output.carrier)][t]));
          if (order.input !== null) reduced = sub(reduced, exact[c(order.input)][t]);
          column(whole(-order.costTicks), reduced, zero, whole(maxInputAt(order, t)), whole(input));
        });
        break;
      case 'STORAGE': {
        const schedule = q.storages.get(order.id)!;
        const values = result.prices.storageValues.get(order.id)!;
        const prices = exact[c(order.carrier)];
        const T = auction.terms.intervals;
        // the initial state enters through the first state-of-charge row
        dual = add(dual, mul(values[0], whole(order.initialWh)));
        for (let t = 0; t < T; t++) {
          column(
            zero,
            sub(mul(order.chargeEfficiency, values[t]), prices[t]),
            zero,
            whole(order.maxChargeWh),
            whole(schedule.chargeWh[t]),
          );
          column(
            whole(-order.dischargeCostTicks),
            sub(
              sub(prices[t], div(values[t], order.dischargeEfficiency)),
              whole(order.dischargeCostTicks),
            ),
            zero,
            whole(order.maxDischargeWh),
            whole(schedule.dischargeWh[t]),
          );
          const last = t === T - 1;
          const short = whole(last ? schedule.shortfallWh : 0n);
          column(
            zero,
            last ? sub(zero, values[t]) : sub(values[t + 1], values[t]),
            whole(last ? order.minFinalWh : 0n),
            whole(order.capacityWh),
            add(schedule.stateWh[t], short),
          );
        }
        if (order.minFinalWh > 0n) {
          const price = shortfallPrice(order, capTicks);
          column(
            sub(zero, price),
            sub(values[T - 1], price),
            zero,
            whole(order.minFinalWh),
            whole(schedule.shortfallWh),
          );
        }
        break;
      }
    }
  }
  for (const carrier of auction.terms.carriers) {
    const flows = q.grid.get(carrier.code);
    if (carrier.connection === null || flows === undefined) continue;
    const { importLimitWh, importPriceTicks, exportLimitWh, exportPriceTicks } = carrier.connection;
    flows.importWh.forEach((wh, t) => {
      const price = exact[c(carrier.code)][t];
      column(
        whole(-importPriceTicks),
        sub(price, whole(importPriceTicks)),
        zero,
        whole(importLimitWh),
        whole(wh),
      );
      column(
        whole(exportPriceTicks),
        sub(whole(exportPriceTicks), price),
        zero,
        whole(exportLimitWh),
        whole(flows.exportWh[t]),
      );
    });
  }
  return { primal, dual, slack };
}

function abs(value: Ratio): Ratio {
  return value.num < 0n ? { num: -value.num, den: value.den } : value;
}

function formatRatio(value: Ratio): string {
  return value.den === 1n ? `${value.num}` : `${value.num}/${value.den}`;
}
