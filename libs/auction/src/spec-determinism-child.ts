/**
 * Run by `canonical.spec.ts` in fresh processes: clears the example auction and prints its input
 * and result hashes.
 */
import { loadHighsSolver } from '@parkex/solver';
import { hashAuction, hashAuctionResult } from './canonical';
import { clearAuction } from './clear-auction';
import { exampleAuction } from './spec-examples';

void (async () => {
  const solver = await loadHighsSolver();
  const result = clearAuction(exampleAuction, solver, () => 0);
  if (result.status !== 'CLEARED') throw new Error('not cleared');
  process.stdout.write(`${hashAuction(exampleAuction)} ${hashAuctionResult(result)}\n`);
})();
