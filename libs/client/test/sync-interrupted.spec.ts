/**
 * Sync case: a sync cut short (cancelled after the first pull page, or a push answer lost to the
 * network) resumes from what was saved and converges without duplicates on either side.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { FileEnvelopeStore } from '../src/node/file-store';
import { HubClient, HubClientError } from '../src/node/hub-client';
import { SyncError, syncRegion } from '../src';
import { hubIds, letters, member, seedHub, sorted, storeIds } from './helpers';

/** Envelope records in the store's log, to prove nothing was written twice. */
async function logIds(dir: string): Promise<string[]> {
  const text = await fs.readFile(join(dir, 'envelopes.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { k: string; e?: { id: string } })
    .filter((r) => r.k === 'e')
    .map((r) => r.e!.id);
}

describe('sync: interrupted and resumed', () => {
  let hub: TestHub;
  let region: RegionContext;
  let root: string;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
    root = await fs.mkdtemp(join(tmpdir(), 'kiki-client-interrupt-'));
  });
  afterAll(async () => {
    await hub?.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('a restore cancelled after the first page resumes from the saved cursor', async () => {
    await seedHub(member(hub, region).client, letters(region.keys, 1300, { tag: 'restore' }));
    const dir = join(root, 'restore');
    const person = member(hub, region).person;

    const controller = new AbortController();
    let pulls = 0;
    const cutting = new HubClient(hub.url, region.keys, person, {
      signal: controller.signal,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (!String(url).includes('/pull') || ++pulls > 1) return res;
        // The first page arrives whole, then the device goes away.
        const body = await res.arrayBuffer();
        controller.abort();
        return new Response(body, { status: res.status, headers: res.headers });
      },
    });
    let store = await FileEnvelopeStore.open(dir, { region: region.publicKey });
    const err = await syncRegion(cutting, store, { signal: controller.signal, pullLimit: 500 }).catch((e: unknown) => e);
    expect(err instanceof SyncError || err instanceof HubClientError).toBe(true);
    expect((err as { code: string }).code).toBe('ABORTED');
    expect((await store.count()).envelopes).toBe(500);
    await store.close();

    // A new process: reopen the store from disk and sync again.
    store = await FileEnvelopeStore.open(dir, { region: region.publicKey });
    expect((await store.loadSyncState(cutting.baseUrl, region.publicKey))?.cursor).toBeDefined();
    const client = new HubClient(hub.url, region.keys, person);
    const report = await syncRegion(client, store, { pullLimit: 500 });
    expect(report.mode).toBe('incremental');
    expect(report.pulled).toBe(800);
    expect(report.rounds).toBe(1);
    expect(report.fetched + report.pushed).toBe(0);

    const onHub = await hubIds(hub, region);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));
    await store.close();
    const written = await logIds(dir);
    expect(written).toHaveLength(1300);
    expect(new Set(written).size).toBe(1300);
  });

  it('a push whose answer is lost resumes without pushing anything twice', async () => {
    const dir = join(root, 'push');
    const person = member(hub, region).person;
    let store = await FileEnvelopeStore.open(dir, { region: region.publicKey });
    await syncRegion(new HubClient(hub.url, region.keys, person), store);
    const before = await hubIds(hub, region);
    const offline = letters(region.keys, 1150, { tag: 'offline', startMs: Date.now() - 600_000 });
    await store.put(offline);

    let pushes = 0;
    const flaky = new HubClient(hub.url, region.keys, person, {
      retries: 0,
      fetch: async (url, init) => {
        if (!String(url).includes('/push')) return fetch(url, init);
        pushes++;
        if (pushes === 2) {
          // The hub stores the second batch, but its answer never reaches the device.
          await fetch(url, init).then((r) => r.arrayBuffer());
          throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
        }
        return fetch(url, init);
      },
    });
    const err = await syncRegion(flaky, store).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubClientError);
    expect((err as HubClientError).code).toBe('NETWORK');
    expect((err as HubClientError).status).toBe(0);
    expect((await hubIds(hub, region)).rows).toBe(before.rows + 1000);
    await store.close();

    store = await FileEnvelopeStore.open(dir, { region: region.publicKey });
    const client = new HubClient(hub.url, region.keys, person);
    const report = await syncRegion(client, store);
    // Reconciliation sees the 1000 the hub already has: only the last 150 go out, none twice.
    expect(report.have).toBe(150);
    expect(report.pushed).toBe(150);
    expect(report.duplicates).toBe(0);
    expect(client.stats.push.requests).toBe(1);

    const onHub = await hubIds(hub, region);
    expect(onHub.rows).toBe(before.rows + 1150);
    expect(sorted(await storeIds(store))).toEqual(sorted(onHub.live));
    await store.close();
    const written = await logIds(dir);
    expect(new Set(written).size).toBe(written.length);
  });
});
