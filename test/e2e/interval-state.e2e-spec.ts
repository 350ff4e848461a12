import type { Client } from 'pg';
import {
  createParticipants,
  createProduct,
  nextDeliveryStart,
  placeOrders,
  unitBook,
} from '@parkex/test-support/market-factory';
import { connectTestDatabase } from '@parkex/test-support/test-database';

/**
 * product_interval is a state machine kept by the database, whoever connects:
 * OPEN → CLEARED | FAILED, FAILED → RETRYING, RETRYING → CLEARED | FAILED; keys, frozen terms
 * and the gate never change; rows are never deleted.
 */
describe('product-interval state machine', () => {
  let db: Client;

  beforeAll(async () => {
    db = await connectTestDatabase();
  });
  afterAll(async () => {
    await db.end();
  });

  async function openInterval(): Promise<{ product: string; start: Date }> {
    const product = await createProduct(db);
    const [buyer, seller] = await createParticipants(db, 2);
    const start = nextDeliveryStart();
    await placeOrders(db, product, start, unitBook(buyer, seller, [5], [4]));
    return { product, start };
  }

  function update(set: string, key: { product: string; start: Date }) {
    return db.query(
      `UPDATE product_interval SET ${set} WHERE product_code = $1 AND delivery_start = $2`,
      [key.product, key.start],
    );
  }

  it('allows OPEN → FAILED → RETRYING → FAILED → RETRYING → CLEARED, and OPEN → CLEARED', async () => {
    const key = await openInterval();
    for (const state of ['FAILED', 'RETRYING', 'FAILED', 'RETRYING', 'CLEARED']) {
      await expect(update(`state = '${state}'`, key)).resolves.toMatchObject({ rowCount: 1 });
    }
    await expect(update(`state = 'CLEARED'`, await openInterval())).resolves.toMatchObject({
      rowCount: 1,
    });
  });

  it.each([
    ['CLEARED', 'OPEN'],
    ['CLEARED', 'FAILED'],
    ['FAILED', 'OPEN'],
    ['FAILED', 'CLEARED'],
    ['RETRYING', 'OPEN'],
  ])('refuses %s → %s', async (from, to) => {
    const key = await openInterval();
    const path = { CLEARED: ['CLEARED'], FAILED: ['FAILED'], RETRYING: ['FAILED', 'RETRYING'] };
    for (const state of path[from as keyof typeof path]) await update(`state = '${state}'`, key);
    await expect(update(`state = '${to}'`, key)).rejects.toThrow(
      new RegExp(`${from} -> ${to} is not allowed`),
    );
  });

  it('refuses an unknown state', async () => {
    await expect(update(`state = 'SETTLED'`, await openInterval())).rejects.toThrow(
      /OPEN -> SETTLED is not allowed/,
    );
  });

  it.each([
    ['the gate', `gate_closure_at = gate_closure_at - interval '1 minute'`],
    ['the tick', `price_tick = price_tick * 2`],
    ['the price caps', `max_price = max_price + 1`],
    ['the mechanism', `mechanism = 'PAY_AS_BID'`],
    ['k', `k = 1`],
    ['the network fee', `network_fee = network_fee + 0.01`],
    ['the participant limit', `max_participant_quantity_wh = max_participant_quantity_wh + 1`],
    ['the delivery start', `delivery_start = delivery_start + interval '15 minutes'`],
  ])('refuses to change %s, also of a cleared interval', async (_what, set) => {
    const open = await openInterval();
    await expect(update(set, open)).rejects.toThrow(/its key, terms and gate cannot change/);
    const cleared = await openInterval();
    await update(`state = 'CLEARED'`, cleared);
    await expect(update(set, cleared)).rejects.toThrow(/its key, terms and gate cannot change/);
  });

  it('refuses DELETE and TRUNCATE', async () => {
    const key = await openInterval();
    await expect(
      db.query(`DELETE FROM product_interval WHERE product_code = $1 AND delivery_start = $2`, [
        key.product,
        key.start,
      ]),
    ).rejects.toThrow(/never removed: DELETE refused/);
    // TRUNCATE … CASCADE must lock every table that references product_interval, which other
    // specs are using: wait for the locks at most briefly (below deadlock_timeout, so this test
    // never makes the server abort another spec's transaction) and try again.
    const truncate = async (): Promise<string> => {
      await db.query('BEGIN');
      try {
        await db.query(`SET LOCAL lock_timeout = '300ms'`);
        await db.query(`TRUNCATE product_interval CASCADE`);
        return 'truncated';
      } catch (error) {
        return (error as Error).message;
      } finally {
        await db.query('ROLLBACK');
      }
    };
    let refusal = await truncate();
    for (let tries = 1; tries < 50 && /lock timeout/.test(refusal); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      refusal = await truncate();
    }
    expect(refusal).toMatch(/append-only: TRUNCATE refused/);
    const { rows } = await db.query(
      `SELECT state FROM product_interval WHERE product_code = $1 AND delivery_start = $2`,
      [key.product, key.start],
    );
    expect(rows).toEqual([{ state: 'OPEN' }]);
  });
});
