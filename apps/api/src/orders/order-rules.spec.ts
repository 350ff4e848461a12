import type { MarketOrderRow } from '@parkex/db';
import {
  bookLimitError,
  checkBatch,
  checkClosedRetries,
  checkInsert,
  checkTerms,
  decimalKey,
  intervalKey,
  type CheckedOrder,
  type OrderRequest,
} from './order-rules';
import { ELECTRICITY } from '@parkex/api/products/spec-support';
import { MAX_ORDERS_PER_CALL } from '../graphql/list-bounds';

const PRODUCT = ELECTRICITY;
const PRODUCTS = new Map([[PRODUCT.code, PRODUCT]]);
const NOW = Date.UTC(2026, 10, 27, 10, 0, 0);
const START = new Date(Date.UTC(2026, 10, 27, 11, 0, 0)); // gate at 10:55

function request(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientOrderId: 'a',
    productCode: 'ELECTRICITY',
    deliveryStart: START,
    side: 'BUY',
    price: '0.25',
    quantity: '1.5',
    ...overrides,
  };
}

function checked(requests: OrderRequest[], now = NOW, gates = new Map<string, number>()) {
  const batch = checkBatch(requests);
  return checkTerms(requests, batch.quantitiesWh, PRODUCTS, now, gates);
}

function stored(order: Partial<MarketOrderRow>): MarketOrderRow {
  return {
    id: '7',
    participantId: 'p',
    assetId: null,
    clientOrderId: 'a',
    productCode: 'ELECTRICITY',
    deliveryStart: START,
    side: 'BUY',
    price: '0.2500',
    quantityWh: '1500',
    filledWh: '0',
    status: 'OPEN',
    createdAt: new Date(NOW),
    ...order,
  };
}

describe('order rules', () => {
  it('converts exact units: kWh to Wh, prices to canonical text and comparable keys', () => {
    const { problems, orders, closed } = checked([request({ price: '0.2500', quantity: '0.001' })]);
    expect(problems).toEqual([]);
    expect(closed).toEqual([]);
    expect(orders[0]).toMatchObject({
      price: '0.25',
      quantityWh: 1n,
      priceKey: decimalKey('0.25'),
    });
    expect(decimalKey('0.25')).toBe(decimalKey('0.250000'));
    expect(decimalKey('-0.5') < decimalKey('0')).toBe(true);
  });

  it('checks the batch: size, clientOrderIds, duplicates, quantities', () => {
    expect(checkBatch([]).problems[0]).toMatchObject({ field: 'orders', reason: 'BATCH_SIZE' });
    const many = Array.from({ length: MAX_ORDERS_PER_CALL + 1 }, (_, i) =>
      request({ clientOrderId: `c${i}` }),
    );
    expect(checkBatch(many).problems[0].reason).toBe('BATCH_SIZE');
    const { problems } = checkBatch([
      request({ clientOrderId: 'x' }),
      request({ clientOrderId: 'x', quantity: '0.0001' }),
      request({ clientOrderId: '' }),
    ]);
    expect(problems.map((p) => [p.field, p.reason])).toEqual([
      ['orders[1].clientOrderId', 'DUPLICATE_CLIENT_ORDER_ID'],
      ['orders[1].quantity', 'TOO_MANY_DECIMALS'],
      ['orders[2].clientOrderId', 'INVALID_CLIENT_ORDER_ID'],
    ]);
    expect(problems[0].message).toBe(
      'order 1 (clientOrderId "x"): clientOrderId is also used by order 0 of this batch',
    );
  });

  it.each<[string, Partial<OrderRequest>, string, string]>([
    ['unknown product', { productCode: 'GAS' }, 'productCode', 'UNKNOWN_PRODUCT'],
    [
      'off the grid',
      { deliveryStart: new Date(START.getTime() + 1000) },
      'deliveryStart',
      'NOT_AN_INTERVAL_START',
    ],
    [
      'beyond the horizon',
      { deliveryStart: new Date(NOW + 172_800_000 + 900_000) },
      'deliveryStart',
      'BEYOND_HORIZON',
    ],
    ['off tick', { price: '0.00005' }, 'price', 'OFF_TICK'],
    ['above the cap', { price: '4.0001' }, 'price', 'PRICE_OUT_OF_RANGE'],
  ])('refuses %s', (_what, change, field, reason) => {
    const { problems, orders } = checked([request(change)]);
    expect(orders).toEqual([]);
    expect(problems).toMatchObject([
      { field: `orders[0].${field}`, reason, code: 'BAD_USER_INPUT' },
    ]);
  });

  it('accepts the latest start within the horizon and marks orders past their gate', () => {
    const latest = new Date(NOW + 172_800_000);
    expect(checked([request({ deliveryStart: latest })]).problems).toEqual([]);
    const atGate = START.getTime() - 300_000;
    expect(checked([request()], atGate - 1).closed).toEqual([]);
    const { closed } = checked([request()], atGate);
    expect(closed[0].problem).toMatchObject({
      code: 'GATE_CLOSED',
      field: 'orders[0].deliveryStart',
    });
  });

  it("goes by the interval's stored gate, not the product's current gateClosureSeconds", () => {
    const key = intervalKey({ productCode: 'ELECTRICITY', deliveryStart: START });
    // opened with a 60 s gate: still open at 10:58 although the product now says 300 s
    const late = START.getTime() - 120_000;
    expect(checked([request()], late).closed).toHaveLength(1);
    expect(checked([request()], late, new Map([[key, START.getTime() - 60_000]])).closed).toEqual(
      [],
    );
    // opened with a 3600 s gate: closed at 10:00 already
    const { closed } = checked([request()], NOW, new Map([[key, START.getTime() - 3_600_000]]));
    expect(closed[0].problem.message).toMatch(/closed at 2026-11-27T10:00:00.000Z/);
  });

  it('names the first order of the interval-side over a book limit', () => {
    const requests = [
      request({ clientOrderId: 'buy', side: 'BUY' }),
      request({ clientOrderId: 'other interval', side: 'SELL', deliveryStart: new Date(0) }),
      request({ clientOrderId: 'sell', side: 'SELL' }),
      request({ clientOrderId: 'sell again', side: 'SELL' }),
    ];
    const error = bookLimitError(requests, {
      reason: 'PARTICIPANT_QUANTITY_LIMIT',
      productCode: 'ELECTRICITY',
      deliveryStart: START,
      side: 'SELL',
      totalWh: '100000001',
      limitWh: '100000000',
    });
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe(
      'order 2 (clientOrderId "sell"): your SELL orders in the ELECTRICITY interval starting 2026-11-27T11:00:00.000Z would total 100000.001 kWh, more than its maxParticipantQuantity of 100000 kWh per participant, interval and side',
    );
    expect(error.details).toMatchObject({
      field: 'orders[2].quantity',
      reason: 'PARTICIPANT_QUANTITY_LIMIT',
      index: 2,
      clientOrderId: 'sell',
      side: 'SELL',
      limit: '100000',
      total: '100000.001',
    });
    const money = bookLimitError(requests, {
      reason: 'INTERVAL_MONEY_LIMIT',
      productCode: 'ELECTRICITY',
      deliveryStart: START,
      side: 'BUY',
      totalWh: '100000000000001',
      basis: 'PRICE',
      rate: '100.0000',
      totalMinor: '1000000000000010',
      limitMinor: '1000000000000000',
    });
    expect(money.message).toMatch(
      /^order 0 \(clientOrderId "buy"\): the BUY side of .* would hold 100000000000.001 kWh, worth up to 10000000000000.10 \(at the interval's largest price magnitude 100 per kWh\), more than the limit of 10000000000000.00 per product-interval and side$/,
    );
  });

  it('lets a retry past the gate through only when it repeats the stored order', () => {
    const { closed } = checked([request({ price: '0.25' })], START.getTime());
    expect(checkClosedRetries(closed, [stored({})])).toEqual([]);
    expect(checkClosedRetries(closed, [])[0].code).toBe('GATE_CLOSED');
    expect(checkClosedRetries(closed, [stored({ quantityWh: '1501' })])[0].code).toBe('CONFLICT');
  });

  describe('checkInsert', () => {
    const insert = (
      orders: CheckedOrder[],
      before: { bestBuy: string | null; bestSell: string | null }[] = [],
    ) => ({
      inserted: orders.map((o, i) => stored({ id: String(i + 1), clientOrderId: o.clientOrderId })),
      existing: [],
      before: before.map((b) => ({ productCode: 'ELECTRICITY', deliveryStart: START, ...b })),
    });

    it('refuses a BUY at or above the lowest own SELL, in the batch or resting', () => {
      const batch = checked([
        request({ clientOrderId: 's', side: 'SELL', price: '0.3' }),
        request({ clientOrderId: 'b', side: 'BUY', price: '0.3' }),
      ]).orders;
      expect(checkInsert(batch, insert(batch))).toMatchObject([
        { index: 1, code: 'SELF_CROSS', field: 'orders[1].price' },
      ]);
      const buy = checked([request({ price: '0.31' })]).orders;
      expect(
        checkInsert(buy, insert(buy, [{ bestBuy: null, bestSell: '0.3100' }]))[0].message,
      ).toMatch(/BUY at 0.31 would cross your own SELL at 0.31/);
      expect(checkInsert(buy, insert(buy, [{ bestBuy: '4', bestSell: '0.3101' }]))).toEqual([]);
      const sell = checked([request({ side: 'SELL', price: '0.2' })]).orders;
      expect(checkInsert(sell, insert(sell, [{ bestBuy: '0.2', bestSell: null }]))[0].code).toBe(
        'SELF_CROSS',
      );
    });

    it('accepts the same terms under a used clientOrderId (prices compared as numbers), else CONFLICT', () => {
      const orders = checked([request({ price: '0.25' })]).orders;
      const same = { inserted: [], existing: [stored({ price: '0.250000' })], before: [] };
      expect(checkInsert(orders, same)).toEqual([]);
      const other = { inserted: [], existing: [stored({ side: 'SELL' })], before: [] };
      expect(checkInsert(orders, other)).toMatchObject([
        { code: 'CONFLICT', reason: 'CLIENT_ORDER_ID_REUSED', field: 'orders[0].clientOrderId' },
      ]);
    });
  });
});
