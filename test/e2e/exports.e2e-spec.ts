import type { Json } from '@parkex/test-support/orders';
import type { Client } from 'pg';
import {
  closeGate,
  createProduct,
  placeOrders,
  unitBook,
} from '@parkex/test-support/market-factory';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';
import { getCsv } from '@parkex/test-support/csv-export';

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks; CRLF ends each. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else if (c === '\r' || c === '\n') throw new Error(`bare line break at ${i}`);
    else field += c;
    i += 1;
  }
  if (field !== '' || record.length) throw new Error('the last record does not end with CRLF');
  return records;
}

const SETTLEMENT_COLUMNS = [
  'journal_id',
  'line',
  'delivery_start',
  'product_code',
  'participant_id',
  'participant_name',
  'account',
  'kind',
  'fill_seq',
  'energy_kwh',
  'amount',
  'source',
];

/** The CSV exports over HTTP, on one interval of this file's own (delivery in 2041). */
describe('CSV exports', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let product: string;
  let buyer: { id: string; key: string; name: string };
  let seller: { id: string; key: string; name: string };
  let auditor: { id: string; key: string };
  let journalId: string;
  let orderIds: string[];
  // Nobody else delivers in 2041.
  const start = new Date(Date.UTC(2041, 0, 1) + (process.pid % 300) * 86_400_000);
  const window = {
    from: start.toISOString(),
    to: new Date(start.getTime() + 900_000).toISOString(),
  };

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    product = await createProduct(db, { networkFee: '0.125' });
    const buyerName = `Plating, "North" ${uniqueName('hall')}`;
    buyer = { ...(await api.createParticipant(buyerName)), name: buyerName };
    // A name a spreadsheet would run, unique per run (names are unique; the set-up may run
    // more than once on one database when each test runs alone).
    const sellerName = `=HYPERLINK("http://x","${uniqueName('click')}")`;
    seller = { ...(await api.createParticipant(sellerName)), name: sellerName };
    auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
    orderIds = await placeOrders(
      db,
      product,
      start,
      unitBook(buyer.id, seller.id, [7, 4, 3], [1, 1, 5]),
    );
    await closeGate(db, product, start);
    matcher = await startTestMatcher([product]);
    await matcher.drain();
    const { rows } = await db.query(
      `SELECT id::text FROM journal WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    journalId = rows[0].id;
  });
  afterAll(async () => {
    await matcher.close();
    await db.end();
    await api.close();
  });

  const get = (path: string, query: Record<string, string>, key?: string) =>
    getCsv(api.app, path, query, key);

  describe('settlements.csv', () => {
    it('has a header and one row per ledger entry, quoted where RFC 4180 needs it', async () => {
      const response = await get('/exports/settlements.csv', window, auditor.key);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      expect(response.headers['content-disposition']).toMatch(
        /^attachment; filename="settlements_/,
      );
      const text: string = response.body;
      expect(text).toContain(`,"Plating, ""North"" `); // the buyer's name, quoted
      const [header, ...rows] = parseCsv(text);
      expect(header).toEqual(SETTLEMENT_COLUMNS);
      const at = start.toISOString();
      const b = [buyer.id, buyer.name, 'PARTICIPANT'];
      const s = [seller.id, `'${seller.name}`, 'PARTICIPANT'];
      expect(rows).toEqual([
        [journalId, '0', at, product, ...b, 'ENERGY', '0', '1', '-3.50', 'INTERVAL'],
        [journalId, '1', at, product, ...s, 'ENERGY', '0', '-1', '3.50', 'INTERVAL'],
        [journalId, '2', at, product, ...b, 'ENERGY', '1', '1', '-3.50', 'INTERVAL'],
        [journalId, '3', at, product, ...s, 'ENERGY', '1', '-1', '3.50', 'INTERVAL'],
        [journalId, '4', at, product, ...b, 'NETWORK_FEE', '', '0', '-0.25', 'INTERVAL'],
        [
          journalId,
          '5',
          at,
          product,
          '',
          '',
          'UTILITY',
          'NETWORK_FEE',
          '',
          '0',
          '0.25',
          'INTERVAL',
        ],
      ]);
    });

    it('neutralises a participant name that is a formula, and leaves negative amounts numbers', async () => {
      const response = await get(
        '/exports/settlements.csv',
        { ...window, participantId: seller.id },
        auditor.key,
      );
      expect(response.status).toBe(200);
      // The quote makes a spreadsheet show the text instead of running the formula.
      expect(response.body).toContain(`,"'${seller.name.replaceAll('"', '""')}",PARTICIPANT,`);
      expect(response.body).not.toMatch(/,"?=HYPERLINK/);
      const rows = parseCsv(response.body).slice(1);
      expect(rows.map((r) => [r[5], r[9]])).toEqual([
        [`'${seller.name}`, '-1'],
        [`'${seller.name}`, '-1'],
      ]);
    });

    it('filters by participant; a participant gets only its own', async () => {
      const bySeller = await get(
        '/exports/settlements.csv',
        { ...window, participantId: seller.id },
        auditor.key,
      );
      expect(
        parseCsv(bySeller.body)
          .slice(1)
          .map((r) => [r[1], r[4]]),
      ).toEqual([
        ['1', seller.id],
        ['3', seller.id],
      ]);
      const own = await get('/exports/settlements.csv', window, buyer.key);
      expect(own.status).toBe(200);
      expect(
        parseCsv(own.body)
          .slice(1)
          .map((r) => [r[1], r[4]]),
      ).toEqual([
        ['0', buyer.id],
        ['2', buyer.id],
        ['4', buyer.id],
      ]);
      const other = await get(
        '/exports/settlements.csv',
        { ...window, participantId: seller.id },
        buyer.key,
      );
      expect(other.status).toBe(403);
      expect(JSON.parse(other.body)).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('is recorded in the audit log', async () => {
      const response = await get('/exports/settlements.csv', window, auditor.key);
      expect(response.status).toBe(200);
      const log = await api.gql(
        `query($filter: AuditLogFilter) { auditLog(filter: $filter, first: 5) { edges { node { action outcome args } } } }`,
        { filter: { actorId: auditor.id, action: 'export:settlements.csv' } },
        auditor.key,
      );
      const entries = log.data.auditLog.edges.map((e: Json) => e.node);
      expect(entries.length).toBeGreaterThanOrEqual(1);
      expect(entries.every((e: Json) => e.outcome === 'OK')).toBe(true);
      expect(JSON.parse(entries.at(-1).args)).toMatchObject({
        from: window.from,
        to: window.to,
      });
    });
  });

  describe('fills.csv', () => {
    it('lists every fill with both sides for the auditor, nothing for a participant', async () => {
      const response = await get(
        '/exports/fills.csv',
        { ...window, productCode: product },
        auditor.key,
      );
      expect(response.status).toBe(200);
      const [bid7, bid4, , offer1a, offer1b] = orderIds;
      const at = start.toISOString();
      const parties = [buyer.id, seller.id];
      expect(parseCsv(response.body)).toEqual([
        [
          'product_code',
          'delivery_start',
          'seq',
          'buy_order_id',
          'sell_order_id',
          'buyer_id',
          'seller_id',
          'quantity_kwh',
          'price',
          'amount',
        ],
        [product, at, '0', bid7, offer1a, ...parties, '1', '3.5', '3.50'],
        [product, at, '1', bid4, offer1b, ...parties, '1', '3.5', '3.50'],
      ]);
      const other = await get(
        '/exports/fills.csv',
        { ...window, productCode: 'NONE' },
        auditor.key,
      );
      expect(parseCsv(other.body)).toHaveLength(1); // the header alone
      const asParticipant = await get('/exports/fills.csv', window, buyer.key);
      expect(asParticipant.status).toBe(403);
    });
  });

  describe('refusals', () => {
    it('answers 401 without a valid key', async () => {
      const none = await get('/exports/settlements.csv', window);
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(none.body)).toMatchObject({ code: 'UNAUTHENTICATED' });
      const wrong = await get('/exports/fills.csv', window, 'pkx_not_a_key');
      expect(wrong.status).toBe(401);
    });

    // named in words: the window's dates change from run to run, and a test's name must not
    // (each test runs alone by its name)
    it.each([
      ['no from', { to: window.to }, 'from'],
      ['a from that is not an instant', { from: 'yesterday', to: window.to }, 'from'],
      ['a to before from', { from: window.to, to: window.from }, 'to'],
      ['a participantId that is not a UUID', { ...window, participantId: 'me' }, 'participantId'],
      ['an unknown parameter (limit)', { ...window, limit: '10' }, 'limit'],
    ])('answers 400 for %s', async (_case, query, field) => {
      const response = await get('/exports/settlements.csv', query, auditor.key);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(response.body)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    });
  });

  it('gives every export its connection back (more exports than the pool has connections)', async () => {
    for (let i = 0; i < 12; i++) {
      const response = await get(
        '/exports/fills.csv',
        { ...window, productCode: product },
        auditor.key,
      );
      expect(parseCsv(response.body)).toHaveLength(3);
    }
  });
});
