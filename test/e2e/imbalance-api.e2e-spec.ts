import type { Client } from 'pg';
import { insertReading } from '@parkex/test-support/meter-fixtures';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '@parkex/db';
import { getCsv } from '@parkex/test-support/csv-export';
import { closeGate, createProduct, placeOrders } from '@parkex/test-support/market-factory';
import { expectError } from '@parkex/test-support/orders';
import { connectTestDatabase } from '@parkex/test-support/test-database';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

const POSITIONS = `query($productCode: String!, $from: DateTime!, $to: DateTime!, $participantId: ID) {
  positions(productCode: $productCode, from: $from, to: $to, participantId: $participantId) {
    participantId productCode deliveryStart bought sold net meteredImport meteredExport imbalance } }`;
const LINE = `revision line kind participantId participantName position meteredImport meteredExport
  estimated imbalance price amount`;
const IMBALANCES = `query($productCode: String, $from: DateTime!, $to: DateTime!, $participantId: ID) {
  imbalances(productCode: $productCode, from: $from, to: $to, participantId: $participantId) {
    productCode deliveryStart revision clearingPrice importTariff feedInTariff shortfallPrice
    surplusPrice readings estimated shortfall surplus amount inputHash resultHash journalId
    settledAt lines { ${LINE} } } }`;
const VERIFY = `query($productCode: String!, $deliveryStart: DateTime!) {
  verifyImbalance(productCode: $productCode, deliveryStart: $deliveryStart) {
    ok revisionsChecked linesChecked differences } }`;

interface Party {
  id: string;
  key: string;
}

/**
 * Issue 15, the imbalance API: positions against readings, the matcher's settlement revisions and
 * their verification, and imbalance.csv, on fills cleared and revisions settled by the real
 * matcher. The numbers are the README's hand-computed case (clearing price 10, import tariff 12,
 * feed-in 3): the buyer bought 2 kWh and took 2.6, the seller sold 2 kWh (its reading comes late:
 * it delivered 1.5), the solar roof fed in 0.4 kWh it never sold. A second interval trades 1 kWh
 * and is never metered: estimated, no journal.
 */
describe('imbalance API (e2e)', () => {
  let api: TestApi;
  let db: Client;
  let matcher: TestMatcher;
  let product: string;
  let buyer: Party;
  let seller: Party;
  let solar: Party;
  let auditor: Party;
  let meter: Party;
  // ended intervals (readings are accepted through the real trigger), settled at once
  const now = Math.floor(Date.now() / 900_000) * 900_000;
  const T1 = new Date(now - 3 * 900_000);
  const T2 = new Date(now - 2 * 900_000);
  const FROM = T1.toISOString();
  const TO = new Date(T2.getTime() + 900_000).toISOString();

  function read(
    participant: string,
    start: Date,
    importWh: number,
    exportWh: number,
    correction?: { readingId: string; version: number },
  ): Promise<string> {
    return insertReading(db, {
      participantId: participant,
      productCode: product,
      deliveryStart: start,
      importWh,
      exportWh,
      submittedBy: meter.id,
      correction: correction && { ...correction, reason: 'meter corrected' },
    });
  }

  let buyerReading: string;

  async function revisionsOf(start: Date): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM imbalance_settlement
        WHERE product_code = $1 AND delivery_start = $2`,
      [product, start],
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    // every list here is costed at its bound; the per-key limit is not what these tests are about
    api = await startTestApi({ rateLimitPerSecond: 1_000_000, rateLimitBurst: 10_000_000 });
    db = await connectTestDatabase();
    buyer = await api.createParticipant(uniqueName('Buyer'));
    seller = await api.createParticipant(uniqueName('Seller'));
    solar = await api.createParticipant(uniqueName('Solar'));
    auditor = await api.createParticipant(uniqueName('Auditor'), 'AUDITOR');
    // a METER key (the role's API support is added elsewhere): straight into the tables
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO participant (name, role) VALUES ($1, 'METER') RETURNING id::text`,
      [uniqueName('Meter')],
    );
    const meterKey = generateApiKey();
    await db.query(`INSERT INTO api_key (participant_id, key_hash, prefix) VALUES ($1, $2, $3)`, [
      rows[0].id,
      hashApiKey(meterKey),
      apiKeyPrefix(meterKey),
    ]);
    meter = { id: rows[0].id, key: meterKey };

    product = await createProduct(db, { priceTick: '0.5' });
    await db.query(
      `UPDATE product SET import_tariff = 12, feed_in_tariff = 3, metering_window_seconds = 0
       WHERE code = $1`,
      [product],
    );
    await placeOrders(db, product, T1, [
      { participant: buyer.id, side: 'BUY', price: '10', quantityWh: 2000 },
      { participant: seller.id, side: 'SELL', price: '10', quantityWh: 2000 },
    ]);
    await placeOrders(db, product, T2, [
      { participant: buyer.id, side: 'BUY', price: '10', quantityWh: 1000 },
      { participant: seller.id, side: 'SELL', price: '10', quantityWh: 1000 },
    ]);
    await closeGate(db, product, T1);
    await closeGate(db, product, T2);
    matcher = await startTestMatcher([product]);
    expect(await matcher.drain()).toBe(2);
    buyerReading = await read(buyer.id, T1, 2600, 0);
    await read(solar.id, T1, 0, 400);
  }, 60_000);

  afterAll(async () => {
    await matcher?.close();
    await db?.end();
    await api?.close();
  });

  const byParticipant = (a: { participantId: string }, b: { participantId: string }) =>
    a.participantId < b.participantId ? -1 : a.participantId > b.participantId ? 1 : 0;

  describe('positions', () => {
    it('lists every participant-interval with a position or a reading, in kWh, for the operator and the auditor', async () => {
      const t1 = [
        {
          participantId: buyer.id,
          bought: '2',
          sold: '0',
          net: '2',
          meteredImport: '2.6',
          meteredExport: '0',
          imbalance: '0.6',
        },
        {
          participantId: seller.id,
          bought: '0',
          sold: '2',
          net: '-2',
          meteredImport: null,
          meteredExport: null,
          imbalance: null,
        },
        {
          participantId: solar.id,
          bought: '0',
          sold: '0',
          net: '0',
          meteredImport: '0',
          meteredExport: '0.4',
          imbalance: '-0.4',
        },
      ].sort(byParticipant);
      const t2 = [
        { participantId: buyer.id, net: '1', meteredImport: null, imbalance: null },
        { participantId: seller.id, net: '-1', meteredImport: null, imbalance: null },
      ].sort(byParticipant);
      for (const key of [api.operatorKey, auditor.key]) {
        const result = await api.gql(POSITIONS, { productCode: product, from: FROM, to: TO }, key);
        expect(result.errors).toBeUndefined();
        expect(result.data.positions).toEqual([
          ...t1.map((p) => ({ ...p, productCode: product, deliveryStart: FROM })),
          ...t2.map((p) => expect.objectContaining({ ...p, deliveryStart: T2.toISOString() })),
        ]);
      }
      const one = await api.gql(
        POSITIONS,
        { productCode: product, from: FROM, to: TO, participantId: solar.id },
        auditor.key,
      );
      expect(one.data.positions).toEqual([expect.objectContaining({ participantId: solar.id })]);
    });

    it('gives a participant its own rows only', async () => {
      const own = await api.gql(POSITIONS, { productCode: product, from: FROM, to: TO }, buyer.key);
      expect(own.errors).toBeUndefined();
      expect(own.data.positions).toEqual([
        expect.objectContaining({ participantId: buyer.id, deliveryStart: FROM, net: '2' }),
        expect.objectContaining({ participantId: buyer.id, deliveryStart: T2.toISOString() }),
      ]);
      expectError(
        await api.gql(
          POSITIONS,
          { productCode: product, from: FROM, to: TO, participantId: seller.id },
          buyer.key,
        ),
        'FORBIDDEN',
      );
    });

    it('refuses a METER key, a reversed or too long window and an unknown product', async () => {
      const args = { productCode: product, from: FROM, to: TO };
      expectError(await api.gql(POSITIONS, args, meter.key), 'FORBIDDEN');
      expectError(await api.gql(POSITIONS, { ...args, to: FROM }, auditor.key), 'BAD_USER_INPUT');
      const long = new Date(T1.getTime() + 32 * 86_400_000).toISOString();
      expectError(await api.gql(POSITIONS, { ...args, to: long }, auditor.key), 'BAD_USER_INPUT');
      expectError(
        await api.gql(POSITIONS, { ...args, productCode: `NOPE_${Date.now()}` }, auditor.key),
        'NOT_FOUND',
      );
      expectError(
        await api.gql(POSITIONS, { ...args, participantId: 'not-an-id' }, auditor.key),
        'BAD_USER_INPUT',
      );
    });
    it('refuses more than 3000 rows: a shorter window or one participant', async () => {
      // 2 × 1600 readings of another product over 16.7 days of quarter hours, written with the
      // triggers off for this transaction only (as the administrator): the reading trigger would
      // open each interval for imbalance settlement, and no matcher should settle 1600 intervals
      // for this test; nothing here reads imbalance_interval.
      const bulk = await createProduct(db, { priceTick: '0.5' });
      await db.query(`UPDATE product SET import_tariff = 1, feed_in_tariff = 0 WHERE code = $1`, [
        bulk,
      ]);
      const first = new Date(now - 1600 * 900_000);
      await db.query('BEGIN');
      try {
        await db.query('SET LOCAL session_replication_role = replica');
        await db.query(
          `INSERT INTO meter_reading (reading_id, version, participant_id, product_code,
                                      delivery_start, import_wh, export_wh, submitted_by)
           SELECT 'imbapi-' || gen_random_uuid(), 1, p, $1,
                  $2::timestamptz + i * interval '15 minutes', 100, 0, $3
             FROM generate_series(0, 1599) AS i, unnest($4::uuid[]) AS p`,
          [bulk, first, meter.id, [buyer.id, seller.id]],
        );
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK');
        throw error;
      }
      const args = {
        productCode: bulk,
        from: first.toISOString(),
        to: new Date(now).toISOString(),
      };
      const refused = expectError(await api.gql(POSITIONS, args, auditor.key), 'BAD_USER_INPUT', {
        field: 'to',
      });
      expect(refused.extensions).toMatchObject({ reason: 'TOO_MANY_ROWS', limit: 3000 });
      const one = await api.gql(POSITIONS, { ...args, participantId: seller.id }, auditor.key);
      expect(one.errors).toBeUndefined();
      expect(one.data.positions).toHaveLength(1600);
      expect(one.data.positions[0]).toMatchObject({
        net: '0',
        meteredImport: '0.1',
        imbalance: '0.1',
      });
    });
  });

  describe('settlements', () => {
    beforeAll(async () => {
      // revision 0 of both intervals; then the seller's late reading: revision 1 of T1
      // (what is stored is asserted below, whichever matcher of the run settled it)
      await matcher.settleImbalances();
      expect(await revisionsOf(T1)).toBe(1);
      expect(await revisionsOf(T2)).toBe(1);
      await read(seller.id, T1, 0, 1500);
      await matcher.settleImbalances();
      expect(await revisionsOf(T1)).toBe(2);
    }, 30_000);

    it('lists the revisions with their lines for the operator and the auditor', async () => {
      for (const key of [api.operatorKey, auditor.key]) {
        const result = await api.gql(IMBALANCES, { productCode: product, from: FROM, to: TO }, key);
        expect(result.errors).toBeUndefined();
        const [r0, r1, t2] = result.data.imbalances;
        expect(result.data.imbalances).toHaveLength(3);
        expect(r0).toMatchObject({
          productCode: product,
          deliveryStart: FROM,
          revision: 0,
          clearingPrice: '10',
          importTariff: '12',
          feedInTariff: '3',
          shortfallPrice: '12',
          surplusPrice: '3',
          readings: 2,
          estimated: 1,
          shortfall: '0.6',
          surplus: '0.4',
          amount: '6.00',
          inputHash: expect.stringMatching(/^[0-9a-f]{64}$/),
          resultHash: expect.stringMatching(/^[0-9a-f]{64}$/),
          journalId: expect.any(String),
        });
        const lines0 = [
          {
            participantId: buyer.id,
            participantName: expect.stringMatching(/^Buyer/),
            position: '2',
            meteredImport: '2.6',
            meteredExport: '0',
            estimated: false,
            imbalance: '0.6',
            price: '12',
            amount: '-7.20',
          },
          {
            participantId: seller.id,
            position: '-2',
            meteredImport: null,
            meteredExport: null,
            estimated: true,
            imbalance: '0',
            price: '0',
            amount: '0.00',
          },
          {
            participantId: solar.id,
            position: '0',
            meteredImport: '0',
            meteredExport: '0.4',
            estimated: false,
            imbalance: '-0.4',
            price: '3',
            amount: '1.20',
          },
        ].sort(byParticipant);
        expect(r0.lines).toEqual(
          lines0.map((l, line) =>
            expect.objectContaining({ ...l, revision: 0, line, kind: 'NEW' }),
          ),
        );
        expect(r1).toMatchObject({
          revision: 1,
          readings: 3,
          estimated: 0,
          shortfall: '1.1',
          amount: '6.00',
          lines: [
            {
              line: 0,
              kind: 'REVERSAL',
              participantId: seller.id,
              estimated: true,
              amount: '0.00',
            },
            { line: 1, kind: 'NEW', participantId: seller.id, imbalance: '0.5', amount: '-6.00' },
          ],
        });
        expect(t2).toMatchObject({
          deliveryStart: T2.toISOString(),
          revision: 0,
          estimated: 2,
          amount: '0.00',
          journalId: null,
        });
      }
    });

    it('gives a participant the revisions with a line of its own, and only its own lines', async () => {
      const own = await api.gql(IMBALANCES, { from: FROM, to: TO }, buyer.key);
      expect(own.errors).toBeUndefined();
      // the other products' settlements of the run are not the buyer's
      expect(own.data.imbalances).toEqual([
        expect.objectContaining({ deliveryStart: FROM, revision: 0, amount: '6.00' }),
        expect.objectContaining({ deliveryStart: T2.toISOString(), revision: 0 }),
      ]);
      for (const settlement of own.data.imbalances) {
        expect(settlement.lines.map((l: { participantId: string }) => l.participantId)).toEqual([
          buyer.id,
        ]);
      }
      const solarOwn = await api.gql(
        IMBALANCES,
        { productCode: product, from: FROM, to: TO },
        solar.key,
      );
      expect(solarOwn.data.imbalances).toEqual([
        expect.objectContaining({
          revision: 0,
          lines: [expect.objectContaining({ amount: '1.20' })],
        }),
      ]);
      expectError(
        await api.gql(IMBALANCES, { from: FROM, to: TO, participantId: seller.id }, buyer.key),
        'FORBIDDEN',
      );
      expectError(await api.gql(IMBALANCES, { from: FROM, to: TO }, meter.key), 'FORBIDDEN');
      expectError(await api.gql(IMBALANCES, { from: TO, to: FROM }, auditor.key), 'BAD_USER_INPUT');
      expectError(
        await api.gql(
          IMBALANCES,
          { productCode: `NOPE_${Date.now()}`, from: FROM, to: TO },
          auditor.key,
        ),
        'NOT_FOUND',
      );
    });

    it("shows a participant's imbalance revisions among its settlements, beside the interval's clearing", async () => {
      const result = await api.gql(
        `query($from: DateTime, $to: DateTime) {
           settlements(from: $from, to: $to, first: 50) {
             edges { node { productCode source netEnergy energyAmount networkFees netAmount } }
           }
         }`,
        { from: FROM, to: T2.toISOString() },
        seller.key,
      );
      expect(result.errors).toBeUndefined();
      const nodes = result.data.settlements.edges.map((e: { node: unknown }) => e.node);
      // T1: the clearing sold 2 kWh at 10; revision 0 estimated the missing reading (nothing
      // booked); revision 1 charged the 0.5 kWh not delivered at 12
      expect(nodes).toEqual([
        {
          productCode: product,
          source: 'INTERVAL',
          netEnergy: '-2',
          energyAmount: '20.00',
          networkFees: '0.00',
          netAmount: '20.00',
        },
        {
          productCode: product,
          source: 'IMBALANCE',
          netEnergy: '0.5',
          energyAmount: '-6.00',
          networkFees: '0.00',
          netAmount: '-6.00',
        },
      ]);
    });

    it('exports every line as imbalance.csv; a participant gets its own, a METER key nothing', async () => {
      const all = await getCsv(
        api.app,
        '/exports/imbalance.csv',
        { from: FROM, to: TO, productCode: product },
        auditor.key,
      );
      expect(all.status).toBe(200);
      const rows = (all.body as string).trimEnd().split('\r\n');
      expect(rows[0]).toBe(
        'product_code,delivery_start,revision,line,kind,participant_id,participant_name,position_kwh,metered_import_kwh,metered_export_kwh,estimated,imbalance_kwh,price,amount',
      );
      expect(rows).toHaveLength(1 + 3 + 2 + 2);
      expect(rows).toContain(
        `${product},${FROM},1,1,NEW,${seller.id},${rows.find((r) => r.includes(`,1,1,NEW,${seller.id},`))!.split(',')[6]},-2,0,1.5,false,0.5,12,-6.00`,
      );
      const own = await getCsv(
        api.app,
        '/exports/imbalance.csv',
        { from: FROM, to: TO, productCode: product },
        solar.key,
      );
      expect(own.status).toBe(200);
      const solarRows = (own.body as string).trimEnd().split('\r\n').slice(1);
      expect(solarRows).toHaveLength(1);
      expect(solarRows[0]).toMatch(
        new RegExp(`^${product},${FROM},0,\\d,NEW,${solar.id},[^,]+,0,0,0.4,false,-0.4,3,1.20$`),
      );
      const refused = await getCsv(
        api.app,
        '/exports/imbalance.csv',
        { from: FROM, to: TO },
        meter.key,
      );
      expect(refused.status).toBe(403);
      const foreign = await getCsv(
        api.app,
        '/exports/imbalance.csv',
        { from: FROM, to: TO, participantId: buyer.id },
        solar.key,
      );
      expect(foreign.status).toBe(403);
      const log = await api.gql(
        `query($filter: AuditLogFilter) { auditLog(filter: $filter, first: 5) { edges { node { action outcome args } } } }`,
        { filter: { actorId: auditor.id, action: 'export:imbalance.csv' } },
        auditor.key,
      );
      expect(log.errors).toBeUndefined();
      const entries = (
        log.data.auditLog.edges as { node: { outcome: string; args: string } }[]
      ).map((e) => e.node);
      expect(entries).toHaveLength(1);
      expect(entries[0].outcome).toBe('OK');
      expect(JSON.parse(entries[0].args)).toEqual({
        from: FROM,
        to: TO,
        productCode: product,
        participantId: '',
      });
    });

    it('verifies the stored revisions for the auditor and the operator, not for a participant', async () => {
      for (const key of [api.operatorKey, auditor.key]) {
        const result = await api.gql(VERIFY, { productCode: product, deliveryStart: FROM }, key);
        expect(result.errors).toBeUndefined();
        expect(result.data.verifyImbalance).toEqual({
          ok: true,
          revisionsChecked: 2,
          linesChecked: 5,
          differences: [],
        });
      }
      const t2 = await api.gql(
        VERIFY,
        { productCode: product, deliveryStart: T2.toISOString() },
        auditor.key,
      );
      expect(t2.data.verifyImbalance).toMatchObject({
        ok: true,
        revisionsChecked: 1,
        linesChecked: 2,
      });
      expectError(
        await api.gql(VERIFY, { productCode: product, deliveryStart: FROM }, buyer.key),
        'FORBIDDEN',
      );
      expectError(
        await api.gql(VERIFY, { productCode: product, deliveryStart: FROM }, meter.key),
        'FORBIDDEN',
      );
      expectError(
        await api.gql(
          VERIFY,
          { productCode: product, deliveryStart: new Date(now + 86_400_000).toISOString() },
          auditor.key,
        ),
        'NOT_FOUND',
      );
    });

    it('does not report a correction the matcher has yet to settle, then checks its revision', async () => {
      await read(buyer.id, T1, 2000, 0, { readingId: buyerReading, version: 2 });
      const pending = await api.gql(
        VERIFY,
        { productCode: product, deliveryStart: FROM },
        auditor.key,
      );
      // ok whether or not the correction's revision is written yet
      expect(pending.data.verifyImbalance).toMatchObject({ ok: true, differences: [] });
      await matcher.settleImbalances();
      expect(await revisionsOf(T1)).toBe(3);
      const settled = await api.gql(
        VERIFY,
        { productCode: product, deliveryStart: FROM },
        auditor.key,
      );
      expect(settled.data.verifyImbalance).toEqual({
        ok: true,
        revisionsChecked: 3,
        linesChecked: 7,
        differences: [],
      });
    });

    it('reports an amount changed behind the append-only trigger', async () => {
      await db.query('BEGIN');
      try {
        await db.query('ALTER TABLE imbalance_line DISABLE TRIGGER imbalance_line_append_only');
        const changed = await db.query(
          `UPDATE imbalance_line SET amount_minor = amount_minor - 1
            WHERE product_code = $1 AND delivery_start = $2 AND revision = 0 AND participant_id = $3`,
          [product, T1, solar.id],
        );
        expect(changed.rowCount).toBe(1);
        await db.query('ALTER TABLE imbalance_line ENABLE TRIGGER imbalance_line_append_only');
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK');
        throw error;
      }
      const result = await api.gql(
        VERIFY,
        { productCode: product, deliveryStart: FROM },
        auditor.key,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data.verifyImbalance.ok).toBe(false);
      // the changed line, and the stored result hash no longer its lines' (nothing else: the
      // later revisions replay against the line as it was settled)
      expect(result.data.verifyImbalance.differences).toEqual([
        expect.stringMatching(
          new RegExp(
            `^revision 0 line \\d \\(participant ${solar.id}\\): amount is 1.19, the replay gives 1.20$`,
          ),
        ),
        expect.stringMatching(/^revision 0: the stored result hash/),
      ]);
    });
  });
});
