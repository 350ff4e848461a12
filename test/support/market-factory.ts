import { randomInt, randomUUID } from 'node:crypto';
import type { Client } from 'pg';

/**
 * Small factories that write straight to the database (the real schema and triggers), for
 * medium and matcher tests that need books without going through the API.
 */
export interface ProductSpec {
  code?: string;
  priceTick?: string;
  minPrice?: string;
  maxPrice?: string;
  mechanism?: 'UNIFORM_PRICE' | 'PAY_AS_BID';
  k?: string;
  networkFee?: string;
  intervalSeconds?: number;
}

let sequence = 0;

export async function createProduct(db: Client, spec: ProductSpec = {}): Promise<string> {
  sequence += 1;
  const code = spec.code ?? `T${process.pid}_${Date.now().toString(36).toUpperCase()}_${sequence}`;
  await db.query(
    `INSERT INTO product (code, name, unit, interval_seconds, gate_closure_seconds, horizon_seconds,
                          price_tick, min_price, max_price, mechanism, k, network_fee)
     VALUES ($1, $1, 'kWh', $2, 0, 86400, $3, $4, $5, $6, $7, $8)`,
    [
      code,
      spec.intervalSeconds ?? 900,
      spec.priceTick ?? '0.5',
      spec.minPrice ?? '-100',
      spec.maxPrice ?? '1000',
      spec.mechanism ?? 'UNIFORM_PRICE',
      spec.k ?? '0.5',
      spec.networkFee ?? '0',
    ],
  );
  return code;
}

export async function createParticipants(db: Client, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role) VALUES ($1, 'PARTICIPANT') RETURNING id`,
      [`tenant-${randomUUID()}`],
    );
    ids.push(rows[0].id);
  }
  return ids;
}

export interface OrderSpec {
  participant: string;
  side: 'BUY' | 'SELL';
  price: string;
  /** Wh */
  quantityWh: number | string;
}

// Spec files share one database and Jest reloads this module per file: start each file at a
// random quarter-hour of 2030–2038 so that their delivery starts do not meet (2040+ is kept
// for the ledger-tampering tests).
let nextQuarter = randomInt(0, 300_000);
/** A distinct delivery start far in the future (so its gate is open until we close it). */
export function nextDeliveryStart(): Date {
  nextQuarter += 1;
  return new Date(Date.UTC(2030, 0, 1) + nextQuarter * 900_000);
}

/** Opens the interval (gate in the future), inserts the orders in the given order. */
export async function placeOrders(
  db: Client,
  product: string,
  deliveryStart: Date,
  orders: OrderSpec[],
): Promise<string[]> {
  await db.query(
    `INSERT INTO product_interval (product_code, delivery_start, gate_closure_at)
     VALUES ($1, $2, now() + interval '1 hour') ON CONFLICT DO NOTHING`,
    [product, deliveryStart],
  );
  const ids: string[] = [];
  for (const order of orders) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO market_order (participant_id, client_order_id, product_code, delivery_start, side, price, quantity_wh)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text`,
      [
        order.participant,
        randomUUID(),
        product,
        deliveryStart,
        order.side,
        order.price,
        order.quantityWh,
      ],
    );
    ids.push(rows[0].id);
  }
  return ids;
}

/** Lets the gate close now: the interval becomes due for the matcher. */
export async function closeGate(db: Client, product: string, deliveryStart: Date): Promise<void> {
  await tamper(
    db,
    `UPDATE product_interval SET gate_closure_at = now() - interval '1 millisecond'
     WHERE product_code = $1 AND delivery_start = $2`,
    [product, deliveryStart],
  );
}

/**
 * Tests only: one statement with the triggers off (`session_replication_role = replica`, which
 * only a superuser may set), in a transaction of its own. For what the database otherwise
 * refuses, such as moving a gate or resetting a state.
 */
export async function tamper(db: Client, sql: string, params: unknown[] = []): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query('SET LOCAL session_replication_role = replica');
    await db.query(sql, params);
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

/** Bids and offers of one kWh each from two participants, prices as given. */
export function unitBook(
  buyer: string,
  seller: string,
  bids: number[],
  offers: number[],
): OrderSpec[] {
  return [
    ...bids.map((price) => ({
      participant: buyer,
      side: 'BUY' as const,
      price: String(price),
      quantityWh: 1000,
    })),
    ...offers.map((price) => ({
      participant: seller,
      side: 'SELL' as const,
      price: String(price),
      quantityWh: 1000,
    })),
  ];
}
