import type { Client } from 'pg';
import {
  auctionStart,
  closeAuctionGate,
  createSeries,
  everyKind,
  submitAuction,
  type Json,
} from '@parkex/test-support/auctions';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher } from '@parkex/test-support/test-matcher';
import { getCsv } from '@parkex/test-support/csv-export';

/** An auction's journal in settlements, balances, the settlements CSV and price statistics. */
describe('integrated auction: settlement', () => {
  let api: TestApi;
  let db: Client;
  let series: string;
  let start: Date;
  let battery: { id: string; key: string };

  beforeAll(async () => {
    api = await startTestApi();
    db = await connectTestDatabase();
    series = await createSeries(api);
    start = auctionStart(60);
    const batches = everyKind(series, start);
    const keys: { id: string; key: string }[] = [];
    for (const orders of [batches.factory, batches.pv, batches.heat]) {
      const tenant = await api.createParticipant(uniqueName('tenant'));
      await submitAuction(api, tenant.key, orders);
      keys.push(tenant);
    }
    battery = keys[1];
    await closeAuctionGate(db, series, start);
    const matcher = await startTestMatcher([], { clearsAuctions: true, series: [series] });
    try {
      await matcher.drain();
    } finally {
      await matcher.close();
    }
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  const window = () => ({
    from: start.toISOString(),
    to: new Date(start.getTime() + 3_600_000).toISOString(),
  });

  it('gives a participant its auction statement and balance from the ledger', async () => {
    const settled = await api.gql(
      `query($from: DateTime, $to: DateTime) { settlements(from: $from, to: $to) {
         edges { node { productCode source deliveryStart netEnergy networkFees netAmount } } } }`,
      window(),
      battery.key,
    );
    const rows = settled.data.settlements.edges.map((e: Json) => e.node);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ productCode: series, source: 'AUCTION' });
    const { rows: ledger } = await db.query(
      `SELECT sum(e.amount_minor)::text AS amount FROM ledger_entry e
       JOIN account a ON a.id = e.account_id WHERE a.participant_id = $1`,
      [battery.id],
    );
    const cents = (text: string) => BigInt(text.replace('.', ''));
    expect(cents(rows[0].netAmount)).toBe(BigInt(ledger[0].amount));
    const balance = await api.gql(`{ balance { amount } }`, {}, battery.key);
    expect(cents(balance.data.balance.amount)).toBe(BigInt(ledger[0].amount));
  });

  it('exports the auction journal in settlements.csv with source AUCTION, summing to zero', async () => {
    const response = await getCsv(api.app, '/exports/settlements.csv', window(), api.operatorKey);
    expect(response.status).toBe(200);
    const [header, ...lines] = (response.body as string).trimEnd().split('\r\n');
    expect(header.split(',').at(-1)).toBe('source');
    const mine = lines.map((l) => l.split(',')).filter((cells) => cells[3] === series);
    expect(mine.length).toBeGreaterThan(10);
    expect(mine.every((cells) => cells.at(-1) === 'AUCTION')).toBe(true);
    const sum = mine.reduce((s, cells) => s + BigInt(cells.at(-2)!.replace('.', '')), 0n);
    expect(sum).toBe(0n);
  });

  it("gives the auction's prices per carrier in priceStatistics", async () => {
    const query = `query($p: String!, $from: DateTime!, $to: DateTime!, $c: Carrier) {
      priceStatistics(productCode: $p, from: $from, to: $to, bucket: HOUR, carrier: $c) {
        minPrice maxPrice avgPrice volume intervals } }`;
    const { rows } = await db.query(
      `SELECT min(price)::text AS min, max(price)::text AS max, count(*)::int AS n
       FROM auction_price WHERE series_code = $1 AND carrier = 'ELECTRICITY' AND price IS NOT NULL`,
      [series],
    );
    const stats = await api.gql(query, { p: series, ...window(), c: 'ELECTRICITY' }, battery.key);
    expect(stats.data.priceStatistics).toHaveLength(1);
    expect(stats.data.priceStatistics[0]).toMatchObject({
      minPrice: rows[0].min.replace(/\.?0+$/, ''),
      maxPrice: rows[0].max.replace(/\.?0+$/, ''),
      intervals: rows[0].n,
    });
    const unknown = await api.gql(query, { p: 'NO_SERIES', ...window(), c: 'HEAT' }, battery.key);
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
