import { SIDE_BUY } from '../order-book';

/*
 * Step 3 of the merit-order walk (./run-merit-order.ts): bucket the orders at the reached
 * levels into a queue per side. The kernel reads module-local constants only: an imported
 * binding is a read from the exporting module on every use.
 */

const BUY = SIDE_BUY;

/**
 * Kernel of step 3: a stable counting sort of the rows at reached levels into the two
 * queues (rows and quantities side by side, so the walk reads sequentially). Rows at
 * levels better than the marginal one are fully filled; worse ones stay at 0.
 */
export function queueRows(
  n: number,
  side: Uint8Array,
  price: Float64Array,
  quantity: Float64Array,
  rowLevel: Int32Array,
  byRowLevel: boolean,
  base: number,
  bidFloor: number,
  offerCeiling: number,
  bidCursor: Int32Array,
  offerCursor: Int32Array,
  bidRows: Int32Array,
  bidQuantity: Float64Array,
  offerRows: Int32Array,
  offerQuantity: Float64Array,
  filled: Float64Array,
): void {
  for (let r = 0; r < n; r++) {
    const level = byRowLevel ? rowLevel[r] : price[r] - base;
    if (side[r] === BUY) {
      if (level >= bidFloor) {
        const q = quantity[r];
        const at = bidCursor[level]++;
        bidRows[at] = r;
        bidQuantity[at] = q;
        if (level !== bidFloor) filled[r] = q;
      }
    } else if (level <= offerCeiling) {
      const q = quantity[r];
      const at = offerCursor[level]++;
      offerRows[at] = r;
      offerQuantity[at] = q;
      if (level !== offerCeiling) filled[r] = q;
    }
  }
}
