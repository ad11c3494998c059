import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, seal } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { EnvelopeEvents } from '../../apps/hub/src/graphql/services/envelope-events.service';
import { EvictionEvents } from '../../apps/hub/src/graphql/services/eviction-events.service';
import { QuotaQueue } from '../../apps/hub/src/quota/quota.queue';
import { RedisConnections } from '../../apps/hub/src/redis/redis-connections';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { authHeader, people, publicPost } from '../support/envelopes';
import { startTestHub, type TestHub } from '../support/hub';
import { collect, gql, memberAuth, SUBMIT, toInput, wsClient } from '../graphql/client';
import { quotaIdle, unrecordedRemovals, usageDrift, waitFor } from '../quota/support/quota';

// A development hub without Redis (REDIS_URL=none, what `npm start` picks on a bare machine):
// the quota queue runs on BullMQ's PostgreSQL backend, the replay cache is Postgres, and
// subscriptions fan out within the process.
const TOKEN = 'n'.repeat(40);
let hub: TestHub;
let ctx: RegionContext;
let ds: DataSource;
const [alice, bob] = people(2);

beforeAll(async () => {
  hub = await startTestHub({ REDIS_URL: 'none', ADMIN_TOKEN: TOKEN, QUOTA_SWEEP_EVERY_SECONDS: '0', GRAPHQL_EVICTION_POLL_SECONDS: '3600' });
  ctx = await hub.createRegion('no redis');
  ds = hub.app.get(DataSource);
});
afterAll(() => hub?.close());

const push = (envelopes: unknown[], headers: Record<string, string>) =>
  fetch(`${hub.url}/sync/${ctx.publicKey}/push`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ envelopes }) });

describe('a hub with REDIS_URL=none', () => {
  it('makes no Redis connection and keeps its quota queue in Postgres', async () => {
    expect(hub.app.get(RedisConnections).enabled).toBe(false);
    expect(hub.app.get(QuotaQueue).connection).toBeNull();
    await waitFor(async () => hub.app.get(QuotaQueue).connected, (c) => c, 'the Postgres-backed queue');
    const schema = hub.app.get(RedisConnections).queueSchema;
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`, [schema]);
    expect(n).toBeGreaterThan(0);
    const ready = (await (await fetch(`${hub.url}/health/ready`)).json()) as { status: string };
    expect(ready.status).toBe('ok');
  });

  it('refuses a replayed sync token with the replay cache in Postgres', async () => {
    const headers = authHeader(alice, ctx.keys);
    const first = await push([publicPost(alice, ctx.keys)], headers);
    expect(first.status).toBe(200);
    const again = await push([publicPost(alice, ctx.keys)], headers);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { code: string }).code).toBe('TOKEN_REPLAYED');
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM sync_nonce WHERE region_id = $1`, [ctx.regionId]);
    expect(n).toBe(1);
  });

  it('enforces quotas through the Postgres queue and tells in-process subscribers of additions and evictions', async () => {
    const carol = generateKeyPair();
    const client = wsClient(hub.url, memberAuth(bob, ctx.keys), ctx.publicKey);
    const added = collect(client, `subscription($r: String!) { envelopeAdded(region: $r) { id } }`, { r: ctx.publicKey });
    const evicted = collect(client, `subscription($r: String!) { evictionHappened(region: $r) { envelopeId reason } }`, { r: ctx.publicKey });
    await waitFor(async () => hub.app.get(EvictionEvents).watchedRegions().includes(ctx.regionId), (w) => w, 'the eviction watch');
    await waitFor(async () => (hub.app.get(EnvelopeEvents) as any).localListeners.size, (n) => n > 0, 'the envelopeAdded subscription');

    const posts = Array.from({ length: 4 }, (_, i) =>
      seal({ purpose: 'share-text', content: `${i}`.repeat(800), recipients: [ctx.publicKey] }, carol, ctx.publicKey, { now: new Date(Date.UTC(2026, 1, i + 1)) }),
    );
    const r = await gql(hub.url, SUBMIT, { region: ctx.publicKey, envelopes: posts.map(toInput) }, memberAuth(carol, ctx.keys));
    expect(r.data.submitEnvelopes.stored).toBe(4);
    await added.until(() => added.events.length >= 4);
    expect(added.events.map((e) => e.data.envelopeAdded.id)).toEqual(posts.map((p) => p.id));

    // room for the newest only: the three oldest go, through a job on the Postgres queue
    const limit = posts[3].sealed_letter.length;
    const set = await gql(hub.url, `mutation($r: String!, $k: String!, $o: Float) { setPersonTier(region: $r, publicKey: $k, tier: DEFAULT, overrideBytes: $o) { limit } }`, { r: ctx.publicKey, k: carol.public, o: limit }, `Bearer ${TOKEN}`);
    expect(set.errors).toBeUndefined();
    await evicted.until(() => evicted.events.length >= 3, 15_000);
    expect(evicted.events.map((e) => e.data.evictionHappened.envelopeId).sort()).toEqual(posts.slice(0, 3).map((p) => p.id).sort());
    await quotaIdle(hub);
    const live = await ds.query(`SELECT count(*)::int AS n FROM envelope WHERE region_id = $1 AND sender = $2 AND removed_at IS NULL`, [ctx.regionId, carol.public]);
    expect(live[0].n).toBe(1);
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
    added.dispose();
    evicted.dispose();
    await client.dispose();
  });
});
