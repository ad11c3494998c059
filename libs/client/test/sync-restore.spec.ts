/** Sync case: a new device (empty store) restores a populated region with the cursor pull loop. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { MemoryEnvelopeStore } from '../src/node/store';
import { syncRegion } from '../src';
import { hubIds, letters, member, seedHub, sorted, storeIds } from './helpers';

describe('sync: empty client, populated hub (restore)', () => {
  let hub: TestHub;
  let region: RegionContext;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
    await seedHub(member(hub, region).client, letters(region.keys, 1234));
  });
  afterAll(() => hub?.close());

  it('pulls everything page by page, then one reconciliation round confirms it', async () => {
    const { client } = member(hub, region);
    const store = new MemoryEnvelopeStore();
    const report = await syncRegion(client, store, { pullLimit: 500 });

    expect(report.mode).toBe('restore');
    expect(report.pullPages).toBe(3);
    expect(report.pulled).toBe(1234);
    expect(report.rounds).toBe(1);
    expect(report.need).toBe(0);
    expect(report.have).toBe(0);
    expect(report.fetched).toBe(0);
    expect(report.pushed).toBe(0);
    expect(report.invalid).toEqual([]);
    expect(client.stats.push.requests).toBe(0);
    expect(client.stats.fetch.requests).toBe(0);

    const onHub = await hubIds(hub, region);
    expect(onHub.rows).toBe(1234);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));
    expect((await store.loadSyncState(client.baseUrl, region.publicKey))?.cursor).toMatch(/^\d+$/);
  });

  it('a device that wrote letters before its first sync still restores by pull, then pushes its own', async () => {
    const { client, person } = member(hub, region);
    const store = new MemoryEnvelopeStore();
    const own = letters(region.keys, 3, { senders: [person], startMs: Date.now() - 1000 });
    await store.put(own);

    const report = await syncRegion(client, store);
    expect(report.mode).toBe('restore');
    expect(report.pulled).toBe(1234);
    expect(report.have).toBe(3);
    expect(report.pushed).toBe(3);
    expect(report.fetched).toBe(0);
    const onHub = await hubIds(hub, region);
    expect(onHub.rows).toBe(1237);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));
  });
});
