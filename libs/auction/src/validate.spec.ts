import { BOOK_SIDE_LIMIT_WH, MAX_QUANTITY_WH, ratio } from '@parkex/market';
import {
  MAX_AUCTION_INTERVALS,
  MAX_AUCTION_ORDERS,
  MAX_BLOCK_DEPTH,
  MAX_BLOCK_ORDERS,
  MAX_DEVICE_ORDERS,
  MAX_NAME_LENGTH,
} from './limits';
import type {
  Auction,
  AuctionOrder,
  AuctionTerms,
  BlockOrder,
  ConversionOrder,
  StepOrder,
  StorageOrder,
} from './model';
import {
  MAX_REPORTED_REJECTIONS,
  maxInputAt,
  validateAuction,
  type AuctionRejectionCode,
} from './validate';

const KWH = 1000n;

/** Four intervals, electricity with a grid connection, heat without; prices on a 1-unit tick. */
const terms: AuctionTerms = {
  intervals: 4,
  carriers: [
    {
      code: 'ELECTRICITY',
      connection: {
        importLimitWh: 50n * KWH,
        importPriceTicks: 90n,
        exportLimitWh: 50n * KWH,
        exportPriceTicks: 10n,
      },
    },
    { code: 'HEAT', connection: null },
  ],
  grid: { priceTick: '1', minPrice: '-500', maxPrice: '3000' },
  k: ratio(1n, 2n),
};

let seq = 0n;
const step = (id: string, fields: Partial<StepOrder> = {}): StepOrder => ({
  kind: 'STEP',
  id,
  participant: 'factory',
  seq: ++seq,
  carrier: 'ELECTRICITY',
  interval: 0,
  side: 'BUY',
  priceTicks: 80n,
  quantityWh: 120n * KWH,
  ...fields,
});
const block = (id: string, fields: Partial<BlockOrder> = {}): BlockOrder => ({
  kind: 'BLOCK',
  id,
  participant: 'factory',
  seq: ++seq,
  carrier: 'ELECTRICITY',
  side: 'BUY',
  priceTicks: 100n,
  firstInterval: 0,
  profileWh: [4n * KWH, 6n * KWH, 10n * KWH],
  minAcceptance: ratio(1n, 1n),
  parentId: null,
  exclusiveGroup: null,
  ...fields,
});
const heatPump = (id: string, fields: Partial<ConversionOrder> = {}): ConversionOrder => ({
  kind: 'CONVERSION',
  id,
  participant: 'heat-pump',
  seq: ++seq,
  input: 'ELECTRICITY',
  outputs: [{ carrier: 'HEAT', ratio: ratio(3n, 1n) }],
  maxInputWh: 40n * KWH,
  costTicks: 0n,
  ...fields,
});
const battery = (id: string, fields: Partial<StorageOrder> = {}): StorageOrder => ({
  kind: 'STORAGE',
  id,
  participant: 'battery-plant',
  seq: ++seq,
  carrier: 'ELECTRICITY',
  capacityWh: 100n * KWH,
  initialWh: 20n * KWH,
  minFinalWh: 20n * KWH,
  maxChargeWh: 25n * KWH,
  maxDischargeWh: 25n * KWH,
  chargeEfficiency: ratio(19n, 20n),
  dischargeEfficiency: ratio(19n, 20n),
  dischargeCostTicks: 2n,
  ...fields,
});

/** The heat-pump worked example of the engine, plus a block, a CHP and a battery. */
const example = (): AuctionOrder[] => [
  step('el-offer-20', { side: 'SELL', priceTicks: 20n, quantityWh: 100n * KWH }),
  step('el-offer-50', { side: 'SELL', priceTicks: 50n, quantityWh: 100n * KWH }),
  step('el-bid-80'),
  step('heat-bid-40', { carrier: 'HEAT', priceTicks: 40n, quantityWh: 150n * KWH }),
  step('heat-bid-10', { carrier: 'HEAT', priceTicks: 10n, quantityWh: 100n * KWH }),
  step('boiler-offer-30', {
    carrier: 'HEAT',
    side: 'SELL',
    priceTicks: 30n,
    quantityWh: 200n * KWH,
  }),
  heatPump('heat-pump'),
  heatPump('chp', {
    input: null,
    outputs: [
      { carrier: 'ELECTRICITY', ratio: ratio(7n, 20n) },
      { carrier: 'HEAT', ratio: ratio(1n, 2n) },
    ],
    maxInputWh: [100n * KWH, 100n * KWH, 0n, 100n * KWH],
    costTicks: 35n,
  }),
  block('block-a'),
  block('block-b', { parentId: 'block-a', exclusiveGroup: 'shift', minAcceptance: ratio(1n, 2n) }),
  battery('battery'),
];

const auction = (orders: AuctionOrder[], t: AuctionTerms = terms): Auction => ({
  terms: t,
  orders,
});

function rejectionsOf(subject: Auction): { code: AuctionRejectionCode; index?: number }[] {
  const check = validateAuction(subject);
  return check.ok ? [] : check.rejections.map(({ code, index }) => ({ code, index }));
}

/** The example with order `id` replaced by `change(order)`: the rejections that gives. */
function withChange(id: string, change: (order: AuctionOrder) => AuctionOrder) {
  const orders = example().map((order) => (order.id === id ? change(order) : order));
  return rejectionsOf(auction(orders));
}

describe('validateAuction', () => {
  it('accepts the example with every order kind', () => {
    expect(validateAuction(auction(example()))).toEqual({ ok: true });
  });

  describe('rejects each bad order with its code and index', () => {
    const cases: [string, string, (o: AuctionOrder) => AuctionOrder, AuctionRejectionCode][] = [
      [
        'an unknown carrier',
        'el-bid-80',
        (o) => ({ ...o, carrier: 'GAS' }) as StepOrder,
        'UNKNOWN_CARRIER',
      ],
      [
        'an interval past the end',
        'el-bid-80',
        (o) => ({ ...o, interval: 4 }) as StepOrder,
        'INTERVAL_OUT_OF_RANGE',
      ],
      [
        'a fractional interval',
        'el-bid-80',
        (o) => ({ ...o, interval: 0.5 }) as StepOrder,
        'INTERVAL_OUT_OF_RANGE',
      ],
      [
        'a price above the cap',
        'el-bid-80',
        (o) => ({ ...o, priceTicks: 3001n }) as StepOrder,
        'PRICE_OUT_OF_RANGE',
      ],
      [
        'a price below the floor',
        'el-bid-80',
        (o) => ({ ...o, priceTicks: -501n }) as StepOrder,
        'PRICE_OUT_OF_RANGE',
      ],
      [
        'a zero quantity',
        'el-bid-80',
        (o) => ({ ...o, quantityWh: 0n }) as StepOrder,
        'QUANTITY_OUT_OF_RANGE',
      ],
      [
        'a quantity above the bound',
        'el-bid-80',
        (o) => ({ ...o, quantityWh: MAX_QUANTITY_WH + 1n }) as StepOrder,
        'QUANTITY_OUT_OF_RANGE',
      ],
      [
        'a profile longer than the auction',
        'block-a',
        (o) => ({ ...o, profileWh: [1n, 1n, 1n, 1n, 1n] }) as BlockOrder,
        'PROFILE_OUT_OF_RANGE',
      ],
      [
        'a profile reaching past the end',
        'block-a',
        (o) => ({ ...o, firstInterval: 2 }) as BlockOrder,
        'PROFILE_OUT_OF_RANGE',
      ],
      [
        'an empty profile',
        'block-a',
        (o) => ({ ...o, profileWh: [] }) as BlockOrder,
        'PROFILE_OUT_OF_RANGE',
      ],
      [
        'an all-zero profile',
        'block-a',
        (o) => ({ ...o, profileWh: [0n, 0n] }) as BlockOrder,
        'PROFILE_OUT_OF_RANGE',
      ],
      [
        'a negative profile step',
        'block-a',
        (o) => ({ ...o, profileWh: [5n, -1n] }) as BlockOrder,
        'QUANTITY_OUT_OF_RANGE',
      ],
      [
        'a minimum acceptance of 0',
        'block-a',
        (o) => ({ ...o, minAcceptance: ratio(0n, 1n) }) as BlockOrder,
        'RATIO_OUT_OF_RANGE',
      ],
      [
        'a minimum acceptance above 1',
        'block-a',
        (o) => ({ ...o, minAcceptance: ratio(3n, 2n) }) as BlockOrder,
        'RATIO_OUT_OF_RANGE',
      ],
      [
        'an unknown parent',
        'block-b',
        (o) => ({ ...o, parentId: 'nobody' }) as BlockOrder,
        'PARENT_INVALID',
      ],
      [
        'a parent that is not a block',
        'block-b',
        (o) => ({ ...o, parentId: 'el-bid-80' }) as BlockOrder,
        'PARENT_INVALID',
      ],
      [
        'its own parent',
        'block-b',
        (o) => ({ ...o, parentId: 'block-b' }) as BlockOrder,
        'PARENT_CYCLE',
      ],
      [
        'another participant’s parent',
        'block-b',
        (o) => ({ ...o, participant: 'office' }),
        'PARENT_INVALID',
      ],
      [
        'an output ratio of 0',
        'heat-pump',
        (o) => ({ ...o, outputs: [{ carrier: 'HEAT', ratio: ratio(0n, 1n) }] }) as ConversionOrder,
        'RATIO_OUT_OF_RANGE',
      ],
      [
        'a negative output ratio',
        'heat-pump',
        (o) => ({ ...o, outputs: [{ carrier: 'HEAT', ratio: ratio(-3n, 1n) }] }) as ConversionOrder,
        'RATIO_OUT_OF_RANGE',
      ],
      [
        'a ratio with huge terms',
        'heat-pump',
        (o) =>
          ({
            ...o,
            outputs: [{ carrier: 'HEAT', ratio: { num: 3_000_001n, den: 1_000_001n } }],
          }) as ConversionOrder,
        'RATIO_OUT_OF_RANGE',
      ],
      [
        'no output',
        'heat-pump',
        (o) => ({ ...o, outputs: [] }) as ConversionOrder,
        'CONVERSION_INVALID',
      ],
      [
        'the input as output',
        'heat-pump',
        (o) =>
          ({
            ...o,
            outputs: [{ carrier: 'ELECTRICITY', ratio: ratio(1n, 1n) }],
          }) as ConversionOrder,
        'CONVERSION_INVALID',
      ],
      [
        'an output twice',
        'chp',
        (o) =>
          ({
            ...o,
            outputs: [
              { carrier: 'HEAT', ratio: ratio(1n, 2n) },
              { carrier: 'HEAT', ratio: ratio(1n, 3n) },
            ],
          }) as ConversionOrder,
        'CONVERSION_INVALID',
      ],
      [
        'an unknown input',
        'heat-pump',
        (o) => ({ ...o, input: 'GAS' }) as ConversionOrder,
        'UNKNOWN_CARRIER',
      ],
      [
        'maximum inputs for too few intervals',
        'chp',
        (o) => ({ ...o, maxInputWh: [1n, 1n, 1n] }) as ConversionOrder,
        'INTERVAL_OUT_OF_RANGE',
      ],
      [
        'a negative maximum input',
        'heat-pump',
        (o) => ({ ...o, maxInputWh: -1n }) as ConversionOrder,
        'QUANTITY_OUT_OF_RANGE',
      ],
      [
        'a negative cost',
        'heat-pump',
        (o) => ({ ...o, costTicks: -1n }) as ConversionOrder,
        'PRICE_OUT_OF_RANGE',
      ],
      [
        'an efficiency above 1',
        'battery',
        (o) => ({ ...o, chargeEfficiency: ratio(21n, 20n) }) as StorageOrder,
        'EFFICIENCY_OUT_OF_RANGE',
      ],
      [
        'an efficiency of 0',
        'battery',
        (o) => ({ ...o, dischargeEfficiency: ratio(0n, 1n) }) as StorageOrder,
        'EFFICIENCY_OUT_OF_RANGE',
      ],
      [
        'an initial state above capacity',
        'battery',
        (o) => ({ ...o, initialWh: 100n * KWH + 1n }) as StorageOrder,
        'STATE_OUT_OF_RANGE',
      ],
      [
        'a negative final state',
        'battery',
        (o) => ({ ...o, minFinalWh: -1n }) as StorageOrder,
        'STATE_OUT_OF_RANGE',
      ],
      [
        'a zero capacity',
        'battery',
        (o) => ({ ...o, capacityWh: 0n }) as StorageOrder,
        'QUANTITY_OUT_OF_RANGE',
      ],
      [
        'an unreachable final state',
        'battery',
        // 4 intervals × 25 kWh × 19/20 = 95 kWh from 0: 96 kWh cannot be reached
        (o) => ({ ...o, initialWh: 0n, minFinalWh: 96n * KWH }) as StorageOrder,
        'STORAGE_INFEASIBLE',
      ],
      [
        'an id longer than the bound',
        'el-bid-80',
        (o) => ({ ...o, id: 'x'.repeat(MAX_NAME_LENGTH + 1) }),
        'NAME_INVALID',
      ],
      ['an empty participant', 'el-bid-80', (o) => ({ ...o, participant: '' }), 'NAME_INVALID'],
    ];
    it.each(cases)('%s', (_name, id, change, code) => {
      const index = example().findIndex((order) => order.id === id);
      expect(withChange(id, change)).toEqual([{ code, index }]);
    });
  });

  it('reaches the final state exactly at the bound: 95 kWh from 0 in 4 intervals', () => {
    expect(withChange('battery', (o) => ({ ...o, initialWh: 0n, minFinalWh: 95n * KWH }))).toEqual(
      [],
    );
  });

  it('finds a cycle of parents however long, and refuses a family deeper than the bound', () => {
    const a = block('a', { parentId: 'c' });
    const b = block('b', { parentId: 'a' });
    const c = block('c', { parentId: 'b' });
    expect(rejectionsOf(auction([a, b, c])).map((r) => r.code)).toEqual([
      'PARENT_CYCLE',
      'PARENT_CYCLE',
      'PARENT_CYCLE',
    ]);

    const chain = (length: number) =>
      Array.from({ length }, (_, i) => block(`g${i}`, { parentId: i === 0 ? null : `g${i - 1}` }));
    expect(rejectionsOf(auction(chain(MAX_BLOCK_DEPTH)))).toEqual([]);
    expect(rejectionsOf(auction(chain(MAX_BLOCK_DEPTH + 1)))).toEqual([
      { code: 'PARENT_INVALID', index: MAX_BLOCK_DEPTH },
    ]);
  });

  it('refuses a duplicate id and a duplicate seq', () => {
    const a = step('a');
    expect(rejectionsOf(auction([a, { ...a, seq: 99n }]))).toEqual([
      { code: 'DUPLICATE_ID', index: 1 },
    ]);
    expect(rejectionsOf(auction([a, { ...a, id: 'b' }]))).toEqual([
      { code: 'DUPLICATE_SEQ', index: 1 },
    ]);
  });

  it('reports every rejection in order, at most MAX_REPORTED_REJECTIONS', () => {
    const bad = Array.from({ length: 150 }, (_, i) => step(`s${i}`, { quantityWh: 0n }));
    const check = validateAuction(auction(bad));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.rejections).toHaveLength(MAX_REPORTED_REJECTIONS);
    expect(check.rejections.map((r) => r.index)).toEqual([
      ...Array(MAX_REPORTED_REJECTIONS).keys(),
    ]);
  });

  describe('terms', () => {
    const bad = (change: Partial<AuctionTerms>) =>
      rejectionsOf(auction([], { ...terms, ...change }));
    const connection = terms.carriers[0].connection!;
    const electricity = (change: Partial<typeof connection>) => [
      { code: 'ELECTRICITY', connection: { ...connection, ...change } },
    ];

    it.each([
      ['no intervals', { intervals: 0 }],
      ['more intervals than the bound', { intervals: MAX_AUCTION_INTERVALS + 1 }],
      ['no carrier', { carriers: [] }],
      ['a carrier twice', { carriers: [terms.carriers[1], terms.carriers[1]] }],
      ['an invalid grid', { grid: { priceTick: '0', minPrice: '0', maxPrice: '1' } }],
      ['k above 1', { k: ratio(3n, 2n) }],
      ['a negative import limit', { carriers: electricity({ importLimitWh: -1n }) }],
      ['an import price above the cap', { carriers: electricity({ importPriceTicks: 3001n }) }],
      [
        'an export price above the import price',
        { carriers: electricity({ exportPriceTicks: 91n }) },
      ],
    ] as [string, Partial<AuctionTerms>][])('refuses %s', (_name, change) => {
      expect(bad(change)).toEqual([{ code: 'INVALID_TERMS', index: undefined }]);
    });

    it('accepts the largest auction: MAX_AUCTION_INTERVALS intervals', () => {
      expect(bad({ intervals: MAX_AUCTION_INTERVALS })).toEqual([]);
    });
  });

  describe('bounds on the number of orders and the books', () => {
    const steps = (n: number) =>
      Array.from({ length: n }, (_, i) => step(`s${i}`, { interval: i % 4, quantityWh: 1n }));

    it('takes MAX_AUCTION_ORDERS orders and refuses one more', () => {
      expect(rejectionsOf(auction(steps(MAX_AUCTION_ORDERS)))).toEqual([]);
      expect(rejectionsOf(auction(steps(MAX_AUCTION_ORDERS + 1)))).toEqual([
        { code: 'TOO_MANY_ORDERS', index: undefined },
      ]);
    });

    it('takes MAX_BLOCK_ORDERS blocks and MAX_DEVICE_ORDERS devices, and refuses one more of each', () => {
      const blocks = (n: number) => Array.from({ length: n }, (_, i) => block(`b${i}`));
      const devices = (n: number) => Array.from({ length: n }, (_, i) => battery(`d${i}`));
      expect(
        rejectionsOf(auction([...blocks(MAX_BLOCK_ORDERS), ...devices(MAX_DEVICE_ORDERS)])),
      ).toEqual([]);
      expect(rejectionsOf(auction(blocks(MAX_BLOCK_ORDERS + 1))).map((r) => r.code)).toEqual([
        'TOO_MANY_ORDERS',
      ]);
      expect(rejectionsOf(auction(devices(MAX_DEVICE_ORDERS + 1))).map((r) => r.code)).toEqual([
        'TOO_MANY_ORDERS',
      ]);
    });

    it('takes a carrier-interval side of exactly BOOK_SIDE_LIMIT_WH and refuses 1 Wh more', () => {
      const n = Number(BOOK_SIDE_LIMIT_WH / MAX_QUANTITY_WH);
      const full = Array.from({ length: n }, (_, i) =>
        step(`f${i}`, { quantityWh: MAX_QUANTITY_WH }),
      );
      expect(rejectionsOf(auction(full))).toEqual([]);
      // a block's profile counts towards the same side
      const over = [...full, block('one-more', { profileWh: [1n] })];
      expect(rejectionsOf(auction(over))).toEqual([{ code: 'BOOK_LIMIT', index: n }]);
    });
  });
});

describe('maxInputAt', () => {
  it('reads one value for every interval, or the interval’s own', () => {
    expect(maxInputAt(heatPump('a', { maxInputWh: 7n }), 3)).toBe(7n);
    expect(maxInputAt(heatPump('b', { maxInputWh: [1n, 2n, 3n, 4n] }), 2)).toBe(3n);
  });
});
