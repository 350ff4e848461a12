import { ingest, registerAsset, sample } from '@parkex/test-support/assets';
import { connectLive, type LiveClient } from '@parkex/test-support/graphql-ws-client';
import { startTestApi, uniqueName, type TestApi } from '@parkex/test-support/test-api';
import { startApiProcess } from '@parkex/test-support/api-process';
import type { AppProcess } from '../../scripts/support/processes';

/**
 * The `safetyEvents` subscription across replicas: a sample ingested through one API (in-process)
 * raises ALARM; subscribers on another API process get the event through its LISTEN session —
 * the operator, the auditor and the owner, but not another participant.
 */
describe('safetyEvents subscription', () => {
  let api1: TestApi;
  let api2: AppProcess;
  let api2Url: string;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    api1 = await startTestApi();
    ({ process: api2, wsUrl: api2Url } = await startApiProcess(api1.operatorKey, {
      DB_POOL_SIZE: '4',
    }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await api2?.stop();
    await api1?.close();
  });

  function live(key: string): LiveClient {
    const client = connectLive(api2Url, key);
    clients.push(client);
    return client;
  }

  const SUBSCRIBE = `subscription($assetId: ID) {
    safetyEvents(assetId: $assetId) { assetId kind fromLevel toLevel findings { rule level } cancelledOrderIds }
  }`;

  it('reaches the operator, the auditor and the owner on another replica, and no one else', async () => {
    const owner = await api1.createParticipant(uniqueName('Battery owner'));
    const other = await api1.createParticipant(uniqueName('Neighbour'));
    const auditor = await api1.createParticipant(uniqueName('Auditor'), 'AUDITOR');
    const asset = await registerAsset(api1, owner.id);

    const operatorSub = live(api1.operatorKey).subscribe(SUBSCRIBE, { assetId: asset.id });
    const auditorSub = live(auditor.key).subscribe(SUBSCRIBE, {});
    const ownerSub = live(owner.key).subscribe(SUBSCRIBE, {});
    const otherSub = live(other.key).subscribe(SUBSCRIBE, {});
    const foreign = live(other.key).subscribe(SUBSCRIBE, { assetId: asset.id });
    // Subscriptions start asynchronously: until each has seen an event of the asset, make some
    // (NORMAL → WATCH → NORMAL, in sample time from days ago so that the hold is over at once).
    let t = Date.now() - 6 * 86_400_000;
    const subscribed = [operatorSub, auditorSub, ownerSub];
    const seen = (sub: typeof ownerSub) =>
      sub.results.some((r) => r.safetyEvents.assetId === asset.id);
    for (let round = 0; !subscribed.every(seen); round++) {
      if (round === 50) throw new Error('the subscriptions never received an event');
      const warmUp = await ingest(api1, owner.key, [
        sample(asset.id, t, { cellTempMaxDeciC: 460 }),
        sample(asset.id, t + 1000),
        sample(asset.id, t + 301_000),
      ]);
      expect(warmUp.errors).toBeUndefined();
      t += 302_000;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const before = subscribed.map((sub) => sub.results.length);

    const t0 = Date.now() - 2000;
    const result = await ingest(api1, owner.key, [
      sample(asset.id, t0),
      sample(asset.id, t0 + 1000, { cellTempMaxDeciC: 700 }),
    ]);
    expect(result.errors).toBeUndefined();

    const expected = {
      safetyEvents: {
        assetId: asset.id,
        kind: 'LEVEL_CHANGED',
        fromLevel: 'NORMAL',
        toLevel: 'ALARM',
        findings: [{ rule: 'CELL_TEMPERATURE', level: 'ALARM' }],
        cancelledOrderIds: [],
      },
    };
    for (const [i, sub] of subscribed.entries()) {
      const results = await sub.waitForResults(before[i] + 1, 10_000);
      expect(results.slice(before[i])).toContainEqual(expected);
    }
    await foreign.waitForEnd(10_000);
    expect(JSON.stringify(foreign.errors)).toMatch(/NOT_FOUND/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(otherSub.results).toEqual([]);
  });
});
