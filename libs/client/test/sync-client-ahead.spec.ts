/** Sync case: the client holds envelopes the hub lacks (written offline, or carried from elsewhere). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { MemoryEnvelopeStore } from '../src/node/store';
import { syncRegion } from '../src';
import { hubIds, letters, member, seedHub, sorted, storeIds } from './helpers';

describe('sync: client ahead', () => {
  let hub: TestHub;
  let region: RegionContext;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
    await seedHub(member(hub, region).client, letters(region.keys, 300, { tag: 'base' }));
  });
  afterAll(() => hub?.close());

  it('pushes what the hub lacks in batches of at most 500', async () => {
    const { client } = member(hub, region);
    const store = new MemoryEnvelopeStore();
    await syncRegion(client, store);
    const offline = letters(region.keys, 1100, { tag: 'offline', startMs: Date.now() - 7200_000 });
    expect((await store.put(offline)).added).toHaveLength(1100);
    const pushesBefore = client.stats.push.requests;

    const report = await syncRegion(client, store);
    expect(report.have).toBe(1100);
    expect(report.need).toBe(0);
    expect(report.pushed).toBe(1100);
    expect(report.duplicates).toBe(0);
    expect(report.rejected).toEqual([]);
    expect(report.fetched).toBe(0);
    expect(client.stats.push.requests - pushesBefore).toBe(3);

    const onHub = await hubIds(hub, region);
    expect(onHub.rows).toBe(1400);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));

    // And now in step again.
    const again = await syncRegion(client, store);
    expect(again.rounds).toBe(1);
    expect(again.have + again.need + again.pushed).toBe(0);
  });
});
