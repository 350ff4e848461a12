import { journalHash, journalLines, type JournalLine } from '@parkex/market';
import type { ClearingSession } from './clearing.repository';

/**
 * Settlements the medium specs write through a claimed `ClearingSession`, as the matcher would:
 * the unit book (one bid, one offer) cleared with one fill, or as NO_TRADE.
 */

/**
 * How long a medium spec's clearing waits for the ledger lock. The lock is one per database and
 * specs running beside it hold it on purpose: matcher-timeouts (e2e) keeps a frozen matcher in its
 * ledger COPY until a rescuer process has started and ended it (2.9 s on an idle machine; in CI,
 * under the full suite on two cores, past the 5 s this used to wait). A spec that is not about
 * that wait waits it out.
 */
export const LEDGER_LOCK_WAIT_MS = 20_000;

export const SPEC_HASHES = { inputHash: 'i'.repeat(64), resultHash: 'r'.repeat(64) };

/** Settles the claimed unit book: one fill of 1 kWh for 4.00; returns its journal's lines. */
export async function settleOneFill(
  session: ClearingSession,
): Promise<{ lines: JournalLine[]; accounts: string[] }> {
  const book = await session.loadBook();
  const [buy, sell] = [book.side.indexOf('BUY'), book.side.indexOf('SELL')];
  const { byParticipant, utility } = await session.accounts(book.participantId);
  const [buyer, seller] = [book.participantId[buy], book.participantId[sell]];
  const accounts = [byParticipant.get(buyer)!, byParticipant.get(seller)!];
  const lines = journalLines(
    [
      {
        seq: 0,
        buyerAccountId: accounts[0],
        sellerAccountId: accounts[1],
        quantityWh: 1000n,
        amountMinor: 400n,
      },
    ],
    utility,
    session.interval.terms.networkFee,
  );
  const { productCode, deliveryStart } = session.interval;
  await session.write({
    record: record('CLEARED', '4', book),
    fills: {
      buyOrderId: [book.id[buy]],
      sellOrderId: [book.id[sell]],
      buyerId: [buyer],
      sellerId: [seller],
      quantityWh: ['1000'],
      price: ['4'],
      amountMinor: ['400'],
    },
    orderStates: { id: book.id, status: ['FILLED', 'FILLED'], filledWh: ['1000', '1000'] },
    journal: {
      accountId: lines.map((l) => l.accountId),
      kind: lines.map((l) => l.kind),
      fillSeq: lines.map((l) => l.fillSeq),
      energyWh: lines.map((l) => l.energyWh.toString()),
      amountMinor: lines.map((l) => l.amountMinor.toString()),
      debitMinor: lines
        .filter((l) => l.amountMinor < 0n)
        .reduce((sum, l) => sum - l.amountMinor, 0n)
        .toString(),
      hashVersion: 2,
      hash: (prevHash) =>
        journalHash(
          2,
          prevHash,
          { productCode, deliveryStart: deliveryStart.toISOString(), ...SPEC_HASHES },
          lines,
        ),
    },
  });
  return { lines, accounts };
}

/** Settles the claimed book as NO_TRADE: a result, the orders UNFILLED, no journal. */
export async function settleNoTrade(session: ClearingSession): Promise<void> {
  const book = await session.loadBook();
  await session.write({
    record: record('NO_TRADE', null, book),
    fills: {
      buyOrderId: [],
      sellOrderId: [],
      buyerId: [],
      sellerId: [],
      quantityWh: [],
      price: [],
      amountMinor: [],
    },
    orderStates: {
      id: book.id,
      status: book.id.map(() => 'UNFILLED' as const),
      filledWh: book.id.map(() => '0'),
    },
  });
}

function record(
  status: 'CLEARED' | 'NO_TRADE',
  price: string | null,
  book: { side: string[] },
): Parameters<ClearingSession['write']>[0]['record'] {
  const traded = status === 'CLEARED';
  return {
    status,
    price,
    volumeWh: traded ? '1000' : '0',
    amountMinor: traded ? '400' : '0',
    feeMinor: '0',
    bidCount: book.side.filter((s) => s === 'BUY').length,
    offerCount: book.side.filter((s) => s === 'SELL').length,
    ...SPEC_HASHES,
    demandCurve: [],
    supplyCurve: [],
    matcherVersion: 'medium-spec',
    matcherId: 'medium-spec',
    timings: {},
  };
}
