import { generateApiKey } from '@parkex/db';
import type { Client } from 'pg';
import {
  closeGate,
  createParticipants,
  createProduct,
  nextDeliveryStart,
  placeOrders,
  unitBook,
} from '@parkex/test-support/market-factory';
import { eventually, startAppProcess, type AppProcess } from '../../scripts/support/processes';
import { appDatabaseEnv, connectTestDatabase } from '@parkex/test-support/test-database';

/** What the API and the matcher print (LOG_LEVEL, LOG_FORMAT), as real processes. */
describe('process logs', () => {
  let db: Client;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    db = await connectTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await db.end();
  });

  function start(app: 'api' | 'matcher', env: Record<string, string>): AppProcess {
    const started = startAppProcess(app, {
      ...appDatabaseEnv(),
      // the key is supplied: no "generated operator key" line, whichever spec ran first
      ...(app === 'api' ? { PORT: '0', OPERATOR_API_KEY: generateApiKey() } : {}),
      // the safety sweep looks at every asset of the database, other specs' too: off here
      ...(app === 'matcher' ? { SAFETY_SWEEP_MS: '0' } : {}),
      ...env,
    });
    processes.push(started);
    return started;
  }

  const lines = (process: AppProcess) => process.output().split('\n').filter(Boolean);

  /** A product with one cleared-to-be interval: its gate closed on a crossing book. */
  async function closedInterval(): Promise<{ product: string; deliveryStart: Date }> {
    const product = await createProduct(db);
    const [buyer, seller] = await createParticipants(db, 2);
    const deliveryStart = nextDeliveryStart();
    await placeOrders(db, product, deliveryStart, unitBook(buyer, seller, [9, 8], [6, 7]));
    await closeGate(db, product, deliveryStart);
    return { product, deliveryStart };
  }

  async function cleared(product: string): Promise<true | undefined> {
    const { rows } = await db.query(`SELECT 1 FROM clearing_result WHERE product_code = $1`, [
      product,
    ]);
    return rows.length ? true : undefined;
  }

  it('the API prints one start-up line at the default level', async () => {
    const api = start('api', {});
    await api.waitFor(/GraphQL API on/, 30_000);
    expect(lines(api)).toEqual([
      expect.stringMatching(
        /^\[Nest\] \d+ .* LOG \[api\] GraphQL API on http:\/\/localhost:\d+\/graphql \(pid \d+\)$/,
      ),
    ]);
  });

  it("with LOG_FORMAT=json and LOG_LEVEL=debug the API prints JSON lines, Nest's start-up included", async () => {
    const api = start('api', { LOG_FORMAT: 'json', LOG_LEVEL: 'debug' });
    await api.waitFor(/GraphQL API on/, 30_000);
    const records = lines(api).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toContainEqual(
      expect.objectContaining({ level: 'debug', context: 'InstanceLoader' }),
    );
    expect(records.at(-1)).toEqual({
      level: 'log',
      pid: api.child.pid,
      timestamp: expect.any(Number),
      context: 'api',
      message: expect.stringMatching(/^GraphQL API on http:\/\/localhost:\d+\/graphql/),
    });
  });

  it('the matcher prints one start-up line and nothing per clearing at the default level', async () => {
    const { product } = await closedInterval();
    const matcher = start('matcher', { MATCHER_PRODUCTS: product, MATCHER_POLL_MS: '50' });
    await eventually(() => cleared(product));
    await matcher.waitFor(/running/);
    expect(lines(matcher)).toEqual([
      expect.stringMatching(/^\[Nest\] \d+ .* LOG \[matcher\] matcher \S+ running \(pid \d+\)/),
    ]);
  });

  it('at LOG_LEVEL=debug the matcher prints one JSON line per clearing', async () => {
    const { product, deliveryStart } = await closedInterval();
    const matcher = start('matcher', {
      MATCHER_PRODUCTS: product,
      MATCHER_POLL_MS: '50',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'debug',
    });
    await eventually(() => cleared(product));
    const committed = `committed ${product} ${deliveryStart.toISOString()}: CLEARED`;
    await matcher.waitFor(new RegExp(committed));
    const records = lines(matcher).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toContainEqual(
      expect.objectContaining({
        level: 'log',
        context: 'matcher',
        message: expect.stringMatching(/running/),
      }),
    );
    expect(
      records.filter((record) => String(record.message).startsWith(`committed ${product}`)),
    ).toEqual([
      expect.objectContaining({
        level: 'debug',
        context: 'ClearingRunner',
        message: expect.stringContaining(committed),
      }),
    ]);
  });
});
