import { createHash } from 'node:crypto';
import type { Ratio } from '@parkex/market';
import type { ClearedAuction } from './verify';
import type { Auction } from './model';

export const AUCTION_FORMAT = 'parkex.auction.v1';
export const AUCTION_RESULT_FORMAT = 'parkex.auction-result.v1';

/**
 * The auction as canonical JSON: terms, then orders by `seq`, every object's keys sorted,
 * integers and ratios as decimal strings. The same auction gives the same text whatever the
 * order of its orders or of their fields.
 */
export function canonicalAuction(auction: Auction): string {
  const orders = [...auction.orders].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  return canonicalJson({ format: AUCTION_FORMAT, terms: auction.terms, orders });
}

export function hashAuction(auction: Auction): string {
  return sha256(canonicalAuction(auction));
}

/** The published result as canonical JSON (timings left out: they are not part of a result). */
export function canonicalAuctionResult(result: ClearedAuction): string {
  const byId = <T>(map: ReadonlyMap<string, T>) =>
    Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : 1)));
  return canonicalJson({
    format: AUCTION_RESULT_FORMAT,
    solver: result.solver,
    prices: {
      priceTicks: result.prices.priceTicks,
      low: result.prices.low,
      high: result.prices.high,
      exact: result.prices.exact,
      storageValues: byId(result.prices.storageValues),
    },
    quantities: {
      steps: byId(result.quantities.steps),
      blocks: byId(result.quantities.blocks),
      conversions: byId(result.quantities.conversions),
      storages: byId(result.quantities.storages),
      grid: byId(result.quantities.grid),
      volumeWh: result.quantities.volumeWh,
    },
    awards: result.awards,
    acceptedBlocks: result.acceptedBlocks,
    removedBlocks: result.removedBlocks,
    paradoxicallyRejected: result.paradoxicallyRejected,
    fallback: result.fallback,
  });
}

export function hashAuctionResult(result: ClearedAuction): string {
  return sha256(canonicalAuctionResult(result));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** JSON with sorted keys; bigints as strings, ratios as `num/den`, null kept, undefined dropped. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(normalise);
  if (isRatio(value)) return `${value.num}/${value.den}`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, normalise(v)]));
}

function isRatio(value: object): value is Ratio {
  const keys = Object.keys(value);
  return (
    keys.length === 2 &&
    typeof (value as Ratio).num === 'bigint' &&
    typeof (value as Ratio).den === 'bigint'
  );
}
