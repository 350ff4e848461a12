import { assetQuantityKey, type AssetRow, type ProductEntity } from '@parkex/db';
import { DEFAULT_BATTERY_RULES, type SafetyLevel } from '@parkex/market';
import { checkAssetIds, checkAssets, namedAssets } from './asset-rules';
import type { CheckedOrder, OrderRequest } from './order-rules';

const ME = 'p-1';
const ASSET = '6f1c2c2e-9d1b-4a4e-8f5e-1d2c3b4a5f60';
const START = new Date('2026-12-01T10:00:00Z');
const PRODUCTS = new Map([['ELECTRICITY', { intervalSeconds: 900 } as ProductEntity]]);

function asset(level: SafetyLevel, overrides: Partial<AssetRow> = {}): AssetRow {
  return {
    id: ASSET,
    participantId: ME,
    name: 'Battery 1',
    kind: 'BATTERY',
    energyCapacityWh: '200000',
    chargePowerW: '100000',
    dischargePowerW: '40000',
    createdAt: START,
    level,
    acknowledged: false,
    belowSince: null,
    lastSampleAt: null,
    levelChangedAt: START,
    rules: DEFAULT_BATTERY_RULES,
    ...overrides,
  };
}

function order(index: number, side: 'BUY' | 'SELL', quantityWh: bigint): CheckedOrder {
  return {
    index,
    clientOrderId: `c${index}`,
    productCode: 'ELECTRICITY',
    deliveryStart: START,
    side,
    price: '0.1',
    priceKey: 1n,
    quantityWh,
    assetId: ASSET,
  };
}

const requests = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ clientOrderId: `c${i}`, assetId: ASSET }) as OrderRequest);

function reasons(level: SafetyLevel, orders: CheckedOrder[], open = new Map<string, bigint>()) {
  return checkAssets(
    ME,
    requests(orders.length),
    orders,
    { assets: [asset(level)], openWh: open },
    PRODUCTS,
  ).map((p) => [p.index, p.code, p.reason]);
}

describe('orders naming an asset', () => {
  it('charge power limits BUY, discharge power SELL: 100 kW and 40 kW over 900 s', () => {
    expect(reasons('NORMAL', [order(0, 'BUY', 25_000n), order(1, 'SELL', 10_000n)])).toEqual([]);
    expect(reasons('NORMAL', [order(0, 'SELL', 10_001n)])).toEqual([
      [0, 'BAD_USER_INPUT', 'ASSET_POWER_EXCEEDED'],
    ]);
  });

  it('adds the batch to the OPEN orders of the interval and side', () => {
    const open = new Map([[assetQuantityKey(ASSET, 'ELECTRICITY', START, 'BUY'), 20_000n]]);
    expect(reasons('NORMAL', [order(0, 'BUY', 5_000n), order(1, 'BUY', 1n)], open)).toEqual([
      [1, 'BAD_USER_INPUT', 'ASSET_POWER_EXCEEDED'],
    ]);
  });

  it('WARNING derates to the rules’ share; WATCH does not', () => {
    expect(reasons('WATCH', [order(0, 'BUY', 25_000n)])).toEqual([]);
    expect(reasons('WARNING', [order(0, 'BUY', 12_500n)])).toEqual([]);
    expect(reasons('WARNING', [order(0, 'BUY', 12_501n)])).toEqual([
      [0, 'FORBIDDEN', 'ASSET_DERATED'],
    ]);
  });

  it('ALARM suspends', () => {
    expect(reasons('ALARM', [order(0, 'BUY', 1n)])).toEqual([[0, 'FORBIDDEN', 'ASSET_SUSPENDED']]);
  });

  it("another participant's or an unknown asset is UNKNOWN_ASSET", () => {
    const foreign = checkAssets(
      ME,
      requests(1),
      [order(0, 'BUY', 1n)],
      { assets: [asset('NORMAL', { participantId: 'p-2' })], openWh: new Map() },
      PRODUCTS,
    );
    expect(foreign.map((p) => p.reason)).toEqual(['UNKNOWN_ASSET']);
    expect(checkAssetIds([{ assetId: 'nope' } as OrderRequest]).map((p) => p.field)).toEqual([
      'orders[0].assetId',
    ]);
    expect(namedAssets([order(0, 'BUY', 1n), order(1, 'SELL', 1n)])).toEqual([ASSET]);
  });
});
