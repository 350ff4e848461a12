import { assetQuantityKey, type AssetTrading, type ProductEntity } from '@parkex/db';
import { formatQuantity, intervalEnergyWh, tradingLimit } from '@parkex/market';
import { isUuid } from '../common/uuid';
import { problem, type CheckedOrder, type OrderProblem, type OrderRequest } from './order-rules';

/**
 * The rules of orders that name an asset (`assetId`):
 * - the asset must be the participant's own (else BAD_USER_INPUT `UNKNOWN_ASSET`);
 * - at ALARM it is suspended: FORBIDDEN `ASSET_SUSPENDED`;
 * - its OPEN orders plus the batch's, per product-interval and side, stay within the energy its
 *   power gives in one interval (charge power for BUY, discharge power for SELL, × the product's
 *   intervalSeconds, whole Wh rounded down); at WARNING within the derated share of it
 *   (FORBIDDEN `ASSET_DERATED`), else BAD_USER_INPUT `ASSET_POWER_EXCEEDED`.
 */

/** An assetId that is not a UUID never reaches the database. */
export function checkAssetIds(requests: readonly OrderRequest[]): OrderProblem[] {
  const problems: OrderProblem[] = [];
  requests.forEach((request, index) => {
    const id = request.assetId;
    if (id !== null && id !== undefined && !isUuid(id)) {
      problems.push(unknownAsset(index, request));
    }
  });
  return problems;
}

/** The named assets of a batch (distinct). */
export function namedAssets(orders: readonly CheckedOrder[]): string[] {
  return [...new Set(orders.flatMap((o) => (o.assetId ? [o.assetId] : [])))];
}

/** Checks the batch's orders that name an asset against the assets' state and OPEN orders. */
export function checkAssets(
  participantId: string,
  requests: readonly OrderRequest[],
  orders: readonly CheckedOrder[],
  trading: AssetTrading,
  products: ReadonlyMap<string, ProductEntity>,
): OrderProblem[] {
  const assets = new Map(trading.assets.map((a) => [a.id, a]));
  const totals = new Map(trading.openWh);
  const problems: OrderProblem[] = [];
  for (const order of orders) {
    if (!order.assetId) continue;
    const request = requests[order.index];
    const asset = assets.get(order.assetId);
    if (!asset || asset.participantId !== participantId) {
      problems.push(unknownAsset(order.index, request));
      continue;
    }
    const limit = tradingLimit(asset.level, asset.rules);
    if (limit.kind === 'SUSPENDED') {
      problems.push(
        problem(
          order.index,
          request,
          'assetId',
          'FORBIDDEN',
          'ASSET_SUSPENDED',
          assetSuspendedMessage(asset),
        ),
      );
      continue;
    }
    const power = BigInt(order.side === 'BUY' ? asset.chargePowerW : asset.dischargePowerW);
    const permille = limit.kind === 'DERATED' ? limit.permille : 1000;
    const intervalSeconds = products.get(order.productCode)!.intervalSeconds;
    const maxWh = intervalEnergyWh(power, intervalSeconds, permille);
    const key = assetQuantityKey(asset.id, order.productCode, order.deliveryStart, order.side);
    const total = (totals.get(key) ?? 0n) + order.quantityWh;
    totals.set(key, total);
    if (total <= maxWh) continue;
    const derated = limit.kind === 'DERATED';
    const what = `${order.side === 'BUY' ? 'charge' : 'discharge'} power`;
    problems.push(
      problem(
        order.index,
        request,
        'quantity',
        derated ? 'FORBIDDEN' : 'BAD_USER_INPUT',
        derated ? 'ASSET_DERATED' : 'ASSET_POWER_EXCEEDED',
        `asset ${asset.name}'s ${order.side} orders in this interval would total ${formatQuantity(total)} kWh, more than ${formatQuantity(maxWh)} kWh, what its ${what} gives in ${intervalSeconds} s${derated ? ` derated to ${permille / 10} % at safety level WARNING` : ''}`,
      ),
    );
  }
  return problems;
}

function unknownAsset(index: number, request: OrderRequest): OrderProblem {
  return problem(
    index,
    request,
    'assetId',
    'BAD_USER_INPUT',
    'UNKNOWN_ASSET',
    unknownAssetMessage(request.assetId),
  );
}

/** Why an order naming an asset at ALARM is refused (per-interval and auction orders). */
export function assetSuspendedMessage(asset: { name: string; id: string }): string {
  return `asset ${asset.name} (${asset.id}) is suspended at safety level ALARM: it may not trade until it is back to normal and the operator has acknowledged the alarm`;
}

/** Why an order naming an asset that does not exist or is another participant's is refused. */
export function unknownAssetMessage(assetId: unknown): string {
  return `asset ${JSON.stringify(assetId)} does not exist or is not yours`;
}
