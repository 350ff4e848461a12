import { readScaled } from '../market/decimal';
import { dispatchFromAwards, type AssetAward, type Dispatch } from '../day-ahead/balance';
import {
  auctionSeriesInput,
  dayAheadOrders,
  DEMO_AUCTION_SERIES,
  type AuctionOrderInput,
} from '../day-ahead/orders';
import { deviceAssets, deviceKind } from '../day-ahead/assets';
import type { DayAheadPlan } from '../day-ahead/plan';
import type { ProductKey, Side } from '../tenants/types';
import { ApiError, type GraphqlClient } from './graphql-client';

/** What the day-ahead auction gave the park. */
export interface DayAheadOutcome {
  status: string;
  /** The flexible assets' schedule; null when the auction did not clear. */
  dispatch: Dispatch | null;
  /** Wh a tenant's steps and blocks bought (BUY) or sold (SELL), by tenant|product|side|interval. */
  awardedWh: Map<string, number>;
  /**
   * What a tenant's conversion and storage assets take (> 0) or give (< 0) on their schedule,
   * Wh, by tenant|product|interval (`assetKey`): part of what its meter shows.
   */
  assetWh: Map<string, number>;
  /** Awards read. */
  awards: number;
  blocks: { tenant: string; outcome: string }[];
  /** The auction's welfare (EUR, text); null without trade. */
  welfare: string | null;
}

export const awardKey = (tenant: string, product: ProductKey, side: Side, index: number) =>
  `${tenant}|${product}|${side}|${index}`;

export const assetKey = (tenant: string, product: ProductKey, index: number) =>
  `${tenant}|${product}|${index}`;

interface Participant {
  key: string;
  id: string;
  client: GraphqlClient;
}

const RESULT = `query($series: String!, $start: DateTime!, $after: String) {
  auctionResult(series: $series, deliveryStart: $start) {
    status welfare failureReason
    awards(first: 500, after: $after) {
      edges { node { clientOrderId participantId kind blockOutcome flows { carrier quantities } } }
      pageInfo { hasNextPage endCursor }
    }
  } }`;

interface AwardNode {
  clientOrderId: string;
  participantId: string;
  kind: 'STEP' | 'BLOCK' | 'CONVERSION' | 'STORAGE';
  blockOutcome: string | null;
  flows: { carrier: 'ELECTRICITY' | 'HEAT'; quantities: string[] }[];
}

/** Configures the demo series (the run's quarter-hours, gate `gateClosureSeconds` ahead). */
export async function upsertDemoSeries(
  operator: GraphqlClient,
  options: Parameters<typeof auctionSeriesInput>[0],
): Promise<void> {
  await operator.request(
    'mutation($input: AuctionSeriesInput!) { upsertAuctionSeries(input: $input) { code } }',
    { input: auctionSeriesInput(options) },
  );
}

/** Every tenant submits its day-ahead orders (one batch each); failures are returned. */
export async function submitDayAhead(
  plan: DayAheadPlan,
  participants: readonly Participant[],
  deliveryStart: Date,
  runId: string,
  assets: {
    operator: GraphqlClient;
    intervalSeconds: number;
    /** The battery asset the safety simulation registered (its tenant's key and id), if any. */
    battery: { tenantKey: string; assetId: string } | null;
  },
): Promise<{ orders: number; failures: string[] }> {
  const byTenant = dayAheadOrders(plan, {
    series: DEMO_AUCTION_SERIES,
    deliveryStart: deliveryStart.toISOString(),
    prefix: `${runId}-da`,
  });
  // each device order names its asset, registered by the operator for this run
  for (const p of participants) {
    const batch = byTenant.get(p.key) ?? [];
    const needed = deviceAssets(batch, assets.intervalSeconds);
    const ids = new Map<string, string>();
    for (const asset of needed.values()) {
      if (asset.kind === 'BATTERY' && assets.battery?.tenantKey === p.key) {
        ids.set(asset.kind, assets.battery.assetId); // one battery: its safety level counts
        continue;
      }
      const created = await assets.operator.request<{ registerAsset: { id: string } }>(
        'mutation($input: AssetInput!) { registerAsset(input: $input) { id } }',
        {
          input: {
            participantId: p.id,
            name: `${p.key} ${asset.kind.toLowerCase().replace('_', ' ')} · demo ${runId}`,
            ...asset,
          },
        },
      );
      ids.set(asset.kind, created.registerAsset.id);
    }
    byTenant.set(
      p.key,
      batch.map((order) => {
        const kind = deviceKind(order);
        return kind === null ? order : { ...order, assetId: ids.get(kind) };
      }),
    );
  }
  const failures: string[] = [];
  let orders = 0;
  await Promise.all(
    participants.map(async (p) => {
      const batch: AuctionOrderInput[] = byTenant.get(p.key) ?? [];
      if (!batch.length) return;
      try {
        await p.client.request(
          'mutation($orders: [AuctionOrderInput!]!) { submitAuctionOrders(orders: $orders) { id } }',
          { orders: batch },
        );
        orders += batch.length;
      } catch (error) {
        failures.push(`day-ahead orders of ${p.key}: ${(error as Error).message}`);
      }
    }),
  );
  return { orders, failures };
}

/** Waits for the auction's result until `deadline` (epoch ms) and reads the awards. */
export async function awaitDayAhead(
  operator: GraphqlClient,
  plan: DayAheadPlan,
  participants: readonly Participant[],
  deliveryStart: Date,
  deadline: number,
  signal: AbortSignal,
): Promise<DayAheadOutcome> {
  const tenantOf = new Map(participants.map((p) => [p.id, p.key]));
  const nodes: AwardNode[] = [];
  let status = 'OPEN';
  let welfare: string | null = null;
  while (!signal.aborted && Date.now() < deadline) {
    try {
      const first = await operator.request<{
        auctionResult: { status: string; welfare: string | null } | null;
      }>(RESULT, { series: DEMO_AUCTION_SERIES, start: deliveryStart.toISOString(), after: null });
      status = first.auctionResult?.status ?? 'OPEN';
      welfare = first.auctionResult?.welfare ?? null;
      if (status !== 'OPEN') break;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (status === 'CLEARED') {
    let after: string | null = null;
    for (;;) {
      const page: {
        auctionResult: {
          awards: {
            edges: { node: AwardNode }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        };
      } = await operator.request(RESULT, {
        series: DEMO_AUCTION_SERIES,
        start: deliveryStart.toISOString(),
        after,
      });
      nodes.push(...page.auctionResult.awards.edges.map((e) => e.node));
      if (!page.auctionResult.awards.pageInfo.hasNextPage) break;
      after = page.auctionResult.awards.pageInfo.endCursor;
    }
  }
  const awardedWh = new Map<string, number>();
  const assetWh = new Map<string, number>();
  const assets: AssetAward[] = [];
  const blocks: { tenant: string; outcome: string }[] = [];
  for (const node of nodes) {
    const tenant = tenantOf.get(node.participantId);
    if (!tenant) continue;
    const flows = node.flows.map((f) => ({
      carrier: f.carrier,
      quantitiesWh: f.quantities.map((q) => Number(readScaled(q, 3))),
    }));
    if (node.kind === 'CONVERSION' || node.kind === 'STORAGE') {
      assets.push({ chp: node.clientOrderId.endsWith('-chp'), flows });
      for (const flow of flows) {
        const product: ProductKey = flow.carrier === 'ELECTRICITY' ? 'electricity' : 'heat';
        flow.quantitiesWh.forEach((wh, index) => {
          const k = assetKey(tenant, product, index);
          assetWh.set(k, (assetWh.get(k) ?? 0) + wh);
        });
      }
      continue;
    }
    if (node.kind === 'BLOCK') blocks.push({ tenant, outcome: node.blockOutcome ?? '—' });
    for (const flow of flows) {
      const product: ProductKey = flow.carrier === 'ELECTRICITY' ? 'electricity' : 'heat';
      flow.quantitiesWh.forEach((wh, index) => {
        if (wh === 0) return;
        const k = awardKey(tenant, product, wh > 0 ? 'BUY' : 'SELL', index);
        awardedWh.set(k, (awardedWh.get(k) ?? 0) + Math.abs(wh));
      });
    }
  }
  return {
    status,
    dispatch: status === 'CLEARED' ? dispatchFromAwards(plan.count, assets) : null,
    awardedWh,
    assetWh,
    awards: nodes.length,
    blocks,
    welfare,
  };
}
