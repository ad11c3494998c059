import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair, seal } from '@kiki/crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHubApp } from '../../apps/hub/src/bootstrap';
import { EvictionEvents } from '../../apps/hub/src/graphql/services/eviction-events.service';
import { IngestService } from '../../apps/hub/src/ingest/ingest.service';
import { evictionChannel } from '../../apps/hub/src/quota/eviction.service';
import { requirement } from '../support/services';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicAction, publicPost } from '../support/envelopes';
import { testRedisUrl, hasTestRedis } from '../support/db';
import { collect, gql, memberAuth, SUBMIT, toInput, waitForListeners, wsClient } from './client';

const TOKEN = 's'.repeat(40);
let hubA: TestHub;
let appB: NestExpressApplication;
let urlB: string;
let region: KeyPair;
let regionId: number;
let other: KeyPair;
const [alice, bob] = people(2);

const channel = (kind: string, r: KeyPair) => `${hubA.config.REDIS_PREFIX}:gql:${kind}:${r.public}`;
const ADDED = `subscription($r: String!) { envelopeAdded(region: $r) { id sequence cursor sealedLetter sender { publicKey name } } }`;

const need = requirement('a Redis (subscriptions across two hub processes)', hasTestRedis);

beforeAll(async () => {
  if (!need.ok) return;
  // eviction logs are re-read on a timer only hourly: evictionHappened events must come from the
  // workers' Redis notices (the timer is the safety net for lost notices)
  hubA = await startTestHub({ ADMIN_TOKEN: TOKEN, QUOTA_SWEEP_EVERY_SECONDS: '0', GRAPHQL_EVICTION_POLL_SECONDS: '3600' });
  // a second hub process: same database and Redis, its own memory
  appB = await createHubApp(hubA.config, { logger: false });
  await appB.listen(0, '127.0.0.1');
  urlB = `http://127.0.0.1:${(appB.getHttpServer().address() as { port: number }).port}`;
  const ctx = await hubA.createRegion('subs');
  region = ctx.keys;
  regionId = ctx.regionId;
  other = (await hubA.createRegion('subs-other')).keys;
});
afterAll(async () => {
  await appB?.close();
  await hubA?.close();
});

describe.skipIf(!need.ok)('envelopeAdded', () => {
  it('reaches a subscriber on another hub process, from GraphQL and /sync alike, and nothing of other regions', async () => {
    const client = wsClient(urlB, memberAuth(bob, region), region.public);
    const sub = collect(client, ADDED, { r: region.public });
    await waitForListeners(testRedisUrl, channel('envelope-added', region));
    const ingestB = appB.get(IngestService);
    const ingested = ingestB.ingest.bind(ingestB);
    let calledOnB = 0;
    ingestB.ingest = (...args) => (calledOnB++, ingested(...args));

    const named = publicAction(alice, region, 'action-assign/name', 'Alice');
    const viaGraphql = publicPost(alice, region, 'over graphql');
    const r = await gql(hubA.url, SUBMIT, { region: region.public, envelopes: [toInput(named), toInput(viaGraphql)] }, memberAuth(alice, region));
    expect(r.data.submitEnvelopes.stored).toBe(2);
    const viaSync = publicPost(alice, region, 'over /sync');
    await fetch(`${hubA.url}/sync/${region.public}/push`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader(alice, region) }, body: JSON.stringify({ envelopes: [viaSync] }) });
    await gql(hubA.url, SUBMIT, { region: other.public, envelopes: [toInput(publicPost(alice, other))] }, memberAuth(alice, other));

    await sub.until(() => sub.events.length >= 3);
    await new Promise((res) => setTimeout(res, 200)); // nothing more (the other region's) may follow
    expect(sub.events.map((e) => e.data.envelopeAdded.id)).toEqual([named.id, viaGraphql.id, viaSync.id]);
    expect(sub.events[1].data.envelopeAdded).toMatchObject({ sequence: 2, sealedLetter: viaGraphql.sealed_letter, sender: { publicKey: alice.public, name: 'Alice' } });
    expect(calledOnB).toBe(0);

    // the cursor of an event continues a page right after it
    const page = await gql(hubA.url, `query($r: String!, $a: String) { envelopes(region: $r, after: $a) { edges { node { id } } } }`, { r: region.public, a: sub.events[1].data.envelopeAdded.cursor }, memberAuth(bob, region));
    expect(page.data.envelopes.edges.map((e: any) => e.node.id)).toEqual([viaSync.id]);

    sub.dispose();
    await client.dispose();
    await waitForListeners(testRedisUrl, channel('envelope-added', region), 0).catch(() => undefined);
  });

  it('serves several subscriptions on one socket with one token, and lets go of Redis when they end', async () => {
    const client = wsClient(hubA.url, memberAuth(bob, region), region.public);
    const one = collect(client, ADDED, { r: region.public });
    const two = collect(client, ADDED, { r: region.public });
    await waitForListeners(testRedisUrl, channel('envelope-added', region));
    const env = publicPost(alice, region, 'twice');
    await gql(hubA.url, SUBMIT, { region: region.public, envelopes: [toInput(env)] }, memberAuth(alice, region));
    await one.until(() => one.events.length === 1);
    await two.until(() => two.events.length === 1);
    expect(one.events[0].data.envelopeAdded.id).toBe(env.id);
    expect(two.events[0].errors).toBeUndefined();
    one.dispose();
    two.dispose();
    await client.dispose();
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(testRedisUrl);
    try {
      for (let i = 0; i < 100; i++) {
        const [, n] = (await redis.pubsub('NUMSUB', channel('envelope-added', region))) as [string, number];
        if (Number(n) === 0) return;
        await new Promise((res) => setTimeout(res, 20));
      }
      throw new Error('the hub still listens on Redis after every subscription ended');
    } finally {
      redis.disconnect();
    }
  });
});

describe.skipIf(!need.ok)('evictionHappened', () => {
  it('tells subscribers of every process about evictions made by the quota worker', async () => {
    const carol = generateKeyPair();
    const clientB = wsClient(urlB, memberAuth(bob, region), region.public);
    const sub = collect(clientB, `subscription($r: String!) { evictionHappened(region: $r) { evictionId envelopeId reason size limitBytes person { publicKey } } }`, { r: region.public });
    const posts = Array.from({ length: 3 }, (_, i) =>
      seal({ purpose: 'share-text', content: `${i}`.repeat(500), recipients: [region.public] }, carol, region.public, { now: new Date(Date.UTC(2026, 1, i + 1)) }),
    );
    await gql(hubA.url, SUBMIT, { region: region.public, envelopes: posts.map(toInput) }, memberAuth(carol, region));
    // live once process B watches the region's eviction log and listens for the workers' notices
    for (let i = 0; i < 100 && !appB.get(EvictionEvents).watchedRegions().includes(regionId); i++) await new Promise((res) => setTimeout(res, 20));
    await waitForListeners(testRedisUrl, evictionChannel(hubA.config.REDIS_PREFIX, regionId));
    const limit = posts[2].sealed_letter.length;
    const set = await gql(hubA.url, `mutation($r: String!, $k: String!, $o: Float) { setPersonTier(region: $r, publicKey: $k, tier: DEFAULT, overrideBytes: $o) { limit } }`, { r: region.public, k: carol.public, o: limit }, `Bearer ${TOKEN}`);
    expect(set.errors).toBeUndefined();
    await sub.until(() => sub.events.length >= 2, 10_000);
    expect(sub.events.map((e) => e.data.evictionHappened.envelopeId).sort()).toEqual([posts[0].id, posts[1].id].sort());
    expect(sub.events[0].data.evictionHappened).toMatchObject({ reason: 'OLDEST', limitBytes: limit, person: { publicKey: carol.public } });
    sub.dispose();
    await clientB.dispose();
  });
});
