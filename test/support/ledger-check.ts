import { verifyJournalChain } from '@parkex/db';
import type { Client } from 'pg';

/**
 * Delivery starts reserved for specs that tamper with ledger rows (as a superuser would) to show
 * that verification catches it. Nothing else places orders there (market-factory's
 * `nextDeliveryStart` stays in the 2030s), and `firstBrokenJournal` leaves this window out, so a
 * tampering spec running in parallel cannot break another spec's whole-chain check.
 */
export const TAMPER_WINDOW = {
  from: new Date(Date.UTC(2040, 0, 1)),
  to: new Date(Date.UTC(2041, 0, 1)),
} as const;

/**
 * The id of the first journal (outside the tamper window) whose chain link, hash or balance is
 * broken, or null: the ledger verification of libs/db (`verifyJournalChain`, which `verifyLedger`
 * runs) over every other journal.
 */
export async function firstBrokenJournal(db: Client): Promise<string | null> {
  const before = await verifyJournalChain(db, { to: TAMPER_WINDOW.from });
  const after = await verifyJournalChain(db, { from: TAMPER_WINDOW.to });
  const broken = [before.firstBrokenJournalId, after.firstBrokenJournalId].filter(
    (id): id is string => id !== null,
  );
  broken.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return broken[0] ?? null;
}
