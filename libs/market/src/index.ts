/**
 * @parkex/market — the pure market domain: units, clearing, audit hashes.
 * No framework, database, clock or I/O. See ../README.md for the contract and examples.
 */

// Results and errors
export { REJECTION_CODES, ok, reject } from './result';
export type { Rejection, RejectionCode, Result } from './result';
export { InvariantViolation } from './invariant';

// Units
export {
  MAX_DECIMAL_LENGTH,
  MAX_DECIMAL_SCALE,
  canonicalDecimal,
  divideRoundHalfAwayFromZero,
  formatDecimal,
  formatFixed,
  formatScaled,
  parseDecimal,
  parseScaled,
} from './decimal';
export type { Decimal, ParseDecimalOptions } from './decimal';
export type { IntegerLike } from './integers';
export { DEFAULT_PRICE_TICK, compilePriceGrid, validatePriceGrid } from './price-grid';
export type { CompiledPriceGrid, PriceGrid } from './price-grid';
export { formatPrice, parsePrice } from './price';
export { MAX_QUANTITY_WH, QUANTITY_DECIMALS, formatQuantity, parseQuantity } from './quantity';
export {
  BOOK_SIDE_LIMIT_MINOR,
  BOOK_SIDE_LIMIT_WH,
  DEFAULT_MAX_PARTICIPANT_QUANTITY_WH,
} from './book-limits';
export {
  MONEY_DECIMALS,
  fillAmountMinor,
  formatMoney,
  networkFeeMinor,
  parseFeePerKwh,
} from './money';
export { parseK, ratio } from './ratio';
export type { Ratio } from './ratio';

// Orders and books
export { MECHANISMS, fillState } from './order';
export type { FillState, Mechanism, Order, Side } from './order';
export { OrderBookBuilder, SIDE_BUY, SIDE_SELL, orderAt, orderBookFromOrders } from './order-book';
export type { IntegerInput, OrderBook } from './order-book';

// Clearing
export { clear, clearBook } from './clear';
export { clearBookUniformPrice, clearUniformPrice } from './uniform-price';
export { clearBookPayAsBid, clearPayAsBid } from './pay-as-bid';
export { toClearingResult } from './clearing-output';
export type {
  BookClearing,
  BookPriceRange,
  ClearingParams,
  ClearingResult,
  ClearingStatus,
  CurveColumns,
  CurvePoint,
  Fill,
  FillColumns,
  PriceRange,
} from './clearing-result';

// Audit
export {
  BOOK_FORMAT,
  RESULT_FORMAT,
  canonicalBook,
  canonicalBookClearing,
  canonicalResult,
  hashBook,
  hashBookClearing,
  hashResult,
} from './canonical';
export type { ClearingTerms } from './canonical';
export { AUDIT_SEAL_FORMAT, auditSealHash, canonicalAuditSeal } from './audit-seal';
export type { SealedAuditRow } from './audit-seal';

// Settlement
export {
  GENESIS_HASH,
  JOURNAL_FORMATS,
  JOURNAL_HASH_VERSION,
  isJournalHashVersion,
  journalDebitMinor,
  journalFeeMinor,
  journalHash,
  journalLines,
} from './settlement';
export type {
  EntryKind,
  JournalHashVersion,
  JournalHeader,
  JournalLine,
  SettlementFill,
} from './settlement';

// Replay (matcher and auditors)
export { replayClearing } from './replay';
export type { Replay, StoredBook, StoredTerms } from './replay';

// Storage safety: early-warning rules, hysteresis, trading limits
export * from './safety';

// Carbon accounting: emission factors, scope 2 reports, the park's carbon intensity
export * from './carbon';

// Imbalance settlement: metered against traded energy, settled with the utility
export * from './imbalance';
