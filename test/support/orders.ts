/** Helpers of the order specs: products with unique codes, open intervals, order inputs, errors. */
import type { GqlResponse, TestApi } from './test-api';

/** Responses are untyped JSON. */
export type Json = any;

export const ORDER_FIELDS =
  'id clientOrderId productCode deliveryStart side price quantity filledQuantity status createdAt';
export const SUBMIT = `mutation($orders: [OrderInput!]!) { submitOrders(orders: $orders) { ${ORDER_FIELDS} } }`;
export const CANCEL = `mutation($id: ID!) { cancelOrder(id: $id) { ${ORDER_FIELDS} } }`;
export const LIST = `query($filter: OrderFilter, $first: Int, $after: String) {
  orders(filter: $filter, first: $first, after: $after) {
    edges { cursor node { ${ORDER_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface ProductSettings {
  intervalSeconds: number;
  gateClosureSeconds: number;
  horizonSeconds: number;
  priceTick: string;
  minPrice: string;
  maxPrice: string;
  /** kWh per participant, interval and side; the product's default (100000) when absent. */
  maxParticipantQuantity?: string;
  networkFee?: string;
}

const DEFAULT_PRODUCT: ProductSettings = {
  intervalSeconds: 900,
  gateClosureSeconds: 300,
  horizonSeconds: 172_800,
  priceTick: '0.0001',
  minPrice: '-0.5',
  maxPrice: '4',
};

let productCounter = 0;

/** Creates a product with a unique code (the run's database is shared by parallel spec files). */
export async function createProduct(
  api: TestApi,
  settings: Partial<ProductSettings> = {},
): Promise<ProductSettings & { code: string }> {
  productCounter += 1;
  const code = `T${process.pid}_${Date.now().toString(36).toUpperCase()}_${productCounter}`;
  const input = {
    code,
    name: 'Test energy',
    unit: 'kWh',
    ...DEFAULT_PRODUCT,
    ...settings,
    mechanism: 'UNIFORM_PRICE',
    k: '0.5',
    networkFee: settings.networkFee ?? '0',
  };
  const result = await api.gql(
    `mutation($input: ProductInput!) { upsertProduct(input: $input) { code } }`,
    { input },
    api.operatorKey,
  );
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return { ...DEFAULT_PRODUCT, ...settings, code };
}

/** The start of an interval whose gate is at least `marginMs` away, `ahead` intervals later. */
export function openInterval(
  product: Pick<ProductSettings, 'intervalSeconds' | 'gateClosureSeconds'>,
  ahead = 0,
  marginMs = 60_000,
): Date {
  const ms = product.intervalSeconds * 1000;
  const earliest = Date.now() + product.gateClosureSeconds * 1000 + marginMs;
  return new Date((Math.ceil(earliest / ms) + ahead) * ms);
}

let orderCounter = 0;
/** Jest reuses worker processes across spec files: the pid alone does not make ids unique. */
const RUN = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

export function orderInput(
  product: { code: string },
  deliveryStart: Date,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  orderCounter += 1;
  return {
    clientOrderId: `c-${RUN}-${orderCounter}`,
    productCode: product.code,
    deliveryStart: deliveryStart.toISOString(),
    side: 'BUY',
    price: '0.1',
    quantity: '1',
    ...overrides,
  };
}

export function expectError(
  result: GqlResponse,
  code: string,
  expected: { field?: string; message?: RegExp } = {},
): Json {
  expect(result.data ?? null).toBeNull();
  const error = result.errors?.[0];
  expect({ code: error?.extensions?.code, message: error?.message }).toEqual({
    code,
    message: expected.message ? expect.stringMatching(expected.message) : expect.any(String),
  });
  if (expected.field !== undefined) expect(error?.extensions?.field).toBe(expected.field);
  return error;
}
