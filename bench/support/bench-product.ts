import type { GraphqlClient } from './graphql-client';

/** The benchmarks' product: quarter hours, gates 5 minutes before, a year's horizon. */
export const BENCH_PRODUCT = 'BENCH_POWER';
export const BENCH_INTERVAL_SECONDS = 900;

/**
 * Registers the benchmarks' product through the operator, with a participant limit far from
 * anything a run piles up (each ingest client adds ~1,300 kWh per interval-side per call).
 */
export async function upsertBenchProduct(
  client: GraphqlClient,
  operatorKey: string,
): Promise<void> {
  const input = {
    code: BENCH_PRODUCT,
    name: 'Benchmark electricity',
    unit: 'kWh',
    intervalSeconds: BENCH_INTERVAL_SECONDS,
    gateClosureSeconds: 300,
    horizonSeconds: 366 * 86_400,
    priceTick: '0.0001',
    minPrice: '-0.5',
    maxPrice: '4',
    mechanism: 'UNIFORM_PRICE',
    k: '0.5',
    networkFee: '0.015',
    maxParticipantQuantity: '1000000000',
  };
  await client.call(
    `mutation($input: ProductInput!) { upsertProduct(input: $input) { code } }`,
    { input },
    operatorKey,
  );
}
