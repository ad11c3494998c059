/**
 * Issue 10's last two trust items (docs/quotas.md): a cap on a region's number of unproven
 * senders, and membership tokens required on /r/. Through /r/, /sync and GraphQL, with bad and
 * unauthorised input.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncToken, type Envelope, generateKeyPair, type KeyPair, RegionValidator } from '@kiki/crypto';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import { type RegionContext, RegionService } from '../../apps/hub/src/regions/region.service';
import { authHeader, publicPost } from '../support/envelopes';
import { startTestHub, type TestHub } from '../support/hub';
import { codeOf, gql, memberAuth, SUBMIT, toInput } from '../graphql/client';
import { closeHub } from '../quota/support/quota';
import { OriginalKikiInstance } from '../support/kiki-original';

const TOKEN = randomBytes(24).toString('hex');
const ADMIN = `Bearer ${TOKEN}`;
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ ADMIN_TOKEN: TOKEN });
});
afterAll(() => closeHub(hub));

/** The same envelope without its v2 signature: unproven (a plain v1 envelope, as the original makes). */
function unproven(env: Envelope): Envelope {
  const { signature_v2: _drop, ...v1 } = env as Envelope & { signature_v2?: string };
  return v1 as Envelope;
}

async function kikiPost(region: KeyPair, env: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${hub.url}/r/${region.public}/envelope`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(env) });
  return { status: res.status, body: (await res.json()) as { status: string; message?: string; error?: string; code?: string } };
}
async function syncPush(region: KeyPair, envs: unknown[], as: KeyPair) {
  const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader(as, region) },
    body: JSON.stringify({ envelopes: envs }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: Array<{ status: string; code?: string; field?: string }> }).results;
}
const storedOnKiki = (r: { status: number; body: { status: string; message?: string } }) => r.status === 200 && r.body.status === 'ok' && !r.body.message;

describe('a cap on the number of unproven senders', () => {
  let ctx: RegionContext;
  let region: KeyPair;
  let quota: QuotaService;
  const refresh = () => hub.app.get(RegionService).invalidate(region.public);

  beforeAll(async () => {
    ctx = await hub.createRegion('trust-senders');
    region = ctx.keys;
    quota = hub.app.get(QuotaService);
  });

  it('counts the senders already holding data when it is set, then refuses new unproven ones past it on every route', async () => {
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => generateKeyPair());
    // before any cap: a (unproven) and b (proven) hold data
    expect(storedOnKiki(await kikiPost(region, unproven(publicPost(a, region))))).toBe(true);
    expect(storedOnKiki(await kikiPost(region, publicPost(b, region)))).toBe(true);

    const set = await quota.setSenderPolicy(ctx, 'v1', undefined, undefined, { maxUnprovenSenders: 2 });
    expect(set).toMatchObject({ maxUnprovenSenders: 2, unprovenSenders: 1 });
    refresh();

    // a is counted already: still welcome; c takes the second slot
    expect(storedOnKiki(await kikiPost(region, unproven(publicPost(a, region))))).toBe(true);
    expect(storedOnKiki(await kikiPost(region, unproven(publicPost(c, region))))).toBe(true);
    expect((await quota.getSenderPolicy(ctx)).unprovenSenders).toBe(2);

    // d is a third unproven sender: /r/ answers as it answers REGION_FULL (ok, not stored), /sync and GraphQL name the code
    const dPost = unproven(publicPost(d, region));
    const onKiki = await kikiPost(region, dPost);
    expect(onKiki.status).toBe(200);
    expect(onKiki.body).toMatchObject({ status: 'ok' });
    expect(onKiki.body.message).toMatch(/not stored: .*unproven senders/);
    expect((await syncPush(region, [dPost], d))[0]).toMatchObject({ status: 'rejected', code: 'UNPROVEN_SENDERS_FULL', field: 'sender' });
    const g = await gql(hub.url, SUBMIT, { region: region.public, envelopes: [toInput(dPost)] }, memberAuth(d, region));
    expect(g.errors).toBeUndefined();
    expect(g.data.submitEnvelopes.results[0]).toMatchObject({ status: 'REJECTED', code: 'UNPROVEN_SENDERS_FULL' });
    // nothing of d was stored, and the count did not move
    expect((await fetch(`${hub.url}/r/${region.public}/download/${dPost.id}`)).status).toBe(404);
    expect((await quota.getSenderPolicy(ctx)).unprovenSenders).toBe(2);

    // many throwaway keys in one push: all refused, nothing counted
    const throwaways = Array.from({ length: 20 }, () => unproven(publicPost(generateKeyPair(), region)));
    const results = await syncPush(region, throwaways, d);
    expect(results.every((r) => r.code === 'UNPROVEN_SENDERS_FULL')).toBe(true);
    expect((await quota.getSenderPolicy(ctx)).unprovenSenders).toBe(2);

    // a proven newcomer needs no slot
    expect((await syncPush(region, [publicPost(e, region)], e))[0].status).toBe('stored');
    expect((await quota.getSenderPolicy(ctx)).unprovenSenders).toBe(2);

    // c proves itself (a v2 envelope): it gives its slot back, and d now fits
    expect(storedOnKiki(await kikiPost(region, publicPost(c, region)))).toBe(true);
    expect((await quota.getSenderPolicy(ctx)).unprovenSenders).toBe(1);
    expect((await syncPush(region, [dPost], d))[0].status).toBe('stored');
    expect((await quota.getSenderPolicy(ctx)).unprovenSenders).toBe(2);
    // a proven sender sending unproven envelopes afterwards is still known: no slot needed
    expect(storedOnKiki(await kikiPost(region, unproven(publicPost(c, region))))).toBe(true);
  });

  it('refuses bad settings and changes nothing; null removes the cap', async () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 31]) {
      await expect(quota.setSenderPolicy(ctx, 'v1', undefined, undefined, { maxUnprovenSenders: bad })).rejects.toMatchObject({ code: 'BAD_REQUEST', field: 'maxUnprovenSenders' });
    }
    expect((await quota.getSenderPolicy(ctx)).maxUnprovenSenders).toBe(2);
    await quota.setSenderPolicy(ctx, 'v1', undefined, undefined, { maxUnprovenSenders: null });
    refresh();
    expect(storedOnKiki(await kikiPost(region, unproven(publicPost(generateKeyPair(), region))))).toBe(true);
    expect((await quota.getSenderPolicy(ctx)).maxUnprovenSenders).toBeNull();
  });

  it('a cap of 0 admits proven senders only', async () => {
    const other = await hub.createRegion('trust-senders-zero');
    await quota.setSenderPolicy(other, 'v1', undefined, undefined, { maxUnprovenSenders: 0 });
    hub.app.get(RegionService).invalidate(other.keys.public);
    const p = generateKeyPair();
    expect((await syncPush(other.keys, [unproven(publicPost(p, other.keys))], p))[0].code).toBe('UNPROVEN_SENDERS_FULL');
    expect((await syncPush(other.keys, [publicPost(p, other.keys)], p))[0].status).toBe('stored');
  });
});

describe('membership tokens required on /r/', () => {
  let ctx: RegionContext;
  let region: KeyPair;
  const alice = generateKeyPair();
  const tokenOf = (who: KeyPair, r: KeyPair = region) => ({ authorization: `Kiki ${createSyncToken(who, r)}` });
  const listPath = (r: KeyPair) => {
    const sig = new RegionValidator(r).signFor(alice);
    return `/r/${r.public}/list?user_pub=${alice.public}&signature=${encodeURIComponent(sig)}`;
  };

  beforeAll(async () => {
    ctx = await hub.createRegion('trust-token');
    region = ctx.keys;
    const quota = hub.app.get(QuotaService);
    expect(storedOnKiki(await kikiPost(region, publicPost(alice, region, 'before the switch')))).toBe(true);
    const s = await quota.setSenderPolicy(ctx, 'v1', undefined, undefined, { kikiRoutesRequireToken: true });
    expect(s.kikiRoutesRequireToken).toBe(true);
    hub.app.get(RegionService).invalidate(region.public);
  });

  /** status and body with the region key blanked, to compare a real region's answer with an unknown one's */
  async function answer(path: string, r: KeyPair, init: RequestInit = {}) {
    const res = await fetch(`${hub.url}${path}`, init);
    return { status: res.status, body: JSON.stringify(await res.json()).replaceAll(r.public, '<region>') };
  }

  it('answers list, download and envelope without a valid token exactly as it answers an unknown region; ping stays open', async () => {
    expect(await (await fetch(`${hub.url}/r/${region.public}/ping`)).json()).toEqual({ status: 'ok' });
    const stranger = generateKeyPair();
    const post = publicPost(alice, region);
    const routes = (r: KeyPair) => [
      { path: listPath(r), init: {} },
      { path: `/r/${r.public}/download/${post.id}`, init: {} },
      { path: `/r/${r.public}/envelope`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(post) } },
    ];
    const withHeaders = (init: RequestInit, h: Record<string, string>) => ({ ...init, headers: { ...(init.headers as Record<string, string>), ...h } });
    for (let i = 0; i < 3; i++) {
      const unknown = await answer(routes(stranger)[i].path, stranger, routes(stranger)[i].init);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatch(/"status":"error"/);
      // no token, a malformed header, a token of another region, a token of the unknown region itself
      for (const h of [{}, { authorization: 'Bearer x' }, { authorization: 'Kiki ???' }, tokenOf(alice, generateKeyPair())]) {
        expect(await answer(routes(region)[i].path, region, withHeaders(routes(region)[i].init, h))).toEqual(unknown);
      }
      expect(await answer(routes(stranger)[i].path, stranger, withHeaders(routes(stranger)[i].init, tokenOf(alice, stranger)))).toEqual(unknown);
    }
    // nothing was stored by the refused uploads
    expect((await fetch(`${hub.url}/r/${region.public}/download/${post.id}`, { headers: tokenOf(alice) })).status).toBe(404);
  });

  it('serves members with a fresh token on every route, and refuses a replayed one', async () => {
    const post = publicPost(alice, region, 'with a token');
    expect(storedOnKiki(await kikiPost(region, post, tokenOf(alice)))).toBe(true);
    const list = (await (await fetch(`${hub.url}${listPath(region)}`, { headers: tokenOf(alice) })).json()) as { ids: string[] };
    expect(list.ids).toContain(post.id);
    const h = tokenOf(alice);
    const got = (await (await fetch(`${hub.url}/r/${region.public}/download/${post.id}`, { headers: h })).json()) as { envelope: { id: string } };
    expect(got.envelope.id).toBe(post.id);
    const again = await fetch(`${hub.url}/r/${region.public}/download/${post.id}`, { headers: h });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: string }).error).toMatch(/already used/);
  });

  it('an unmodified original instance can no longer sync (documented); turning it off lets it again', async () => {
    const original = new OriginalKikiInstance(generateKeyPair(), region);
    const refused = await original.syncWith(`${hub.url}/r/${region.public}`);
    expect(refused.aborted).toMatch(/^list: .*no region/);
    const quota = hub.app.get(QuotaService);
    await quota.setSenderPolicy(ctx, 'v1', undefined, undefined, { kikiRoutesRequireToken: false });
    hub.app.get(RegionService).invalidate(region.public);
    const ok = await original.syncWith(`${hub.url}/r/${region.public}`);
    expect(ok.aborted).toBeNull();
    expect(ok.downloaded).toBeGreaterThan(0);
  });

  it('is set and read back over GraphQL by the admin only', async () => {
    const other = await hub.createRegion('trust-token-gql');
    const SET = `mutation($r: String!, $n: Int, $t: Boolean) { setSenderPolicy(region: $r, policy: V1, maxUnprovenSenders: $n, kikiRoutesRequireToken: $t) {
      maxUnprovenSenders unprovenSenders kikiRoutesRequireToken } }`;
    const READ = `query($r: String!) { region(publicKey: $r) { senderPolicy { maxUnprovenSenders unprovenSenders kikiRoutesRequireToken } } }`;
    const set = await gql(hub.url, SET, { r: other.keys.public, n: 7, t: true }, ADMIN);
    expect(set.errors).toBeUndefined();
    expect(set.data.setSenderPolicy).toEqual({ maxUnprovenSenders: 7, unprovenSenders: 0, kikiRoutesRequireToken: true });
    const member = generateKeyPair();
    expect((await gql(hub.url, READ, { r: other.keys.public }, memberAuth(member, other.keys))).data.region.senderPolicy).toEqual({
      maxUnprovenSenders: 7,
      unprovenSenders: 0,
      kikiRoutesRequireToken: true,
    });
    // a member or nobody cannot set it; bad input is refused; nothing changed
    for (const auth of [memberAuth(member, other.keys), undefined]) {
      expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(codeOf(await gql(hub.url, SET, { r: other.keys.public, n: 1, t: false }, auth)));
    }
    expect(codeOf(await gql(hub.url, SET, { r: other.keys.public, n: -1 }, ADMIN))).toBe('BAD_USER_INPUT');
    expect((await gql(hub.url, SET, { r: other.keys.public, n: 1.5 }, ADMIN)).errors).toBeDefined();
    expect((await gql(hub.url, SET, { r: other.keys.public, t: 'yes' }, ADMIN)).errors).toBeDefined();
    expect((await gql(hub.url, READ, { r: other.keys.public }, memberAuth(member, other.keys))).data.region.senderPolicy.maxUnprovenSenders).toBe(7);
    // null removes the cap, false turns tokens off
    const off = await gql(hub.url, SET, { r: other.keys.public, n: null, t: false }, ADMIN);
    expect(off.data.setSenderPolicy).toEqual({ maxUnprovenSenders: null, unprovenSenders: 0, kikiRoutesRequireToken: false });
  });
});
