// eslint-disable-next-line no-restricted-imports -- the determinism check runs the engine in fresh processes
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadHighsSolver } from '@parkex/solver';
import {
  canonicalAuction,
  canonicalAuctionResult,
  hashAuction,
  hashAuctionResult,
} from './canonical';
import { clearAuction } from './clear-auction';
import { exampleAuction } from './spec-examples';

const ROOT = join(__dirname, '../../..');

describe('canonical auction and result', () => {
  it('hash the same auction the same whatever the order of its orders and fields', () => {
    const shuffled = {
      terms: exampleAuction.terms,
      orders: [...exampleAuction.orders]
        .reverse()
        .map((order) => Object.fromEntries(Object.entries(order).reverse()) as typeof order),
    };
    expect(canonicalAuction(shuffled)).toBe(canonicalAuction(exampleAuction));
    const changed = {
      ...exampleAuction,
      orders: exampleAuction.orders.map((o, i) => (i === 0 ? { ...o, seq: o.seq + 1000n } : o)),
    };
    expect(hashAuction(changed)).not.toBe(hashAuction(exampleAuction));
  });

  it('gives byte-identical results across processes', async () => {
    const result = clearAuction(exampleAuction, await loadHighsSolver(), () => 0);
    if (result.status !== 'CLEARED') throw new Error('not cleared');
    const here = `${hashAuction(exampleAuction)} ${hashAuctionResult(result)}`;
    const child = () =>
      execFileSync(
        process.execPath,
        ['-r', join(ROOT, 'scripts/register.js'), join(__dirname, 'spec-determinism-child.ts')],
        { cwd: ROOT, encoding: 'utf8' },
      ).trim();

    expect([child(), child()]).toEqual([here, here]);
    expect(canonicalAuctionResult(result)).toContain('"solver":"highs ');
  });
});
