import type { Client } from 'pg';
import { TAMPER_WINDOW } from '@parkex/test-support/ledger-check';
import {
  closeGate,
  createParticipants,
  createProduct,
  placeOrders,
  unitBook,
} from '@parkex/test-support/market-factory';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

/**
 * Delivery starts of this file alone (2043): specs share the database, and some of them look at
 * every participant's settlements of a delivery start.
 */
let intervals = 0;
function nextDeliveryStart(): Date {
  intervals += 1;
  return new Date(Date.UTC(2043, 0, 1) + (process.pid % 300) * 86_400_000 + intervals * 900_000);
}

const VERIFY_CLEARING = `query($product: String!, $start: DateTime!) {
  verifyClearing(productCode: $product, deliveryStart: $start) {
    ok inputHash resultHash recomputedInputHash recomputedResultHash differences } }`;
const VERIFY_LEDGER = `query($from: DateTime!, $to: DateTime!) {
  verifyLedger(from: $from, to: $to) { ok firstBrokenJournalId journalsChecked reasons } }`;

/**
 * Auditors re-run clearings and walk the ledger. Tampering is done as a superuser would: triggers
 * off, UPDATE, triggers on, in one transaction (other sessions wait on the table lock and never
 * see the triggers off), and undone the same way afterwards. Ledger tampering stays in this
 * file's part of the reserved tamper window (2040), which whole-chain checks of other specs skip.
 */
describe('verifyClearing and verifyLedger', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let product: string;
  let buyer: string;
  let seller: string;
  let auditor: { id: string; key: string };
  let tenant: { id: string; key: string };

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    product = await createProduct(db, { networkFee: '0.125' });
    [buyer, seller] = await createParticipants(db, 2);
    auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
    tenant = await api.createParticipant(uniqueName('Tenant'));
    matcher = await startTestMatcher([product]);
  });
  afterAll(async () => {
    await matcher.close();
    await db.end();
    await api.close();
  });

  /** Bids and offers of 1 kWh; bids [7, 4, 3] and offers [1, 1, 5] clear 2 kWh at 3.5. */
  async function cleared(start: Date, bids = [7, 4, 3], offers = [1, 1, 5]): Promise<string[]> {
    const ids = await placeOrders(db, product, start, unitBook(buyer, seller, bids, offers));
    await closeGate(db, product, start);
    await matcher.drain();
    return ids;
  }

  /** Runs `sql` with the user triggers of `table` disabled, as a superuser could. */
  async function asSuperuser(table: string, sql: string, params: unknown[]): Promise<void> {
    await db.query('BEGIN');
    try {
      await db.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      const changed = await db.query(sql, params);
      expect(changed.rowCount).toBe(1);
      await db.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    }
  }

  const verifyClearing = (start: Date, key = auditor.key) =>
    api.gql(VERIFY_CLEARING, { product, start: start.toISOString() }, key);

  async function storedHashes(start: Date) {
    const { rows } = await db.query(
      `SELECT input_hash, result_hash FROM clearing_result WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    return rows[0] as { input_hash: string; result_hash: string };
  }

  describe('verifyClearing', () => {
    it('finds a real clearing reproducible, for the auditor and the operator', async () => {
      const start = nextDeliveryStart();
      await cleared(start);
      const stored = await storedHashes(start);
      for (const key of [auditor.key, api.operatorKey]) {
        const result = await verifyClearing(start, key);
        expect(result.errors).toBeUndefined();
        expect(result.data.verifyClearing).toEqual({
          ok: true,
          inputHash: stored.input_hash,
          resultHash: stored.result_hash,
          recomputedInputHash: stored.input_hash,
          recomputedResultHash: stored.result_hash,
          differences: [],
        });
      }
    });

    it('shows ok = false, and what differs, when a stored order was changed', async () => {
      const start = nextDeliveryStart();
      const [bid7] = await cleared(start);
      const stored = await storedHashes(start);
      await asSuperuser('market_order', `UPDATE market_order SET price = 2 WHERE id = $1`, [bid7]);
      try {
        const result = await verifyClearing(start);
        expect(result.errors).toBeUndefined();
        const check = result.data.verifyClearing;
        expect(check.ok).toBe(false);
        expect(check.inputHash).toBe(stored.input_hash);
        expect(check.recomputedInputHash).toMatch(/^[0-9a-f]{64}$/);
        expect(check.recomputedInputHash).not.toBe(stored.input_hash);
        expect(check.differences).toEqual(
          expect.arrayContaining([
            `inputHash differs: stored ${stored.input_hash}, recomputed ${check.recomputedInputHash}`,
            `resultHash differs: stored ${stored.result_hash}, recomputed ${check.recomputedResultHash}`,
            'price differs: stored 3.5, recomputed 2.5',
            expect.stringMatching(
              /^fill 0 differs: stored buy \d+ by [0-9a-f-]{36} sell \d+ by [0-9a-f-]{36} 1 kWh at 3\.5 amount 350, recomputed .* at 2\.5 amount 250$/,
            ),
          ]),
        );
      } finally {
        await asSuperuser('market_order', `UPDATE market_order SET price = 7 WHERE id = $1`, [
          bid7,
        ]);
      }
      const restored = await verifyClearing(start);
      expect(restored.data.verifyClearing).toMatchObject({ ok: true, differences: [] });
    });

    it('reports an order off the stored tick as a difference instead of failing', async () => {
      const start = nextDeliveryStart();
      const [, bid4] = await cleared(start);
      await asSuperuser('market_order', `UPDATE market_order SET price = 4.25 WHERE id = $1`, [
        bid4,
      ]);
      try {
        const result = await verifyClearing(start);
        expect(result.errors).toBeUndefined();
        expect(result.data.verifyClearing).toMatchObject({
          ok: false,
          recomputedInputHash: '',
          recomputedResultHash: '',
          differences: [
            `order ${bid4}: its price is not a multiple of the stored tick 0.5`,
            expect.stringMatching(/^the stored book cannot be cleared again: /),
          ],
        });
      } finally {
        await asSuperuser('market_order', `UPDATE market_order SET price = 4 WHERE id = $1`, [
          bid4,
        ]);
      }
    });

    it('answers NOT_FOUND before clearing, FORBIDDEN to a participant', async () => {
      const notCleared = await verifyClearing(nextDeliveryStart());
      expect(notCleared.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(notCleared.errors?.[0].message).toMatch(/has not been cleared/);
      const start = nextDeliveryStart();
      await cleared(start);
      const asTenant = await verifyClearing(start, tenant.key);
      expect(asTenant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('verifyLedger', () => {
    // This file's day of the tamper window: nobody else delivers there.
    const day = new Date(TAMPER_WINDOW.from.getTime() + ((process.pid % 300) + 1) * 86_400_000);
    const window = {
      from: day.toISOString(),
      to: new Date(day.getTime() + 86_400_000).toISOString(),
    };
    const starts = [0, 1, 2].map((i) => new Date(day.getTime() + i * 900_000));
    let journals: string[];

    const verifyLedger = (range: { from: string; to: string }, key = auditor.key) =>
      api.gql(VERIFY_LEDGER, range, key);

    beforeAll(async () => {
      for (const start of starts) await cleared(start);
      const { rows } = await db.query<{ id: string }>(
        `SELECT id::text FROM journal WHERE product_code = $1 AND delivery_start = ANY($2::timestamptz[]) ORDER BY journal.id`,
        [product, starts],
      );
      journals = rows.map((r) => r.id);
      expect(journals).toHaveLength(3);
    });

    it('passes an untouched window, chaining its first journal to its actual predecessor', async () => {
      const all = await verifyLedger(window);
      expect(all.errors).toBeUndefined();
      expect(all.data.verifyLedger).toEqual({
        ok: true,
        firstBrokenJournalId: null,
        journalsChecked: 3,
        reasons: [],
      });
      // Only the second journal: its prev_hash must match the journal before it, not genesis.
      const second = await verifyLedger({
        from: starts[1].toISOString(),
        to: new Date(starts[1].getTime() + 1).toISOString(),
      });
      expect(second.data.verifyLedger).toMatchObject({ ok: true, journalsChecked: 1 });
      const empty = await verifyLedger({
        from: new Date(day.getTime() + 3_600_000).toISOString(),
        to: new Date(day.getTime() + 7_200_000).toISOString(),
      });
      expect(empty.data.verifyLedger).toMatchObject({ ok: true, journalsChecked: 0 });
    });

    it('names the first journal whose entry was changed', async () => {
      const entry = `UPDATE ledger_entry SET amount_minor = amount_minor + $2 WHERE journal_id = $1 AND line = 0`;
      await asSuperuser('ledger_entry', entry, [journals[1], 1]);
      try {
        const result = await verifyLedger(window);
        expect(result.errors).toBeUndefined();
        expect(result.data.verifyLedger).toMatchObject({
          ok: false,
          firstBrokenJournalId: journals[1],
          journalsChecked: 3,
        });
        expect(result.data.verifyLedger.reasons).toEqual([
          expect.stringMatching(
            new RegExp(`^journal ${journals[1]}: stored hash .* differs from the recomputed`),
          ),
          `journal ${journals[1]}: entries sum to 1, not 0`,
          `journal ${journals[1]}: debits add up to 724, debit_minor says 725`,
        ]);
      } finally {
        await asSuperuser('ledger_entry', entry, [journals[1], -1]);
      }
      expect((await verifyLedger(window)).data.verifyLedger.ok).toBe(true);
    });

    it('catches a journal whose totals were changed (the hash does not cover them)', async () => {
      const totals = `UPDATE journal SET debit_minor = debit_minor + $2 WHERE id = $1`;
      await asSuperuser('journal', totals, [journals[2], 100]);
      try {
        const result = await verifyLedger(window);
        expect(result.data.verifyLedger).toEqual({
          ok: false,
          firstBrokenJournalId: journals[2],
          journalsChecked: 3,
          reasons: [`journal ${journals[2]}: debits add up to 725, debit_minor says 825`],
        });
      } finally {
        await asSuperuser('journal', totals, [journals[2], -100]);
      }
    });

    it('refuses a participant and an empty window', async () => {
      expect((await verifyLedger(window, tenant.key)).errors?.[0].extensions?.code).toBe(
        'FORBIDDEN',
      );
      const backwards = await verifyLedger({ from: window.to, to: window.from });
      expect(backwards.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'to',
      });
    });
  });
});
