/**
 * Issue 10's five attacks, each tried as the issue tried it (a stranger, or a region member,
 * without the victim's key), through the original routes (/r/) and /sync, under each region
 * sender policy. docs/quotas.md has the rules these check; docs/reliability.md the figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair, keyPairToJson, RegionValidator, seal } from '@kiki/crypto';
import type { SenderPolicy } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import { type RegionContext, RegionService } from '../../apps/hub/src/regions/region.service';
import { authHeader, publicPost } from '../support/envelopes';
import { forgePublicLetter, junkWithCopiedSignature } from '../support/forge';
import { startTestHub, type TestHub } from '../support/hub';
import { closeHub, noise, quotaIdle, usageDrift } from '../quota/support/quota';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => closeHub(hub));

const LIMIT = 20_000;
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

describe.each(['v1', 'v2-for-quota', 'v2-required'] as SenderPolicy[])('issue 10 attacks, sender policy %s', (policy) => {
  let ctx: RegionContext;
  let region: KeyPair;
  let quota: QuotaService;
  const mallory = generateKeyPair();

  beforeAll(async () => {
    ctx = await hub.createRegion(`trust-${policy}`);
    region = ctx.keys;
    quota = hub.app.get(QuotaService);
    await quota.setRegionPolicy(ctx, { defaultBytes: LIMIT });
    await quota.setSenderPolicy(ctx, policy);
    hub.app.get(RegionService).invalidate(region.public);
  });

  const base = () => `${hub.url}/r/${region.public}`;
  async function kiki(env: unknown): Promise<{ status: string; error?: string; message?: string }> {
    const res = await fetch(`${base()}/envelope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) });
    return (await res.json()) as { status: string; error?: string; message?: string };
  }
  async function push(envs: unknown[], as: KeyPair = mallory): Promise<any[]> {
    const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(as, region) },
      body: JSON.stringify({ envelopes: envs }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { results: any[] }).results;
  }
  async function download(id: string): Promise<{ status: string; error?: string; envelope?: Envelope }> {
    return (await (await fetch(`${base()}/download/${id}`)).json()) as { status: string; error?: string };
  }
  async function listed(): Promise<Set<string>> {
    const sig = new RegionValidator(region).signFor(mallory);
    const body = (await (await fetch(`${base()}/list?user_pub=${mallory.public}&signature=${encodeURIComponent(sig)}`)).json()) as { ids: string[] };
    return new Set(body.ids);
  }
  async function pulled(): Promise<Set<string>> {
    const ids = new Set<string>();
    let after = 0;
    for (;;) {
      const res = await fetch(`${hub.url}/sync/${region.public}/pull?after=${after}&limit=500`, { headers: authHeader(mallory, region) });
      const body = (await res.json()) as { envelopes: Envelope[]; cursor: number };
      body.envelopes.forEach((e) => ids.add(e.id));
      if (body.envelopes.length === 0 || body.cursor === after) return ids;
      after = body.cursor;
    }
  }
  const stored = (r: { status: string; message?: string }) => r.status === 'ok' && !r.message;

  it('1. eviction by forgery: junk carrying a copied signature never pushes out what the person had', async () => {
    const victim = generateKeyPair();
    const posts = Array.from({ length: 10 }, (_, i) => publicPost(victim, region, `post ${i} ${noise(300)}`));
    for (const p of posts) expect(stored(await kiki(p))).toBe(true);
    const before = (await quota.personQuota(ctx, victim.public)).usage;

    // ~4.9 KB private-looking letters, dated 10 minutes ahead: half to /r/, half to /sync
    const junk = Array.from({ length: 30 }, () => junkWithCopiedSignature(posts[0], 3600, minutes(10)));
    const viaKiki = await Promise.all(junk.slice(0, 15).map(kiki));
    const viaSync = await push(junk.slice(15));
    if (policy === 'v2-required') {
      // not stored, but answered ok on the original route so an original instance's sync goes on
      expect(viaKiki.every((r) => r.status === 'ok' && /not stored/.test(r.message ?? ''))).toBe(true);
      expect(viaSync.map((r) => r.code)).toEqual(Array(15).fill('V2_REQUIRED'));
    } else {
      expect(viaKiki.every(stored)).toBe(true);
      expect(viaSync.every((r) => r.status === 'stored')).toBe(true);
    }
    // a copy of the victim's v2 signature on junk is refused on every route and policy
    const withV2 = { ...junkWithCopiedSignature(posts[0], 3600, minutes(10)), signature_v2: posts[0].signature_v2 };
    expect((await push([withV2]))[0]).toMatchObject({ status: 'rejected', code: 'BAD_SIGNATURE', field: 'signature_v2' });
    expect(await kiki(withV2)).toMatchObject({ status: 'error' });

    await quotaIdle(hub);
    for (const p of posts) expect((await download(p.id)).status).toBe('ok');
    const after = await quota.personQuota(ctx, victim.public);
    if (policy === 'v1') {
      // the junk counted (v1 cannot tell it apart) and was evicted itself, newest-received first
      expect(after.usage.bytes).toBeLessThanOrEqual(LIMIT);
      const ev = await quota.listEvictions(ctx, { person: victim.public, limit: 100 });
      expect(ev.items.length).toBeGreaterThan(0);
      expect(ev.items.every((e) => e.reason === 'unproven')).toBe(true);
      expect(ev.items.some((e) => posts.some((p) => p.id === e.envelopeId))).toBe(false);
    } else {
      // proven bytes only count toward the victim: the junk is not theirs
      expect(after.usage).toEqual(before);
    }
  });

  it('2. erase by forgery: a forged erase removes nothing; a proven one reaches no later than its receive time, and an admin can undo it', async () => {
    const bob = generateKeyPair();
    const bobPost = publicPost(bob, region, 'bob before');
    expect(stored(await kiki(bobPost))).toBe(true);
    const forged = [
      forgePublicLetter(bob.public, region, { purpose: 'action-erase' }, minutes(14)),
      forgePublicLetter(bob.public, region, { purpose: 'action-erase', reply_to: bobPost.id }, minutes(14)),
    ];
    const viaKiki = await kiki(forged[0]);
    const viaSync = await push([forged[1]]);
    if (policy === 'v2-required') {
      expect(viaKiki.message).toMatch(/not stored/);
      expect(viaSync[0].code).toBe('V2_REQUIRED');
    } else {
      // still valid v1 envelopes: stored and carried, but they erase nothing on the hub
      expect(stored(viaKiki)).toBe(true);
      expect(viaSync[0].status).toBe('stored');
    }
    await quotaIdle(hub);
    expect((await download(bobPost.id)).status).toBe('ok');
    // Bob's re-push is not refused as erased, and his new posts stay
    expect((await push([bobPost], bob))[0].status).toBe('duplicate');
    const later = publicPost(bob, region, 'bob after the forged erase', minutes(1));
    expect((await push([later], bob))[0].status).toBe('stored');

    // Bob's own erase, dated 14 minutes ahead: it reaches back only to when the hub received it
    const real = seal({ purpose: 'action-erase', reply_to: later.id, recipients: [region.public] }, bob, region.public, { now: minutes(14) });
    expect((await push([real], bob))[0].status).toBe('stored');
    await new Promise((r) => setTimeout(r, 20));
    const afterErase = publicPost(bob, region, 'bob after his erase was received', minutes(2));
    expect((await push([afterErase], bob))[0].status).toBe('stored');
    await quotaIdle(hub);
    expect((await download(bobPost.id)).error).toMatch(/removed/);
    // dated after the erase was received (though before the erase's own date): kept
    expect((await download(later.id)).status).toBe('ok');
    expect((await download(afterErase.id)).status).toBe('ok');

    // the admin undoes it: what it erased is back, the erase letter is removed
    expect(await quota.undoErase(ctx, bob.public)).toBeGreaterThanOrEqual(1);
    await quotaIdle(hub);
    expect((await download(bobPost.id)).status).toBe('ok');
    expect((await download(real.id)).error).toMatch(/removed/);
  });

  it("3. storage as the hub: /list hands out no signature of the hub's identity, and the hub identity is never a sender from outside", async () => {
    const sig = new RegionValidator(region).signFor(mallory);
    const body = (await (await fetch(`${base()}/list?user_pub=${mallory.public}&signature=${encodeURIComponent(sig)}`)).json()) as any;
    expect(body.personal_key).toBe(ctx.hub.public);
    expect(new RegionValidator(region).validateSignature(body.personal_key, body.personal_signature)).toBe(false);

    // with the region key anyone can make the hub's v1 signature: it is refused anyway
    const asHub = junkWithCopiedSignature(publicPost(ctx.hub, region), 384 * 1024 - 100, new Date());
    asHub.signature = new RegionValidator(region).signFor(ctx.hub);
    expect(await kiki(asHub)).toMatchObject({ status: 'error' });
    expect((await push([asHub, publicPost(ctx.hub, region)])).map((r) => r.code)).toEqual(['HUB_AS_SENDER', 'HUB_AS_SENDER']);
    expect((await quota.personQuota(ctx, ctx.hub.public)).usage.envelopes).toBe(0);
  });

  it('4. free bytes as actions: action contents are bounded, and an action that is not small counts', async () => {
    const liker = generateKeyPair();
    const fat = Array.from({ length: 4 }, () => seal({ purpose: 'action-like', content: noise(100_000), recipients: [region.public] }, liker, region.public));
    expect((await kiki(fat[0])).status).toBe('error');
    expect((await push(fat.slice(1), liker)).map((r) => r.code)).toEqual(['INVALID_LETTER', 'INVALID_LETTER', 'INVALID_LETTER']);
    // a well-formed follow addressed to 300 extra keys is no longer small: every byte counts
    const big = seal({ purpose: 'action-follow', content: mallory.public, recipients: [region.public, ...Array.from({ length: 300 }, () => generateKeyPair().public)] }, liker, region.public);
    const small = seal({ purpose: 'action-follow', content: generateKeyPair().public, recipients: [region.public] }, liker, region.public);
    expect((await push([big, small], liker)).map((r) => r.status)).toEqual(['stored', 'stored']);
    expect(big.sealed_letter.length).toBeGreaterThan(4096);
    expect((await quota.personQuota(ctx, liker.public)).usage).toEqual({ bytes: big.sealed_letter.length, envelopes: 2 });
  });

  it('5. poison for original clients: public share-keys, bad action contents and foreign edits are refused and never served', async () => {
    const bob = generateKeyPair();
    const bobPost = publicPost(bob, region, 'the real post');
    expect((await push([bobPost], bob))[0].status).toBe('stored');
    const poison = [
      forgePublicLetter(mallory.public, region, { purpose: 'share-key', content: '{"public":"not a key","private":""}' }, new Date()),
      forgePublicLetter(mallory.public, region, { purpose: 'share-key', content: keyPairToJson({ public: bob.public, private: generateKeyPair().private }) }, new Date()),
      seal({ purpose: 'share-text', content: 'bob says something else', first_id: bobPost.id, recipients: [region.public] }, mallory, region.public),
      seal({ purpose: 'action-follow', content: 'nobody', recipients: [region.public] }, mallory, region.public),
      forgePublicLetter(mallory.public, region, { purpose: 'share-text', content: 'x', to: [region.public, mallory.public] }, new Date()),
    ];
    // v2-required refuses the forged (v1) ones before opening them; the rest are checked as sealing checks
    const forged = policy === 'v2-required' ? 'V2_REQUIRED' : 'INVALID_LETTER';
    const codes = [forged, forged, 'EDIT_REFUSED', 'INVALID_LETTER', forged];
    const viaSync = await push(poison);
    expect(viaSync.map((r) => r.code)).toEqual(codes);
    for (const r of viaSync) expect(r.reason.length).toBeGreaterThan(20);
    for (const p of poison) {
      const r = await kiki(p);
      if (policy === 'v2-required' && p.signature_v2 === undefined) expect(r.message).toMatch(/not stored/);
      else expect(r).toMatchObject({ status: 'error' });
    }
    const [list, pull] = [await listed(), await pulled()];
    for (const p of poison) {
      expect(list.has(p.id)).toBe(false);
      expect(pull.has(p.id)).toBe(false);
      expect((await download(p.id)).status).toBe('error');
    }
    expect((await download(bobPost.id)).status).toBe('ok');
  });
});

describe('v2-for-quota: the unproven pool', () => {
  it('is bounded: unproven arrivals past it are evicted newest-received first, recorded under their claimed sender, and people keep their proven data', async () => {
    const ctx = await hub.createRegion('trust-pool');
    const region = ctx.keys;
    const quota = hub.app.get(QuotaService);
    await quota.setRegionPolicy(ctx, { defaultBytes: LIMIT });
    expect(await quota.setSenderPolicy(ctx, 'v2-for-quota', 15_000)).toMatchObject({ policy: 'v2-for-quota', unprovenPoolBytes: 15_000, maxTotalBytes: null });
    hub.app.get(RegionService).invalidate(region.public);
    const alice = generateKeyPair();
    const own = Array.from({ length: 5 }, (_, i) => publicPost(alice, region, `mine ${i} ${noise(500)}`));
    const junk = Array.from({ length: 10 }, (_, i) => junkWithCopiedSignature(own[0], 3000, new Date(Date.now() - 60_000 + i)));
    const push = async (envs: Envelope[]) => {
      const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(alice, region) },
        body: JSON.stringify({ envelopes: envs }),
      });
      return ((await res.json()) as { results: Array<{ status: string }> }).results;
    };
    expect((await push(own)).every((r) => r.status === 'stored')).toBe(true);
    for (const j of junk) expect((await push([j]))[0].status).toBe('stored'); // one by one: receive order is known
    await quotaIdle(hub);

    // alice's usage is her proven letters only; the pool holds at most its bound
    const mine = await quota.personQuota(ctx, alice.public);
    expect(mine.usage.bytes).toBe(own.reduce((s, e) => s + e.sealed_letter.length, 0));
    const ds = hub.app.get(DataSource);
    const [poolRow] = await ds.query(`SELECT bytes::int AS bytes FROM person_usage WHERE region_id = $1 AND person = '~unproven'`, [ctx.regionId]);
    expect(poolRow.bytes).toBeLessThanOrEqual(15_000);
    const ev = await quota.listEvictions(ctx, { limit: 100 });
    // the newest arrivals went, the first ones stayed
    const evicted = new Set(ev.items.map((e) => e.envelopeId));
    expect(ev.items.length).toBeGreaterThan(0);
    expect(ev.items.every((e) => e.reason === 'unproven' && e.person === alice.public)).toBe(true);
    expect(evicted.has(junk[junk.length - 1].id)).toBe(true);
    expect(evicted.has(junk[0].id)).toBe(false);
    for (const e of own) expect(evicted.has(e.id)).toBe(false);
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
  });
});

describe('a region storage cap', () => {
  it('refuses what would take the region past max_total_bytes, on every route, until the cap is raised', async () => {
    const ctx = await hub.createRegion('trust-cap');
    const region = ctx.keys;
    const quota = hub.app.get(QuotaService);
    const settings = await quota.setSenderPolicy(ctx, 'v1', undefined, 12_000);
    expect(settings.maxTotalBytes).toBe(12_000);
    hub.app.get(RegionService).invalidate(region.public);
    const people = Array.from({ length: 4 }, () => generateKeyPair());
    const posts = people.map((p) => publicPost(p, region, noise(4000)));
    const push = async (env: Envelope, as: KeyPair) => {
      const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(as, region) },
        body: JSON.stringify({ envelopes: [env] }),
      });
      return ((await res.json()) as { results: Array<{ status: string; code?: string }> }).results[0];
    };
    expect((await push(posts[0], people[0])).status).toBe('stored');
    expect((await push(posts[1], people[1])).status).toBe('stored');
    // a third ~4 KB letter would pass 12,000 bytes
    expect(await push(posts[2], people[2])).toMatchObject({ status: 'rejected', code: 'REGION_FULL' });
    const kiki = (await (await fetch(`${hub.url}/r/${region.public}/envelope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(posts[3]) })).json()) as any;
    expect(kiki).toMatchObject({ status: 'ok' });
    expect(kiki.message).toMatch(/not stored/);
    // small actions are free, so they still fit
    const like = seal({ purpose: 'action-like', content: posts[0].id, recipients: [region.public] }, people[3], region.public);
    expect((await push(like, people[3])).status).toBe('stored');
    // bad input to the setting changes nothing
    await expect(quota.setSenderPolicy(ctx, 'v1', undefined, -1)).rejects.toMatchObject({ code: 'BAD_REQUEST', field: 'maxTotalBytes' });
    expect((await quota.getSenderPolicy(ctx)).maxTotalBytes).toBe(12_000);

    await quota.setSenderPolicy(ctx, 'v1', undefined, null);
    hub.app.get(RegionService).invalidate(region.public);
    expect((await push(posts[2], people[2])).status).toBe('stored');
  });
});
