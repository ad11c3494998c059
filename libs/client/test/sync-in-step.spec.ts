/** Sync case: client and hub already hold the same set: one small pull and one reconciliation round trip. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { MemoryEnvelopeStore } from '../src/node/store';
import { syncRegion } from '../src';
import { hubIds, letters, member, seedHub, sorted, storeIds } from './helpers';

describe('sync: in step', () => {
  let hub: TestHub;
  let region: RegionContext;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
    await seedHub(member(hub, region).client, letters(region.keys, 2000));
  });
  afterAll(() => hub?.close());

  it('costs one reconcile round trip under 1 KB both ways and one empty pull', async () => {
    const { client } = member(hub, region);
    const store = new MemoryEnvelopeStore();
    await syncRegion(client, store);
    const before = structuredClone(client.stats);

    const report = await syncRegion(client, store);
    expect(report.mode).toBe('incremental');
    expect(report.pullPages).toBe(1);
    expect(report.pulled).toBe(0);
    expect(report.rounds).toBe(1);
    expect(report.reconcileBytesSent + report.reconcileBytesReceived).toBeLessThan(1024);
    expect(report.have + report.need + report.fetched + report.pushed).toBe(0);

    // Counted on the wire as well: exactly one request to each of pull and reconcile, nothing else.
    expect(client.stats.reconcile.requests - before.reconcile.requests).toBe(1);
    expect(client.stats.reconcile.bytesSent - before.reconcile.bytesSent + client.stats.reconcile.bytesReceived - before.reconcile.bytesReceived).toBeLessThan(1024);
    expect(client.stats.pull.requests - before.pull.requests).toBe(1);
    expect(client.stats.fetch.requests - before.fetch.requests).toBe(0);
    expect(client.stats.push.requests - before.push.requests).toBe(0);

    const onHub = await hubIds(hub, region);
    expect(onHub.rows).toBe(2000);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));
  });

  it('is also one round trip for a store filled elsewhere (no cursor for this hub yet)', async () => {
    const { client } = member(hub, region);
    const source = new MemoryEnvelopeStore();
    await syncRegion(member(hub, region).client, source);
    const store = new MemoryEnvelopeStore();
    await store.put(await source.envelopes());

    const report = await syncRegion(client, store);
    expect(report.mode).toBe('reconcile-only');
    expect(report.pullPages).toBe(0);
    expect(report.rounds).toBe(1);
    expect(report.reconcileBytesSent + report.reconcileBytesReceived).toBeLessThan(1024);
    expect(report.have + report.need).toBe(0);
    expect(sorted(await storeIds(store))).toEqual(sorted((await hubIds(hub, region)).live));
  });
});
