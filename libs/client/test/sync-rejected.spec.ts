/** Rejections and tombstones: what the hub refuses or removed must not block the rest nor come back. */
import { base58Decode, generateKeyPair, seal } from '@kiki/crypto';
import { EnvelopeRepository } from '@kiki/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { MemoryEnvelopeStore } from '../src/node/store';
import { syncRegion } from '../src';
import { hubIds, letters, member, seedHub, sorted, storeIds } from './helpers';

describe('sync: rejected and removed envelopes', () => {
  let hub: TestHub;
  let region: RegionContext;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
  });
  afterAll(() => hub?.close());

  it('reports a forged (wrong-region) envelope, pushes the rest, and does not offer it again', async () => {
    const { client } = member(hub, region);
    const store = new MemoryEnvelopeStore();
    const other = generateKeyPair();
    // Sealed with another region's key: its v1 signature cannot validate in this region.
    const forged = seal({ purpose: 'share-text', content: 'wrong region', recipients: [other.public] }, generateKeyPair(), other.public);
    // Dated two hours ahead: refused now, but acceptable later, so it is offered again.
    const early = seal({ purpose: 'share-text', content: 'from the future', recipients: [region.publicKey] }, generateKeyPair(), region.publicKey, {
      now: new Date(Date.now() + 2 * 3600_000),
    });
    // Dated before 1970: outside the reconciled (unsigned) time order, so never offered.
    const ancient = seal({ purpose: 'share-text', content: '1969', recipients: [region.publicKey] }, generateKeyPair(), region.publicKey, {
      now: new Date('1969-07-20T20:17:40Z'),
    });
    const good = letters(region.keys, 40);
    await store.put([...good.slice(0, 20), forged, early, ancient, ...good.slice(20)]);

    const report = await syncRegion(client, store);
    expect(report.unreconcilable).toBe(1);
    expect(report.pushed).toBe(40);
    expect(sorted(report.rejected.map((r) => `${r.id}:${r.code}`))).toEqual(sorted([`${forged.id}:BAD_SIGNATURE`, `${early.id}:FUTURE_TIMESTAMP`]));
    const onHub = await hubIds(hub, region);
    expect(sorted(onHub.live)).toEqual(sorted(good.map((e) => e.id)));
    // The device keeps what it holds; the hub holds exactly the valid ones.
    expect((await storeIds(store)).size).toBe(43);

    const again = await syncRegion(client, store);
    expect(again.skippedRejected).toBe(1);
    expect(again.rejected.map((r) => r.code)).toEqual(['FUTURE_TIMESTAMP']);
    expect(again.pushed).toBe(0);
  });

  it('learns removals from the pull and never pushes a removed envelope back', async () => {
    const base = letters(region.keys, 60, { tag: 'to-remove' });
    await seedHub(member(hub, region).client, base);
    const repo = hub.app.get(EnvelopeRepository);
    const removed = [base[3], base[17]];
    await repo.remove(region.regionId, removed.map((e) => Buffer.from(base58Decode(e.id))), 'admin');

    // A new device: the restore pull lists the two ids as removed; nothing is fetched or pushed.
    const { client } = member(hub, region);
    const store = new MemoryEnvelopeStore();
    const first = await syncRegion(client, store);
    expect(first.tombstones).toBe(2);
    expect(first.fetched).toBe(0);
    expect(first.pushed).toBe(0);
    const entries = await store.list();
    expect(sorted(entries.filter((e) => e.tombstone).map((e) => e.id))).toEqual(sorted(removed.map((e) => e.id)));
    const onHub = await hubIds(hub, region);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));
    expect(sorted(onHub.removed)).toEqual(sorted(removed.map((e) => e.id)));

    // A device that holds the removed envelopes (from before the removal) does not push them back.
    const holder = new MemoryEnvelopeStore();
    await holder.put(base);
    const second = await syncRegion(member(hub, region).client, holder);
    expect(second.pushed).toBe(0);
    expect(second.have).toBe(0);
    expect((await hubIds(hub, region)).removed.size).toBe(2);

    // Steady state of the new device: nothing fetched again for the removed ids.
    const third = await syncRegion(client, store);
    expect(third.fetched + third.pushed).toBe(0);
    expect(client.stats.fetch.requests).toBe(0);
  });
});
