import { deviceLimitsOf, type AssetRow, type AuctionTermsRow } from '@parkex/db';
import {
  assetFitsDevice,
  deviceBeyondRatings,
  formatQuantity,
  tradingLimit,
  type DeviceLimits,
} from '@parkex/market';
import type { ErrorCode } from '../common/app-error';
import { isUuid } from '../common/uuid';
import { assetSuspendedMessage, unknownAssetMessage } from '@parkex/api/orders/asset-rules';
import { orderProblem, type AuctionProblem, type ParsedAuctionOrder } from './auction-rules';
import type { AuctionOrderInput } from './dto/auction-order.input';

/**
 * The assets behind integrated-auction device orders (storage safety, docs/storage-safety.md):
 * a STORAGE order must name one of the participant's BATTERY or HEAT_TANK assets, a CONVERSION
 * order one of its CHP, HEAT_PUMP, BOILER or ELECTROLYSER assets (ASSET_REQUIRED, UNKNOWN_ASSET,
 * ASSET_KIND_MISMATCH); steps and blocks name none (ASSET_NOT_A_DEVICE). The order's limits stay
 * within the asset's ratings for one of the auction's intervals (ASSET_POWER_EXCEEDED,
 * ASSET_CAPACITY_EXCEEDED), derated at WARNING (FORBIDDEN ASSET_DERATED); at ALARM the asset is
 * suspended (FORBIDDEN ASSET_SUSPENDED). Resent orders (`resent`, clientOrderIds already taken)
 * are answered with the stored order and not checked again.
 */
export async function checkDeviceAssets(
  participantId: string,
  orders: readonly ParsedAuctionOrder[],
  inputs: readonly AuctionOrderInput[],
  auctions: ReadonlyMap<string, AuctionTermsRow>,
  key: (order: ParsedAuctionOrder) => string,
  resent: ReadonlySet<string>,
  loadAssets: (ids: readonly string[]) => Promise<AssetRow[]>,
): Promise<AuctionProblem[]> {
  const problems: AuctionProblem[] = [];
  const fail = (
    order: ParsedAuctionOrder,
    field: string,
    reason: string,
    message: string,
    code: ErrorCode = 'BAD_USER_INPUT',
  ) => problems.push(orderProblem(order.index, inputs[order.index], field, reason, message, code));

  const devices: { order: ParsedAuctionOrder; device: DeviceLimits; assetId: string }[] = [];
  for (const order of orders) {
    if (resent.has(order.clientOrderId)) continue;
    const device = deviceLimitsOf(order.terms);
    if (device === null) {
      if (order.assetId !== null) {
        fail(
          order,
          'assetId',
          'ASSET_NOT_A_DEVICE',
          'only storage and conversion orders name an asset',
        );
      }
    } else if (order.assetId === null) {
      fail(
        order,
        'assetId',
        'ASSET_REQUIRED',
        `a ${device.kind.toLowerCase()} order names the asset it comes from (assetId)`,
      );
    } else if (!isUuid(order.assetId)) {
      fail(order, 'assetId', 'UNKNOWN_ASSET', unknownAssetMessage(order.assetId));
    } else {
      devices.push({ order, device, assetId: order.assetId });
    }
  }
  if (!devices.length) return problems;

  const assets = new Map(
    (await loadAssets([...new Set(devices.map((d) => d.assetId))])).map((a) => [a.id, a]),
  );
  for (const { order, device, assetId } of devices) {
    const asset = assets.get(assetId);
    if (!asset || asset.participantId !== participantId) {
      fail(order, 'assetId', 'UNKNOWN_ASSET', unknownAssetMessage(assetId));
      continue;
    }
    if (!assetFitsDevice(asset.kind, device.kind)) {
      fail(
        order,
        'assetId',
        'ASSET_KIND_MISMATCH',
        `asset ${asset.name} is a ${asset.kind}, which does not place ${device.kind.toLowerCase()} orders`,
      );
      continue;
    }
    const limit = tradingLimit(asset.level, asset.rules);
    if (limit.kind === 'SUSPENDED') {
      fail(order, 'assetId', 'ASSET_SUSPENDED', assetSuspendedMessage(asset), 'FORBIDDEN');
      continue;
    }
    const permille = limit.kind === 'DERATED' ? limit.permille : 1000;
    const intervalSeconds = auctions.get(key(order))!.intervalSeconds;
    const beyond = deviceBeyondRatings(
      device,
      {
        kind: asset.kind,
        energyCapacityWh: BigInt(asset.energyCapacityWh),
        chargePowerW: BigInt(asset.chargePowerW),
        dischargePowerW: BigInt(asset.dischargePowerW),
      },
      intervalSeconds,
      permille,
    );
    if (beyond === null) continue;
    const derated = limit.kind === 'DERATED' && beyond.field !== 'capacity';
    const field = `${device.kind.toLowerCase()}.${beyond.field}`;
    const what =
      beyond.field === 'capacity'
        ? `its energy capacity`
        : `what its ${beyond.field === 'maxDischarge' ? 'discharge' : 'charge'} power gives in ${intervalSeconds} s${derated ? ` derated to ${permille / 10} % at safety level WARNING` : ''}`;
    fail(
      order,
      field,
      derated
        ? 'ASSET_DERATED'
        : beyond.field === 'capacity'
          ? 'ASSET_CAPACITY_EXCEEDED'
          : 'ASSET_POWER_EXCEEDED',
      `${formatQuantity(beyond.wh)} kWh is more than asset ${asset.name}'s ${formatQuantity(beyond.limitWh)} kWh, ${what}`,
      derated ? 'FORBIDDEN' : 'BAD_USER_INPUT',
    );
  }
  return problems;
}
