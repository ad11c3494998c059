/** Sync case: each side holds envelopes the other lacks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { MemoryEnvelopeStore } from '../src/node/store';
import { syncRegion } from '../src';
import { hubIds, letters, member, seedHub, sorted, storeIds } from './helpers';

describe('sync: both ahead', () => {
  let hub: TestHub;
  let region: RegionContext;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
  });
  afterAll(() => hub?.close());

  it('with a cursor: pulls the hub side, pushes the client side', async () => {
    const { client } = member(hub, region);
    const store = new MemoryEnvelopeStore();
    await seedHub(client, letters(region.keys, 250, { tag: 'common' }));
    await syncRegion(client, store);

    const hubOnly = letters(region.keys, 420, { tag: 'hub-only', startMs: Date.now() - 5000_000 });
    const clientOnly = letters(region.keys, 380, { tag: 'client-only', startMs: Date.now() - 5000_000 + 500 });
    await seedHub(member(hub, region).client, hubOnly);
    await store.put(clientOnly);

    const report = await syncRegion(client, store);
    expect(report.pulled).toBe(420);
    expect(report.have).toBe(380);
    expect(report.need).toBe(0);
    expect(report.pushed).toBe(380);
    expect(report.rejected).toEqual([]);

    const onHub = await hubIds(hub, region);
    expect(onHub.rows).toBe(250 + 420 + 380);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));
  });

  it('without a cursor: one reconciliation finds both directions, interleaved in time', async () => {
    const { client } = member(hub, region);
    const base = await hubIds(hub, region);
    // Interleaved timestamps: hub-only and client-only items share every range.
    const mixed = letters(region.keys, 1200, { tag: 'mixed', startMs: Date.now() - 900_000 });
    const hubOnly = mixed.filter((_, i) => i % 3 === 0);
    const clientOnly = mixed.filter((_, i) => i % 3 === 1);
    const common = mixed.filter((_, i) => i % 3 === 2);
    await seedHub(member(hub, region).client, [...hubOnly, ...common]);

    const store = new MemoryEnvelopeStore();
    const full = new MemoryEnvelopeStore();
    await syncRegion(member(hub, region).client, full);
    // The device holds everything older plus its own part of the mix.
    const mixedIds = new Set(mixed.map((e) => e.id));
    await store.put((await full.envelopes()).filter((e) => !mixedIds.has(e.id)));
    await store.put([...clientOnly, ...common]);

    const report = await syncRegion(client, store, { fetchBatchSize: 150, pushBatchSize: 150 });
    expect(report.mode).toBe('reconcile-only');
    expect(report.need).toBe(hubOnly.length);
    expect(report.have).toBe(clientOnly.length);
    expect(report.fetched).toBe(hubOnly.length);
    expect(report.pushed).toBe(clientOnly.length);
    expect(client.stats.fetch.requests).toBe(Math.ceil(hubOnly.length / 150));
    expect(client.stats.push.requests).toBe(Math.ceil(clientOnly.length / 150));

    const onHub = await hubIds(hub, region);
    expect(onHub.rows).toBe(base.rows + 1200);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));
  });
});
