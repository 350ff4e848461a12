/**
 * @parkex/auction — the integrated day-ahead auction: electricity, heat and storage cleared
 * together over a day of intervals. Pure like @parkex/market (no framework, database, clock or
 * I/O); the solver is reached through an interface. See ../README.md.
 */
export * from './limits';
export type {
  Auction,
  AuctionOrder,
  AuctionTerms,
  BlockOrder,
  CarrierTerms,
  ConversionOrder,
  ConversionOutput,
  GridConnection,
  OrderKind,
  StepOrder,
  StorageOrder,
} from './model';
export {
  AUCTION_REJECTION_CODES,
  MAX_REPORTED_REJECTIONS,
  maxInputAt,
  validateAuction,
} from './validate';
export type { AuctionCheck, AuctionRejection, AuctionRejectionCode } from './validate';
export type { LpColumn, LpModel, LpRow, LpSolution, LpSolver, LpStatus } from './lp';
export { MAX_REPAIR_ROUNDS, clearAuction } from './clear-auction';
export type { AuctionClearing, AuctionPrices, AuctionQuantities, Clock } from './clear-auction';
export { awardLines } from './awards';
export type { AwardLine, AwardParty, Awards } from './awards';
export { MAX_DETAILS, verifyAuction } from './verify';
export type { AuctionVerification, ClearedAuction, VerificationCheck } from './verify';
export { formulate } from './formulate';
export type { BlockSelection, Formulation } from './formulate';
export {
  AUCTION_FORMAT,
  AUCTION_RESULT_FORMAT,
  canonicalAuction,
  canonicalAuctionResult,
  hashAuction,
  hashAuctionResult,
} from './canonical';
