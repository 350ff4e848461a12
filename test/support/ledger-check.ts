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

const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;

/**
 * A second reserved window, for tampering specs that place their orders through the API (whose
 * horizon is at most 366 days): deliveries 300 to 367 days from today (UTC). Other specs' API
 * orders deliver within days, their factory orders in the 2030s.
 */
export const NEAR_TAMPER_WINDOW = {
  from: new Date(today + 300 * DAY_MS),
  to: new Date(today + 367 * DAY_MS),
} as const;

/**
 * The id of the first journal (outside the tamper windows) whose chain link, hash or balance is
 * broken, or null: the ledger verification of libs/db (`verifyJournalChain`, which `verifyLedger`
 * runs) over every other journal.
 */
export async function firstBrokenJournal(db: Client): Promise<string | null> {
  const broken: string[] = [];
  for (const range of [
    { to: NEAR_TAMPER_WINDOW.from },
    { from: NEAR_TAMPER_WINDOW.to, to: TAMPER_WINDOW.from },
    { from: TAMPER_WINDOW.to },
  ]) {
    const check = await verifyJournalChain(db, range);
    if (check.firstBrokenJournalId !== null) broken.push(check.firstBrokenJournalId);
  }
  broken.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return broken[0] ?? null;
}
