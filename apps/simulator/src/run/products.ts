import { whToKwh, ticksToPrice } from '../market/decimal';
import {
  ELECTRICITY_NETWORK_FEE,
  HEAT_NETWORK_FEE,
  PRICE_DECIMALS,
  STORAGE_NETWORK_FEE,
} from '../market/tariffs';
import type { ProductKey } from '../tenants/types';

/** The demo's own products, so that the standard ELECTRICITY/HEAT/STORAGE stay as they are. */
export const DEMO_PRODUCTS: Record<ProductKey, string> = {
  electricity: 'DEMO_ELECTRICITY',
  heat: 'DEMO_HEAT',
  storage: 'DEMO_STORAGE',
};
export const PRODUCT_KEYS: readonly ProductKey[] = ['electricity', 'heat', 'storage'];

export interface ProductInput {
  code: string;
  name: string;
  unit: string;
  intervalSeconds: number;
  gateClosureSeconds: number;
  horizonSeconds: number;
  priceTick: string;
  minPrice: string;
  maxPrice: string;
  mechanism: 'UNIFORM_PRICE';
  k: string;
  networkFee: string;
}

/** Gate closure for an accelerated interval: 1 s below 4 s intervals, else 2 s. */
export function gateClosureFor(intervalSeconds: number): number {
  return intervalSeconds < 4 ? 1 : 2;
}

/** Each demo interval stands for one simulated quarter-hour. */
export function demoProducts(intervalSeconds: number): ProductInput[] {
  const common = {
    intervalSeconds,
    gateClosureSeconds: gateClosureFor(intervalSeconds),
    horizonSeconds: 3600,
    priceTick: ticksToPrice(1, PRICE_DECIMALS),
    mechanism: 'UNIFORM_PRICE' as const,
    k: '0.5',
  };
  const price = (ticks: number) => ticksToPrice(ticks, PRICE_DECIMALS);
  return [
    {
      ...common,
      code: DEMO_PRODUCTS.electricity,
      name: `Demo electricity (${intervalSeconds} s = 15 simulated minutes)`,
      unit: 'kWh',
      minPrice: price(-5000),
      maxPrice: price(40_000),
      networkFee: price(ELECTRICITY_NETWORK_FEE),
    },
    {
      ...common,
      code: DEMO_PRODUCTS.heat,
      name: `Demo heat (${intervalSeconds} s = 15 simulated minutes)`,
      unit: 'kWh thermal',
      minPrice: price(0),
      maxPrice: price(10_000),
      networkFee: price(HEAT_NETWORK_FEE),
    },
    {
      ...common,
      code: DEMO_PRODUCTS.storage,
      name: `Demo storage capacity (${intervalSeconds} s = 15 simulated minutes)`,
      unit: 'kWh of storage capacity',
      minPrice: price(0),
      maxPrice: price(10_000),
      networkFee: price(STORAGE_NETWORK_FEE),
    },
  ];
}

/** An order as submitOrders takes it. */
export interface OrderInput {
  clientOrderId: string;
  productCode: string;
  deliveryStart: string;
  side: 'BUY' | 'SELL';
  price: string;
  quantity: string;
  /** The asset the order comes from (the battery's storage offers). */
  assetId?: string;
}

export function orderInput(
  intent: {
    product: ProductKey;
    side: 'BUY' | 'SELL';
    priceTicks: number;
    quantityWh: number;
    block: string;
  },
  deliveryStart: Date,
  clientOrderId: string,
): OrderInput {
  return {
    clientOrderId,
    productCode: DEMO_PRODUCTS[intent.product],
    deliveryStart: deliveryStart.toISOString(),
    side: intent.side,
    price: ticksToPrice(intent.priceTicks, PRICE_DECIMALS),
    quantity: whToKwh(intent.quantityWh),
  };
}
