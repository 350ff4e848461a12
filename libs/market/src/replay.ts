import type { BookClearing } from './clearing-result';
import { hashBook, hashBookClearing, type ClearingTerms } from './canonical';
import { clearBook } from './clear';
import type { Mechanism, Side } from './order';
import { OrderBookBuilder, type IntegerInput, type OrderBook } from './order-book';
import type { PriceGrid } from './price-grid';
import { parseK } from './ratio';
import { InvariantViolation } from './invariant';

/** A frozen book as stored: columns of integers (as `pg` returns `int8`: text) in any row order. */
export interface StoredBook {
  readonly id: readonly IntegerInput[];
  readonly side: readonly Side[];
  readonly priceTicks: readonly IntegerInput[];
  readonly quantityWh: readonly IntegerInput[];
  readonly acceptedAtUs: readonly IntegerInput[];
}

/** A product's clearing terms as configured or stored: decimal strings. */
export interface StoredTerms extends PriceGrid {
  readonly mechanism: Mechanism;
  readonly k: string;
}

export interface Replay {
  readonly book: OrderBook;
  readonly clearing: BookClearing;
  readonly grid: PriceGrid;
  readonly inputHash: string;
  readonly resultHash: string;
}

/**
 * Clears a stored book under stored terms and hashes input and result: what the matcher
 * does at gate closure and what an auditor re-runs to verify it. Deterministic.
 */
export function replayClearing(stored: StoredBook, terms: StoredTerms): Replay {
  const builder = new OrderBookBuilder(stored.id.length);
  for (let i = 0; i < stored.id.length; i++) {
    builder.add(
      stored.id[i],
      stored.side[i],
      stored.priceTicks[i],
      stored.quantityWh[i],
      stored.acceptedAtUs[i],
    );
  }
  const book = builder.build();
  const k = parseK(terms.k);
  if (!k.ok) throw new InvariantViolation(`invalid k ${terms.k}: ${k.rejection.message}`);
  const grid: PriceGrid = {
    priceTick: terms.priceTick,
    minPrice: terms.minPrice,
    maxPrice: terms.maxPrice,
  };
  const clearingTerms: ClearingTerms = { mechanism: terms.mechanism, k: k.value, grid };
  const clearing = clearBook(terms.mechanism, book, { k: k.value }, grid);
  return {
    book,
    clearing,
    grid,
    inputHash: hashBook(book, clearingTerms),
    resultHash: hashBookClearing(book, clearing),
  };
}
