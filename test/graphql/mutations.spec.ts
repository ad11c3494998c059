import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Decode, generateKeyPair, type KeyPair, seal } from '@kiki/crypto';
import { EnvelopeRepository } from '@kiki/storage';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicPost } from '../support/envelopes';
import { codeOf, gql, memberAuth, SUBMIT, toInput } from './client';

const TOKEN = 'm'.repeat(40);
const ADMIN = `Bearer ${TOKEN}`;
let hub: TestHub;
let region: KeyPair;
let regionId: number;
const [alice, bob] = people(2);

beforeAll(async () => {
  hub = await startTestHub({ ADMIN_TOKEN: TOKEN, QUOTA_SWEEP_EVERY_SECONDS: '0' });
  const ctx = await hub.createRegion('mutations');
  region = ctx.keys;
  regionId = ctx.regionId;
});
afterAll(() => hub?.close());

const submit = (envelopes: unknown[], auth = memberAuth(alice, region)) => gql(hub.url, SUBMIT, { region: region.public, envelopes }, auth);

describe('submitEnvelopes', () => {
  it('goes through the ingest path: one result per item with the /sync codes, named by GraphQL field', async () => {
    const good = publicPost(alice, region, 'hello');
    const elsewhere = publicPost(alice, generateKeyPair(), 'wrong region');
    const future = publicPost(alice, region, 'later', new Date(Date.now() + 86_400_000));
    const broken = { ...toInput(publicPost(alice, region)), sealedLetter: '***' };
    const r = await submit([toInput(good), toInput(good), toInput(elsewhere), toInput(future), broken]);
    expect(r.errors).toBeUndefined();
    const { results, stored, duplicate, rejected } = r.data.submitEnvelopes;
    expect({ stored, duplicate, rejected }).toEqual({ stored: 1, duplicate: 1, rejected: 3 });
    expect(results.map((x: any) => [x.index, x.status, x.code])).toEqual([
      [0, 'STORED', null],
      [1, 'DUPLICATE', null],
      [2, 'REJECTED', 'BAD_SIGNATURE'],
      [3, 'REJECTED', 'FUTURE_TIMESTAMP'],
      [4, 'REJECTED', 'INVALID_ENVELOPE'],
    ]);
    expect(results[4].field).toBe('envelopes[4].sealedLetter');
    expect(results[3].field).toBe('envelopes[3].timestamp');
    expect(results[2].reason).toMatch(/signature/);
    // the same store as /sync: a native client pulls it
    const pull = await fetch(`${hub.url}/sync/${region.public}/pull?after=0`, { headers: authHeader(bob, region) });
    expect(((await pull.json()) as any).envelopes.map((e: any) => e.id)).toEqual([good.id]);
    // and pushing it again over /sync is a duplicate
    const again = await submit([toInput(good)]);
    expect(again.data.submitEnvelopes.results[0].status).toBe('DUPLICATE');
  });

  it('refuses removed envelopes as TOMBSTONED', async () => {
    const env = publicPost(alice, region, 'soon gone');
    await submit([toInput(env)]);
    await hub.app.get(EnvelopeRepository).remove(regionId, [Buffer.from(base58Decode(env.id))], 'admin');
    const r = await submit([toInput(env)]);
    expect(r.data.submitEnvelopes.results[0]).toMatchObject({ status: 'REJECTED', code: 'TOMBSTONED' });
  });

  it('bounds the batch: 1 to 100 envelopes', async () => {
    const empty = await submit([]);
    expect(empty.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(empty.errors?.[0].message).toMatch(/empty/);
    const one = toInput(publicPost(alice, region));
    const many = await submit(Array.from({ length: 101 }, () => one));
    expect(many.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(many.errors?.[0].message).toMatch(/at most 100/);
  });

  it('needs a membership token', async () => {
    const r = await submit([toInput(publicPost(alice, region))], '');
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
});

describe('admin: regions', () => {
  it('creates a region whose member keys then open it', async () => {
    const r = await gql(hub.url, `mutation { createRegion(name: "fresh") { region { publicKey name } memberKeys { public private } } }`, {}, ADMIN);
    expect(r.errors).toBeUndefined();
    const keys: KeyPair = r.data.createRegion.memberKeys;
    expect(r.data.createRegion.region).toEqual({ publicKey: keys.public, name: 'fresh' });
    const member = await gql(hub.url, `query($k: String!) { region(publicKey: $k) { name } }`, { k: keys.public }, memberAuth(alice, keys));
    expect(member.data.region.name).toBe('fresh');
  });

  it('imports a region once, with its private key checked', async () => {
    const keys = generateKeyPair();
    const q = `mutation($n: String!, $p: String!, $s: String!) { importRegion(name: $n, publicKey: $p, privateKey: $s) { publicKey name } }`;
    const r = await gql(hub.url, q, { n: 'imported', p: keys.public, s: keys.private }, ADMIN);
    expect(r.data.importRegion).toEqual({ publicKey: keys.public, name: 'imported' });
    const twice = await gql(hub.url, q, { n: 'imported', p: keys.public, s: keys.private }, ADMIN);
    expect(twice.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT' });
    const wrong = await gql(hub.url, q, { n: 'x', p: generateKeyPair().public, s: keys.private }, ADMIN);
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_KEY', field: 'private' });
    const long = await gql(hub.url, q, { n: 'x'.repeat(201), p: keys.public, s: keys.private }, ADMIN);
    expect(long.errors?.[0].message).toMatch(/1 to 200/);
  });
});

describe('admin: quotas', () => {
  it('sets the region policy, a person\'s tier and override, and evicts down to it', async () => {
    const policy = await gql(hub.url, `mutation($r: String!) { setQuotaPolicy(region: $r, defaultBytes: 4000000, trustedBytes: 40000000) { defaultBytes trustedBytes } }`, { r: region.public }, ADMIN);
    expect(policy.data.setQuotaPolicy).toEqual({ defaultBytes: 4000000, trustedBytes: 40000000 });
    const seen = await gql(hub.url, `query($r: String!) { region(publicKey: $r) { quotaPolicy { defaultBytes } } }`, { r: region.public }, memberAuth(alice, region));
    expect(seen.data.region.quotaPolicy.defaultBytes).toBe(4000000);

    const carol = generateKeyPair();
    const posts = Array.from({ length: 4 }, (_, i) =>
      seal({ purpose: 'share-text', content: `${i}`.repeat(600), recipients: [region.public] }, carol, region.public, { now: new Date(Date.UTC(2026, 0, i + 1)) }),
    );
    expect((await submit(posts.map(toInput), memberAuth(carol, region))).data.submitEnvelopes.stored).toBe(4);
    const limit = posts[2].sealed_letter.length + posts[3].sealed_letter.length;
    const tier = await gql(
      hub.url,
      `mutation($r: String!, $k: String!, $o: Float) { setPersonTier(region: $r, publicKey: $k, tier: TRUSTED, overrideBytes: $o) { publicKey tier limit } }`,
      { r: region.public, k: carol.public, o: limit },
      ADMIN,
    );
    expect(tier.errors).toBeUndefined();
    expect(tier.data.setPersonTier).toEqual({ publicKey: carol.public, tier: 'TRUSTED', limit });

    // the in-process quota worker evicts the two oldest
    const q = `query($r: String!, $p: String) { evictions(region: $r, person: $p, first: 10) { edges { node { envelopeId reason size limitBytes person { publicKey } } } pageInfo { hasNextPage } } }`;
    let evicted: any[] = [];
    for (let i = 0; i < 100 && evicted.length < 2; i++) {
      await new Promise((res) => setTimeout(res, 100));
      evicted = (await gql(hub.url, q, { r: region.public, p: carol.public }, memberAuth(bob, region))).data.evictions.edges.map((e: any) => e.node);
    }
    expect(evicted.map((e) => e.envelopeId)).toEqual([posts[1].id, posts[0].id]); // newest first
    expect(evicted[0]).toMatchObject({ reason: 'OLDEST', limitBytes: limit, person: { publicKey: carol.public } });

    const person = await gql(hub.url, `query($r: String!, $k: String!) { person(region: $r, publicKey: $k) { usage envelopeCount tier limit } }`, { r: region.public, k: carol.public }, memberAuth(bob, region));
    expect(person.data.person).toEqual({ usage: limit, envelopeCount: 2, tier: 'TRUSTED', limit });

    const re = await gql(hub.url, `mutation($r: String!, $k: String!) { reevaluatePerson(region: $r, publicKey: $k) }`, { r: region.public, k: carol.public }, ADMIN);
    expect(re.data.reevaluatePerson).toBe(true);
  });

  it('explains refused quota input', async () => {
    const r = await gql(hub.url, `mutation($r: String!, $k: String!) { setPersonTier(region: $r, publicKey: $k, tier: UNLIMITED, overrideBytes: 10) { tier } }`, { r: region.public, k: alice.public }, ADMIN);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'overrideBytes' });
    const neg = await gql(hub.url, `mutation($r: String!) { setQuotaPolicy(region: $r, defaultBytes: -1) { defaultBytes } }`, { r: region.public }, ADMIN);
    expect(neg.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'defaultBytes' });
  });

  it('is for the admin only', async () => {
    const member = await gql(hub.url, `mutation($r: String!) { setQuotaPolicy(region: $r, defaultBytes: 1) { defaultBytes } }`, { r: region.public }, memberAuth(alice, region));
    expect(codeOf(member)).toBe('FORBIDDEN');
    const anon = await gql(hub.url, `mutation { createRegion(name: "x") { region { name } } }`);
    expect(codeOf(anon)).toBe('UNAUTHENTICATED');
  });
});
