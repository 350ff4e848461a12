import { readScaled, ticksToPrice, whToKwh } from '../market/decimal';
import { PRICE_DECIMALS } from '../market/tariffs';
import { baselineDispatch, parkBalance, type ParkBalance } from '../day-ahead/balance';
import { afterDayAhead } from '../day-ahead/intraday';
import type { DayAheadPlan } from '../day-ahead/plan';
import { intervalContext, localTime, PARK, type RunWindow } from '../park';
import type { ProductKey, Tenant } from '../tenants/types';
import { BatterySafety, type SafetyTally } from './battery-safety';
import {
  assetKey,
  awaitDayAhead,
  awardKey,
  submitDayAhead,
  upsertDemoSeries,
  type DayAheadOutcome,
} from './day-ahead';
import { ApiError, GraphqlClient } from './graphql-client';
import {
  DEMO_PRODUCTS,
  demoProducts,
  gateClosureFor,
  orderInput,
  PRODUCT_KEYS,
  type OrderInput,
} from './products';
import type { ProgressBar } from './progress';
import {
  summarize,
  type ClearedInterval,
  type Need,
  type Statement,
  type Summary,
} from './summary';
import { DEMO_CARRIERS, readCarbon, type CarbonSummary } from './carbon';
import {
  deviationPermille,
  imbalanceTerms,
  lateReadingOf,
  METERED_PRODUCTS,
  meteredFlow,
  METERING_WINDOW_INTERVALS,
  readingInput,
  REGISTER_METER,
  runMeter,
  SET_IMBALANCE_TERMS,
  type MeteredProduct,
  type MeterTally,
} from './meter';
import {
  readImbalances,
  settlementComplete,
  summarizeImbalance,
  type ImbalanceSummary,
  type SettlementRevision,
} from './imbalance';
import { DEMO_AUCTION_SERIES } from '../day-ahead/orders';
import { formatLocalDate } from '../profiles/calendar';
import { sleep } from './sleep';

export interface SimulationConfig {
  apiUrl: string;
  operatorKey: string;
  window: RunWindow;
  /** Real seconds per simulated quarter-hour (the demo products' interval). */
  intervalSeconds: number;
  /** Short id that makes this run's participant names and clientOrderIds unique. */
  runId: string;
  signal: AbortSignal;
  progress: ProgressBar;
  /** Quarter-hour of the run at which the battery's internal fault begins (`--fault`). */
  batteryFaultIndex: number | null;
  /** The park's day-ahead plan: the integrated auction runs before the intraday trading. */
  plan: DayAheadPlan;
  /** `--no-auction`: per-interval trading only (today's behaviour). */
  auction: boolean;
}

/** The park at its grid connection with and without the integrated auction (same profiles). */
export interface ParkComparison {
  without: ParkBalance;
  /** Null with `--no-auction` or when the auction did not clear. */
  with: ParkBalance | null;
  dayAhead: DayAheadOutcome | null;
  /** Day-ahead orders submitted. */
  dayAheadOrders: number;
  importLimitWh: number;
}

export interface SimulationResult {
  summary: Summary;
  deliveryFrom: Date;
  deliveryTo: Date;
  /** Intervals whose orders could not be placed before their gate closed. */
  missed: number;
  failures: string[];
  interrupted: boolean;
  /** The battery's safety levels and their effect on its orders. */
  safety: SafetyTally | null;
  park: ParkComparison;
  /** The run's tenants' carbon reports (null when interrupted). */
  carbon: CarbonSummary | null;
  /** The run's imbalance settlement per tenant (null when interrupted). */
  imbalance: ImbalanceSummary | null;
}

interface Registered {
  tenant: Tenant;
  id: string;
  client: GraphqlClient;
}

/** Orders of interval i go in this many intervals before it (its gate is open until then). */
const LEAD_INTERVALS = 2;
const POLL_MS = 500;
/** How long after the last gate closure the run waits for the matcher's results. */
const RESULT_GRACE_MS = 30_000;
const MAX_FAILURES_SHOWN = 5;
/** Time the matcher has for the day-ahead clearing before the first intraday orders go in. */
const AUCTION_CLEARING_S = 15;
/** Time the tenants have for their day-ahead orders before the auction's gate. */
const AUCTION_ORDERS_S = 8;
/** How long after the last metering window closed the run waits for the imbalance settlement. */
const SETTLEMENT_GRACE_MS = 30_000;
const SETTLEMENT_POLL_MS = 1000;

/**
 * Runs the park on a live ParkEx: configures the demo products, registers every tenant as its
 * own participant (own API key), places each tenant's orders for every simulated quarter-hour
 * before its gate closes, follows the matcher's results, and finally reads the ledger
 * statements to compare with buying from and selling to the grid.
 */
export async function runSimulation(
  config: SimulationConfig,
  park: readonly Tenant[],
): Promise<SimulationResult> {
  const { window, signal, progress } = config;
  const operator = new GraphqlClient(config.apiUrl, config.operatorKey);
  const me = await operator.request<{ me: { role: string; name: string } }>('{ me { role name } }');
  if (me.me.role !== 'OPERATOR') {
    throw new Error(
      `the key belongs to ${me.me.name} (${me.me.role}); the demo needs the operator key`,
    );
  }
  for (const input of demoProducts(config.intervalSeconds)) {
    await operator.request(
      'mutation($input: ProductInput!) { upsertProduct(input: $input) { code } }',
      { input },
    );
  }
  // Carbon accounting: the demo's products deliver electricity and heat like the standard ones.
  for (const [product, carrier] of DEMO_CARRIERS) {
    await operator.request(
      'mutation($p: String!, $c: Carrier) { setProductCarrier(productCode: $p, carrier: $c) { carrier } }',
      { p: product, c: carrier },
    );
  }
  const importLimitWh = (PARK.gridImportKW * 1000) / 4;
  const auctionGateS = LEAD_INTERVALS * config.intervalSeconds + AUCTION_CLEARING_S;
  if (config.auction) {
    // Before the imbalance terms, which name it.
    await upsertDemoSeries(operator, {
      intervalSeconds: config.intervalSeconds,
      intervals: window.count,
      gateClosureSeconds: auctionGateS,
      importLimitWh,
    });
  }
  // Imbalance settlement of the metered products, before any order: every product-interval the
  // run trades in gets its settlement row. Windows in demo intervals (see meter.ts).
  for (const input of imbalanceTerms(
    config.intervalSeconds,
    config.auction ? DEMO_AUCTION_SERIES : null,
  )) {
    await operator.request(SET_IMBALANCE_TERMS, { input });
  }
  // The utility's metering system: its own METER key, which may submit readings only.
  const meterKey = await operator.request<{ createParticipant: { apiKey: string } }>(
    REGISTER_METER,
    { input: { name: `Utility meters · demo ${config.runId}`, role: 'METER' } },
  );
  const meterClient = new GraphqlClient(config.apiUrl, meterKey.createParticipant.apiKey);
  const registered: Registered[] = [];
  for (const tenant of park) {
    const created = await operator.request<{
      createParticipant: { participant: { id: string }; apiKey: string };
    }>(
      'mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { participant { id } apiKey } }',
      { input: { name: `${tenant.name} · demo ${config.runId}`, role: 'PARTICIPANT' } },
    );
    registered.push({
      tenant,
      id: created.createParticipant.participant.id,
      client: new GraphqlClient(config.apiUrl, created.createParticipant.apiKey),
    });
  }
  progress.log(
    `registered ${registered.length} tenants as participants and the utility's meters (names end in "· demo ${config.runId}")`,
  );
  const batteryTenant = registered.find((r) => r.tenant.kind === 'battery');
  const safety = batteryTenant
    ? await BatterySafety.register({
        operator,
        owner: batteryTenant.client,
        participantId: batteryTenant.id,
        name: `${batteryTenant.tenant.name} · demo ${config.runId}`,
        capacityWh: PARK.batteryKWh * 1000,
        intervalSeconds: config.intervalSeconds,
        faultIndex: config.batteryFaultIndex,
      })
    : null;

  const failures: string[] = [];
  const intervalMs = config.intervalSeconds * 1000;
  const gateMs = gateClosureFor(config.intervalSeconds) * 1000;
  // The day-ahead auction covers the run's quarter-hours: it starts at a multiple of its length
  // (count × interval) and its gate closes early enough for the clearing to be read before the
  // first intraday orders.
  const auctionMs = window.count * intervalMs;
  const t0 = config.auction
    ? Math.ceil((Date.now() + (auctionGateS + AUCTION_ORDERS_S) * 1000) / auctionMs) * auctionMs
    : Math.ceil((Date.now() + LEAD_INTERVALS * intervalMs + 1000) / intervalMs) * intervalMs;
  let dayAhead: DayAheadOutcome | null = null;
  let dayAheadOrders = 0;
  if (config.auction) {
    const start = new Date(t0);
    progress.log(
      `day-ahead: the tenants submit their orders for the auction of ${window.count} quarter-hours; ` +
        `its gate closes in ${Math.round((t0 - auctionGateS * 1000 - Date.now()) / 1000)} s`,
    );
    const submitted = await submitDayAhead(
      config.plan,
      registered.map((r) => ({ key: r.tenant.key, id: r.id, client: r.client })),
      start,
      config.runId,
      {
        operator,
        intervalSeconds: config.intervalSeconds,
        battery:
          safety && batteryTenant
            ? { tenantKey: batteryTenant.tenant.key, assetId: safety.assetId }
            : null,
      },
    );
    dayAheadOrders = submitted.orders;
    failures.push(...submitted.failures);
    dayAhead = await awaitDayAhead(
      operator,
      config.plan,
      registered.map((r) => ({ key: r.tenant.key, id: r.id, client: r.client })),
      start,
      t0 - LEAD_INTERVALS * intervalMs - 500,
      signal,
    );
    progress.log(
      `day-ahead: ${submitted.orders} orders, auction ${dayAhead.status}` +
        (dayAhead.welfare === null ? '' : `, welfare ${dayAhead.welfare} EUR`) +
        (dayAhead.blocks.length
          ? `; blocks: ${dayAhead.blocks.map((b) => `${b.tenant} ${b.outcome}`).join(', ')}`
          : ''),
    );
    if (dayAhead.status !== 'CLEARED') {
      failures.push(`the day-ahead auction did not clear in time (status ${dayAhead.status})`);
    }
  }
  const cleared = dayAhead?.status === 'CLEARED' ? dayAhead : null;
  const deliveryFrom = new Date(t0);
  const deliveryTo = new Date(t0 + window.count * intervalMs);
  const indexOf = (deliveryStart: string) =>
    Math.round((Date.parse(deliveryStart) - t0) / intervalMs);

  // The meters: each tenant's physical energy per interval, read after the interval ends. The
  // profile is what the tenant's orders are made of (after a cleared auction the CHP runs on its
  // day-ahead schedule instead), off by a deterministic ±10 % (deviationPermille); its assets'
  // day-ahead schedule (battery, heat pump, CHP, heat tank) is metered as scheduled.
  const seed = `${formatLocalDate(window.date)}+${window.startQuarter}`;
  const profileOf = (tenant: Tenant, i: number) =>
    cleared && tenant.kind === 'chp' ? [] : tenant.orders(intervalContext(window, i));
  const flowOf = (tenant: Tenant, product: MeteredProduct, i: number) =>
    meteredFlow({
      profile: profileOf(tenant, i),
      product,
      permille: deviationPermille(seed, tenant.key, product, i),
      assetWh: cleared?.assetWh.get(assetKey(tenant.key, product, i)) ?? 0,
    });
  // A tenant has a meter of a product when anything of it flows there during the run.
  const meters = registered.flatMap((r) =>
    METERED_PRODUCTS.filter((product) =>
      Array.from({ length: window.count }, (_, i) => flowOf(r.tenant, product, i)).some(
        (flow) => flow.importWh !== 0 || flow.exportWh !== 0,
      ),
    ).map((product) => ({ registered: r, product })),
  );
  const late = lateReadingOf(
    [
      ...new Set(
        meters.filter((m) => m.product === 'electricity').map((m) => m.registered.tenant.key),
      ),
    ],
    window.count,
  );
  const meter = runMeter({
    client: meterClient,
    t0,
    intervalMs,
    count: window.count,
    signal,
    runId: config.runId,
    late,
    onLog: (message) => progress.log(message),
    readingsOf: (i) =>
      meters.map(({ registered: r, product }) =>
        readingInput({
          runId: config.runId,
          tenant: r.tenant.key,
          participantId: r.id,
          product,
          index: i,
          deliveryStart: new Date(t0 + i * intervalMs),
          flow: flowOf(r.tenant, product, i),
        }),
      ),
  });
  let meterFailure: unknown = undefined;
  const metered: Promise<MeterTally | null> = meter.catch((error: unknown) => {
    meterFailure = error;
    return null;
  });

  const needs: Need[] = [];
  const expected = new Map<ProductKey, Set<number>>(PRODUCT_KEYS.map((p) => [p, new Set()]));
  const results = new Map<ProductKey, Map<number, ClearedInterval>>(
    PRODUCT_KEYS.map((p) => [p, new Map()]),
  );
  let missed = 0;

  const describeProgress = () => {
    const electricity = results.get('electricity')!;
    const newest = Math.max(-1, ...electricity.keys());
    const parts: string[] = [];
    if (newest >= 0) {
      const { hour, minute } = localTime(window, newest);
      parts.push(`${pad(hour)}:${pad(minute)}`);
    } else {
      parts.push('waiting for the first clearing');
    }
    for (const product of PRODUCT_KEYS) {
      const byIndex = results.get(product)!;
      const last = byIndex.get(Math.max(-1, ...byIndex.keys()));
      if (!last) continue;
      parts.push(
        last.priceTicks === null
          ? `${product} no trade`
          : `${product} ${ticksToPrice(last.priceTicks, PRICE_DECIMALS)} EUR/kWh ${whToKwh(Number(last.volumeWh))} kWh`,
      );
    }
    return parts.join('  ');
  };
  const report = () => progress.update(results.get('electricity')!.size, describeProgress());
  report();

  // Results follower: reads new clearing results of the run's window, newest first.
  let following = true;
  let followFailure: unknown = undefined;
  const follow = (async () => {
    while (following) {
      for (const product of PRODUCT_KEYS) {
        try {
          const byIndex = results.get(product)!;
          const newest = Math.max(-1, ...byIndex.keys());
          const from = new Date(t0 + Math.max(0, newest - 3) * intervalMs);
          await readResults(operator, DEMO_PRODUCTS[product], from, deliveryTo, (node) => {
            const index = indexOf(node.deliveryStart);
            if (index < 0 || index >= window.count) return;
            byIndex.set(index, {
              product,
              index,
              priceTicks:
                node.price === null ? null : Number(readScaled(node.price, PRICE_DECIMALS)),
              volumeWh: readScaled(node.volume, 3),
            });
          });
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          // The API may be restarting; try again on the next round.
        }
      }
      report();
      await sleep(POLL_MS, signal);
      if (signal.aborted) break;
    }
  })().catch((error: unknown) => {
    followFailure = error;
  });

  // Order placement: interval i's orders go in LEAD_INTERVALS before its delivery start.
  const submissions: Promise<void>[] = [];
  for (let i = 0; i < window.count && !signal.aborted; i++) {
    const deliveryStart = t0 + i * intervalMs;
    await sleepUntil(deliveryStart - LEAD_INTERVALS * intervalMs, signal);
    if (signal.aborted) break;
    if (Date.now() > deliveryStart - gateMs - 200) {
      missed += 1;
      continue;
    }
    const context = intervalContext(window, i);
    if (safety) {
      // The battery management's sample of this quarter-hour, before the battery offers.
      const { hour, minute } = localTime(window, i);
      try {
        for (const line of await safety.sample(i, hour, `${pad(hour)}:${pad(minute)}`)) {
          progress.log(line);
        }
      } catch (error) {
        failures.push(`battery telemetry, interval ${i}: ${String(error)}`);
      }
    }
    for (const { tenant, client } of registered) {
      const isBattery = safety !== null && tenant === batteryTenant?.tenant;
      // After a cleared day-ahead auction the CHP runs on its day-ahead schedule; the others
      // correct their day-ahead positions (the battery still rents capacity out, as today).
      if (cleared && tenant.kind === 'chp') continue;
      const own = cleared
        ? afterDayAhead(
            tenant.orders(context),
            (product, side) => cleared.awardedWh.get(awardKey(tenant.key, product, side, i)) ?? 0,
            (product) =>
              (product === 'heat' ? context.prices.heat : context.prices.electricity).askFloor,
            (product) =>
              (product === 'heat' ? context.prices.heat : context.prices.electricity).bidCap,
          )
        : tenant.orders(context);
      const intents = isBattery ? safety.limit(own) : own;
      if (!intents.length) continue;
      const orders: OrderInput[] = intents.map((intent) => ({
        ...orderInput(
          intent,
          new Date(deliveryStart),
          `${config.runId}-${tenant.key}-${i}-${intent.product[0]}${intent.block}`,
        ),
        ...(isBattery ? { assetId: safety.assetId } : {}),
      }));
      submissions.push(
        (async () => {
          const record = (placed: boolean) => {
            for (const intent of intents) {
              needs.push({
                tenant: tenant.key,
                product: intent.product,
                side: intent.side,
                index: i,
                quantityWh: intent.quantityWh,
              });
              if (placed) expected.get(intent.product)!.add(i);
            }
          };
          try {
            await submit(client, orders);
            record(true);
          } catch (error) {
            // Refused or unreachable: the tenant buys and sells all of this interval on the grid.
            record(false);
            const message = `${tenant.name}, interval ${i}: ${error instanceof Error ? error.message : String(error)}`;
            if (failures.length < MAX_FAILURES_SHOWN) {
              progress.log(`order placement failed: ${message}`);
            }
            failures.push(message);
          }
        })(),
      );
    }
  }
  await Promise.all(submissions);

  // Wait for the matcher's last results.
  const deadline = deliveryTo.getTime() - gateMs + RESULT_GRACE_MS;
  const complete = () =>
    PRODUCT_KEYS.every((product) =>
      [...expected.get(product)!].every((i) => results.get(product)!.has(i)),
    );
  while (!signal.aborted && !complete() && Date.now() < deadline) await sleep(POLL_MS, signal);
  following = false;
  await follow;
  if (followFailure !== undefined) {
    throw followFailure instanceof Error
      ? followFailure
      : new Error(`following the results failed: ${JSON.stringify(followFailure)}`);
  }
  const interrupted = signal.aborted;
  if (!interrupted && !complete()) {
    const pending = PRODUCT_KEYS.map(
      (p) => [...expected.get(p)!].filter((i) => !results.get(p)!.has(i)).length,
    ).reduce((a, b) => a + b, 0);
    failures.push(
      `${pending} product-interval(s) got no clearing result within ${RESULT_GRACE_MS / 1000} s of the last gate closure: is a matcher running?`,
    );
  }
  report();
  progress.finish();

  const statements = interrupted
    ? []
    : await readStatements(operator, registered, deliveryFrom, deliveryTo, indexOf);
  const summary = summarize({
    tenants: park.map((t) => ({ key: t.key, name: t.name })),
    needs,
    statements,
    clearings: PRODUCT_KEYS.flatMap((p) => [...results.get(p)!.values()]),
    products: PRODUCT_KEYS,
  });
  // The meters' last readings, then the matcher's settlement of the last metering window (the
  // carbon reports rest on the readings too).
  const tally = await metered;
  if (meterFailure !== undefined)
    failures.push(
      `the meters stopped: ${meterFailure instanceof Error ? meterFailure.message : JSON.stringify(meterFailure)}`,
    );
  if (tally?.failures.length) {
    failures.push(
      `${tally.failures.length} meter batch(es) refused; the first: ${tally.failures[0]}`,
    );
  }
  const imbalance =
    signal.aborted || !tally
      ? null
      : await awaitImbalances({
          operator,
          tenants: registered.map((r) => ({ id: r.id, name: r.tenant.name })),
          tally,
          from: deliveryFrom,
          to: deliveryTo,
          // the last metering window (or the late reading, if it went in after it) + grace
          closes: Math.max(
            Date.now(),
            deliveryTo.getTime() + METERING_WINDOW_INTERVALS * intervalMs,
          ),
          signal,
          log: (message) => progress.log(message),
        });
  const carbon = interrupted
    ? null
    : await readCarbon(
        operator,
        registered.map((r) => ({ id: r.id, name: r.tenant.name })),
        deliveryFrom,
        deliveryTo,
      );
  if (imbalance?.timedOut) failures.push(imbalance.timedOut);
  return {
    summary,
    carbon,
    imbalance,
    deliveryFrom,
    deliveryTo,
    missed,
    failures,
    interrupted,
    safety: safety?.tally ?? null,
    park: {
      without: parkBalance(config.plan, baselineDispatch(config.plan)),
      with: cleared?.dispatch ? parkBalance(config.plan, cleared.dispatch) : null,
      dayAhead,
      dayAheadOrders,
      importLimitWh,
    },
  };
}

/**
 * Polls `imbalances` until the matcher has settled every product-interval the meters reported
 * (and the late reading's revision), or `deadline`; then summarizes what is settled.
 */
async function awaitImbalances(options: {
  operator: GraphqlClient;
  tenants: readonly { id: string; name: string }[];
  tally: MeterTally;
  from: Date;
  to: Date;
  /** When the last metering window closes (epoch ms); the wait ends SETTLEMENT_GRACE_MS later. */
  closes: number;
  signal: AbortSignal;
  log: (message: string) => void;
}): Promise<ImbalanceSummary | null> {
  const { operator, tally, signal } = options;
  const codes = METERED_PRODUCTS.map((p) => DEMO_PRODUCTS[p]);
  let settlements: SettlementRevision[] = [];
  let lastError: string | null;
  let told = false;
  const deadline = options.closes + SETTLEMENT_GRACE_MS;
  for (;;) {
    try {
      settlements = await readImbalances(operator, codes, options.from, options.to);
      lastError = null;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      lastError = error.message;
    }
    if (settlementComplete(tally.intervals, settlements, tally.late)) break;
    if (signal.aborted) return null;
    if (Date.now() >= deadline) {
      const timedOut =
        `the imbalance settlement was not complete ${Math.round(SETTLEMENT_GRACE_MS / 1000)} s after the last ` +
        `metering window closed: is a matcher with imbalance settlement running?` +
        (lastError ? ` (imbalances: ${lastError})` : '');
      return summarizeImbalance({
        tenants: options.tenants,
        settlements,
        expected: tally.intervals,
        late: tally.late,
        readings: tally.posted,
        timedOut,
      });
    }
    if (!told) {
      options.log(
        `waiting for the imbalance settlement (the last metering window closes ${new Date(options.closes).toISOString()}; at most ${Math.round((deadline - Date.now()) / 1000)} s)…`,
      );
      told = true;
    }
    await sleep(SETTLEMENT_POLL_MS, signal);
  }
  return summarizeImbalance({
    tenants: options.tenants,
    settlements,
    expected: tally.intervals,
    late: tally.late,
    readings: tally.posted,
  });
}

interface ResultNode {
  deliveryStart: string;
  price: string | null;
  volume: string;
}

async function readResults(
  client: GraphqlClient,
  productCode: string,
  from: Date,
  to: Date,
  each: (node: ResultNode) => void,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const page: {
      clearingResults: {
        edges: { node: ResultNode }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } = await client.request(
      `query($p: String!, $from: DateTime, $to: DateTime, $after: String) {
        clearingResults(productCode: $p, from: $from, to: $to, first: 500, after: $after) {
          edges { node { deliveryStart price volume } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
      { p: productCode, from: from.toISOString(), to: to.toISOString(), after },
    );
    for (const edge of page.clearingResults.edges) each(edge.node);
    if (!page.clearingResults.pageInfo.hasNextPage) return;
    after = page.clearingResults.pageInfo.endCursor;
  }
}

interface SettlementNode {
  participantId: string;
  productCode: string;
  deliveryStart: string;
  netEnergy: string;
  networkFees: string;
  netAmount: string;
}

/** The ledger statements of the run's tenants for the demo products in the run's window. */
async function readStatements(
  operator: GraphqlClient,
  registered: readonly Registered[],
  from: Date,
  to: Date,
  indexOf: (deliveryStart: string) => number,
): Promise<Statement[]> {
  const tenantOf = new Map(registered.map((r) => [r.id, r.tenant.key]));
  const productOf = new Map(PRODUCT_KEYS.map((p) => [DEMO_PRODUCTS[p], p]));
  const statements: Statement[] = [];
  let after: string | null = null;
  for (;;) {
    const page: {
      settlements: {
        edges: { node: SettlementNode }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } = await operator.request(
      `query($from: DateTime, $to: DateTime, $after: String) {
        settlements(from: $from, to: $to, first: 500, after: $after) {
          edges { node { participantId productCode deliveryStart netEnergy networkFees netAmount } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
      { from: from.toISOString(), to: to.toISOString(), after },
    );
    for (const { node } of page.settlements.edges) {
      const tenant = tenantOf.get(node.participantId);
      const product = productOf.get(node.productCode);
      if (!tenant || !product) continue;
      statements.push({
        tenant,
        product,
        index: indexOf(node.deliveryStart),
        netEnergyWh: readScaled(node.netEnergy, 3),
        netAmountCents: readScaled(node.netAmount, 2),
        feesCents: readScaled(node.networkFees, 2),
      });
    }
    if (!page.settlements.pageInfo.hasNextPage) return statements;
    after = page.settlements.pageInfo.endCursor;
  }
}

/** One batch per tenant and interval; a network error is retried once (clientOrderIds make it safe). */
async function submit(client: GraphqlClient, orders: OrderInput[]): Promise<void> {
  const mutation = 'mutation($orders: [OrderInput!]!) { submitOrders(orders: $orders) { id } }';
  try {
    await client.request(mutation, { orders });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'NETWORK') throw error;
    await client.request(mutation, { orders });
  }
}

function sleepUntil(epochMs: number, signal: AbortSignal): Promise<void> {
  return sleep(epochMs - Date.now(), signal);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
