export {
  IMBALANCE_FORMAT,
  energyAmountMinor,
  hashImbalanceInput,
  hashImbalanceResult,
  imbalanceJournalHeader,
  imbalanceJournalLines,
  imbalanceLine,
  imbalancePrices,
  linesInForce,
  settleImbalance,
} from './imbalance';
export type {
  ImbalanceLine,
  ImbalanceLineKind,
  ImbalanceParty,
  ImbalancePrices,
  ImbalanceRevision,
} from './imbalance';
export { MAX_IMBALANCE_DIFFERENCES, verifyImbalance } from './verify';
export type {
  ImbalanceVerification,
  ImbalanceVerificationInput,
  LatestReading,
  StoredImbalanceRevision,
} from './verify';
