import { registerAsset } from './assets';
import type { Client } from 'pg';
import { tamper } from './market-factory';
import type { TestApi } from './test-api';

/** Helpers of the integrated auction's specs: a series of their own, batches, gates. */

// Responses are untyped JSON; specs index into them freely.

export type Json = any;

export const AUCTION_ORDER_FIELDS =
  'id clientOrderId participantId series deliveryStart kind status';
export const SUBMIT_AUCTION = `mutation($orders: [AuctionOrderInput!]!) {
  submitAuctionOrders(orders: $orders) { ${AUCTION_ORDER_FIELDS} } }`;
export const CANCEL_AUCTION = `mutation($id: ID!) { cancelAuctionOrder(id: $id) { ${AUCTION_ORDER_FIELDS} } }`;
export const AUCTION_RESULT = `query($series: String!, $start: DateTime!) {
  auctionResult(series: $series, deliveryStart: $start) {
    series deliveryStart status clearedAt welfare solver inputHash resultHash failureReason
    paradoxicallyRejectedBlocks
    schedules { carrier prices volumes gridImport gridExport }
    awards(first: 500) { edges { node { orderId clientOrderId participantId kind blockOutcome amount
      stateOfCharge flows { carrier quantities } } } pageInfo { hasNextPage } }
  } }`;
export const VERIFY_AUCTION = `query($series: String!, $start: DateTime!) {
  verifyAuction(series: $series, deliveryStart: $start) {
    ok storedInputHash storedResultHash recomputedInputHash recomputedResultHash
    checks { name ok detail } } }`;

let sequence = 0;

/**
 * A series of the spec's own (unique code): electricity with a grid connection (50 kWh each way
 * per interval, import 0.25, export 0.07) and heat without one; 4 intervals of 900 s, the gate
 * at the delivery start, the demo's tick, caps and fees.
 */
export async function createSeries(
  api: TestApi,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  sequence += 1;
  const code = `A${process.pid}_${Date.now().toString(36).toUpperCase()}_${sequence}`.slice(0, 32);
  const result = await api.gql(
    `mutation($input: AuctionSeriesInput!) { upsertAuctionSeries(input: $input) { code } }`,
    {
      input: {
        code,
        name: `test series ${code}`,
        carriers: ['ELECTRICITY', 'HEAT'],
        intervalSeconds: 900,
        intervals: 4,
        gateClosureSeconds: 0,
        priceTick: '0.0001',
        minPrice: '-0.5',
        maxPrice: '4',
        k: '0.5',
        networkFees: [
          { carrier: 'ELECTRICITY', fee: '0.015' },
          { carrier: 'HEAT', fee: '0.005' },
        ],
        grid: [
          {
            carrier: 'ELECTRICITY',
            importLimit: '50',
            importPrice: '0.25',
            exportLimit: '50',
            exportPrice: '0.07',
          },
        ],
        ...overrides,
      },
    },
    api.operatorKey,
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return code;
}

/** A start of a 1-hour auction `hours` from the next full hour (within the opening horizon). */
export function auctionStart(hours = 24): Date {
  const hour = 3_600_000;
  return new Date((Math.floor(Date.now() / hour) + 1 + hours) * hour);
}

/** Opens an auction as the administrator (any start: the API opens only within 31 days). */
export async function openAuction(db: Client, series: string, start: Date): Promise<void> {
  await db.query(
    `INSERT INTO auction (series_code, delivery_start, gate_closure_at, interval_seconds, intervals,
                          price_tick, min_price, max_price, k, carriers)
     VALUES ($1, $2, $2, 0, 0, 0, 0, 0, 0, '[]')`,
    [series, start],
  );
}

/** Lets the auction's gate close now: it becomes due for the matcher. */
export async function closeAuctionGate(db: Client, series: string, start: Date): Promise<void> {
  await tamper(
    db,
    `UPDATE auction SET gate_closure_at = now() - interval '1 millisecond'
     WHERE series_code = $1 AND delivery_start = $2`,
    [series, start],
  );
}

const base = (series: string, start: Date, clientOrderId: string) => ({
  clientOrderId,
  series,
  deliveryStart: start.toISOString(),
});

/**
 * Every order kind, from three participants: a factory (steps, a block with a child, an
 * exclusive pair), a PV owner with a battery, and the heat utility (heat pump, CHP on gas, a
 * boiler, heat loads).
 */
export function everyKind(
  series: string,
  start: Date,
): { factory: Json[]; pv: Json[]; heat: Json[] } {
  const o = (id: string) => base(series, start, id);
  const factory = [
    ...[0, 1, 2, 3].map((t) => ({
      ...o(`load-${t}`),
      step: { carrier: 'ELECTRICITY', interval: t, side: 'BUY', price: '0.3', quantity: '40' },
    })),
    {
      ...o('batch-run'),
      block: {
        carrier: 'ELECTRICITY',
        side: 'BUY',
        price: '0.28',
        firstInterval: 1,
        quantities: ['20', '20'],
      },
    },
    {
      ...o('batch-rinse'),
      block: {
        carrier: 'ELECTRICITY',
        side: 'BUY',
        price: '0.27',
        firstInterval: 3,
        quantities: ['10'],
        parentClientOrderId: 'batch-run',
      },
    },
    {
      ...o('dryer-early'),
      block: {
        carrier: 'HEAT',
        side: 'BUY',
        price: '0.09',
        firstInterval: 0,
        quantities: ['10'],
        exclusiveGroup: 'dryer',
      },
    },
    {
      ...o('dryer-late'),
      block: {
        carrier: 'HEAT',
        side: 'BUY',
        price: '0.09',
        firstInterval: 2,
        quantities: ['10'],
        exclusiveGroup: 'dryer',
      },
    },
  ];
  const pv = [
    ...[0, 1, 2, 3].map((t) => ({
      ...o(`pv-${t}`),
      step: {
        carrier: 'ELECTRICITY',
        interval: t,
        side: 'SELL',
        price: '0.05',
        quantity: t < 2 ? '90' : '10',
      },
    })),
    {
      ...o('battery'),
      storage: {
        carrier: 'ELECTRICITY',
        capacity: '50',
        initial: '0',
        finalMin: '0',
        maxCharge: '25',
        maxDischarge: '25',
        chargeEfficiency: '0.9',
        dischargeEfficiency: '0.9',
        dischargeCost: '0.001',
      },
    },
  ];
  const heat = [
    {
      ...o('heat-pump'),
      conversion: {
        input: 'ELECTRICITY',
        outputs: [{ carrier: 'HEAT', ratio: '3.2' }],
        maxInput: ['10'],
        cost: '0',
      },
    },
    {
      ...o('chp'),
      conversion: {
        input: null,
        outputs: [
          { carrier: 'ELECTRICITY', ratio: '0.35' },
          { carrier: 'HEAT', ratio: '0.5' },
        ],
        maxInput: ['30', '30', '0', '30'],
        cost: '0.09',
      },
    },
    ...[0, 1, 2, 3].map((t) => ({
      ...o(`heat-load-${t}`),
      step: { carrier: 'HEAT', interval: t, side: 'BUY', price: '0.095', quantity: '30' },
    })),
    {
      ...o('boiler-0'),
      step: { carrier: 'HEAT', interval: 0, side: 'SELL', price: '0.02', quantity: '5' },
    },
  ];
  return { factory, pv, heat };
}

/** Submits a batch; throws on errors. */
export async function submitAuction(api: TestApi, key: string, orders: Json[]): Promise<Json[]> {
  const result = await api.gql(SUBMIT_AUCTION, { orders: await withAssets(api, key, orders) }, key);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.submitAuctionOrders;
}

/** Counts of what is stored for one auction. */
export async function auctionCounts(db: Client, series: string, start: Date) {
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM auction_result WHERE series_code = $1 AND delivery_start = $2)::int AS results,
            (SELECT count(*) FROM auction_award WHERE series_code = $1 AND delivery_start = $2)::int AS awards,
            (SELECT count(*) FROM auction_price WHERE series_code = $1 AND delivery_start = $2)::int AS prices,
            (SELECT count(*) FROM auction_order_result WHERE series_code = $1 AND delivery_start = $2)::int AS orders,
            (SELECT count(*) FROM journal WHERE auction_series = $1 AND delivery_start = $2)::int AS journals,
            (SELECT state FROM auction WHERE series_code = $1 AND delivery_start = $2) AS state`,
    [series, start],
  );
  return rows[0] as {
    results: number;
    awards: number;
    prices: number;
    orders: number;
    journals: number;
    state: string;
  };
}

const ME = `query { me { id } }`;

/**
 * The batch with an asset behind every storage and conversion order that names none (the API
 * requires one): registered for the key's participant, of the matching kind, rated far above
 * what the tests' short intervals need.
 */
export async function withAssets(api: TestApi, key: string, orders: Json[]): Promise<Json[]> {
  const devices = orders.filter((o) => (o.storage || o.conversion) && !o.assetId);
  if (!devices.length) return orders;
  const me = await api.gql(ME, {}, key);
  if (me.errors) throw new Error(JSON.stringify(me.errors));
  const participantId: string = me.data.me.id;
  const kindOf = (o: Json) =>
    o.storage
      ? o.storage.carrier === 'HEAT'
        ? 'HEAT_TANK'
        : 'BATTERY'
      : o.conversion.input === null || o.conversion.input === undefined
        ? 'CHP'
        : 'HEAT_PUMP';
  const assets = new Map<string, string>();
  for (const kind of new Set(devices.map(kindOf))) {
    const asset = await registerAsset(api, participantId, {
      kind,
      energyCapacity: '1000000',
      chargePower: '1000000',
      dischargePower: '1000000',
    });
    assets.set(kind, asset.id);
  }
  return orders.map((o) => (devices.includes(o) ? { ...o, assetId: assets.get(kindOf(o)) } : o));
}
