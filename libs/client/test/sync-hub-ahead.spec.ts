/** Sync case: the hub holds envelopes the client lacks (others posted since the client's last sync). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { MemoryEnvelopeStore } from '../src/node/store';
import { syncRegion } from '../src';
import { hubIds, letters, member, seedHub, sorted, storeIds } from './helpers';

describe('sync: hub ahead', () => {
  let hub: TestHub;
  let region: RegionContext;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
    await seedHub(member(hub, region).client, letters(region.keys, 600, { tag: 'base' }));
  });
  afterAll(() => hub?.close());

  it('with a cursor: the new envelopes come in the pull, reconciliation then finds nothing', async () => {
    const { client } = member(hub, region);
    const store = new MemoryEnvelopeStore();
    await syncRegion(client, store);
    const other = member(hub, region).client;
    await seedHub(other, letters(region.keys, 750, { tag: 'new', startMs: Date.now() - 3600_000 }));

    const report = await syncRegion(client, store, { pullLimit: 500 });
    expect(report.mode).toBe('incremental');
    expect(report.pulled).toBe(750);
    expect(report.pullPages).toBe(2);
    expect(report.rounds).toBe(1);
    expect(report.need + report.have + report.fetched + report.pushed).toBe(0);

    const onHub = await hubIds(hub, region);
    expect(onHub.rows).toBe(1350);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));
  });

  it('without a cursor: reconciliation finds what is missing and fetch brings it in bounded batches', async () => {
    const { client } = member(hub, region);
    // A device holding only part of the region, from elsewhere (no cursor for this hub).
    const full = new MemoryEnvelopeStore();
    await syncRegion(member(hub, region).client, full);
    const all = await full.envelopes();
    const store = new MemoryEnvelopeStore();
    await store.put(all.filter((_, i) => i % 5 === 0));
    const expectedMissing = all.length - Math.ceil(all.length / 5);

    const report = await syncRegion(client, store, { fetchBatchSize: 400 });
    expect(report.mode).toBe('reconcile-only');
    expect(report.need).toBe(expectedMissing);
    expect(report.have).toBe(0);
    expect(report.fetched).toBe(expectedMissing);
    expect(report.missing).toEqual([]);
    expect(client.stats.fetch.requests).toBe(Math.ceil(expectedMissing / 400));
    expect(report.pushed).toBe(0);
    expect(sorted(await storeIds(store))).toEqual(sorted((await hubIds(hub, region)).live));
  });
});
