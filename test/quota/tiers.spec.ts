import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { HubError } from '../../apps/hub/src/common/errors';
import { IngestService } from '../../apps/hub/src/ingest/ingest.service';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { at, closeHub, ingestStored, letter, noise, quotaIdle, unrecordedRemovals, usageDrift } from './support/quota';

let hub: TestHub;
let ctx: RegionContext;
let quota: QuotaService;
let ds: DataSource;
let clock = 0;

beforeAll(async () => {
  hub = await startTestHub();
  ctx = await hub.createRegion('quota tiers');
  quota = hub.app.get(QuotaService);
  ds = hub.app.get(DataSource);
});
afterAll(() => closeHub(hub));

/** `n` letters of about 4 KB each, dated after everything sent before. */
function letters(person: KeyPair, n: number): Envelope[] {
  return Array.from({ length: n }, () => letter(person, ctx.keys, { content: noise(4000), when: at(++clock) }));
}

const ingest = (envs: Envelope[]) => ingestStored(hub, ctx, envs);

const sum = (envs: Envelope[]) => envs.reduce((s, e) => s + e.sealed_letter.length, 0);

async function errorOf(p: Promise<unknown>): Promise<HubError> {
  try {
    await p;
  } catch (err) {
    return err as HubError;
  }
  throw new Error('expected a HubError');
}

describe('tiers, overrides and the hub identity', () => {
  const [plain, trusted, unlimited, overridden, trustedLow] = Array.from({ length: 5 }, () => generateKeyPair());

  it('region limits are stored in Postgres and changeable at run time', async () => {
    expect(await quota.getPolicy(ctx)).toEqual({ defaultBytes: 5_000_000, trustedBytes: 50_000_000 });
    expect(await quota.setRegionPolicy(ctx, { defaultBytes: 10_000, trustedBytes: 30_000 })).toEqual({ defaultBytes: 10_000, trustedBytes: 30_000 });
    expect(await quota.setRegionPolicy(ctx, { trustedBytes: 31_000 })).toEqual({ defaultBytes: 10_000, trustedBytes: 31_000 });
  });

  it('each person is held to their own limit; unlimited people keep everything; the hub identity is unlimited but never a sender from outside', async () => {
    await quota.setPersonTier(ctx, trusted.public, 'trusted');
    await quota.setPersonTier(ctx, unlimited.public, 'unlimited');
    await quota.setPersonTier(ctx, overridden.public, 'default', 15_000);
    await quota.setPersonTier(ctx, trustedLow.public, 'trusted', 5_000);
    const sent = new Map<string, Envelope[]>();
    for (const p of [plain, trusted, unlimited, overridden, trustedLow]) sent.set(p.public, letters(p, 12));
    await ingest([...sent.values()].flat());
    // issue 10, attack 3: whoever holds a signature of the hub's identity cannot store as the hub
    const asHub = await hub.app.get(IngestService).ingest(ctx, letters(ctx.hub, 2), 'test');
    expect(asHub.map((r) => [r.status, r.code])).toEqual([['rejected', 'HUB_AS_SENDER'], ['rejected', 'HUB_AS_SENDER']]);
    sent.set(ctx.hub.public, []);
    await quotaIdle(hub);

    const expectLimit: Array<[KeyPair, number | null, string]> = [
      [plain, 10_000, 'default'],
      [trusted, 31_000, 'trusted'],
      [unlimited, null, 'unlimited'],
      [overridden, 15_000, 'default'],
      [trustedLow, 5_000, 'trusted'],
      [ctx.hub, null, 'unlimited'],
    ];
    for (const [p, limit, tier] of expectLimit) {
      const q = await quota.personQuota(ctx, p.public);
      expect(q).toMatchObject({ limit, tier, overLimit: false, hubIdentity: p === ctx.hub });
      if (limit === null) expect(q.usage.bytes).toBe(sum(sent.get(p.public)!));
      // the fewest evictions: one more letter would not have fit
      else expect(q.usage.bytes).toBeGreaterThan(limit - 4200);
    }
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
  });

  it('a lower region limit is applied to everyone by a sweep; a higher one restores nothing', async () => {
    const before = (await quota.personQuota(ctx, plain.public)).usage;
    await quota.setRegionPolicy(ctx, { defaultBytes: 50_000 });
    await quotaIdle(hub);
    expect((await quota.personQuota(ctx, plain.public)).usage).toEqual(before);

    await quota.setRegionPolicy(ctx, { defaultBytes: 6_000, trustedBytes: 9_000 });
    await quotaIdle(hub);
    for (const [p, limit] of [[plain, 6_000], [trusted, 9_000], [overridden, 15_000], [trustedLow, 5_000]] as const) {
      const q = await quota.personQuota(ctx, p.public);
      expect(q.limit).toBe(limit);
      expect(q.usage.bytes).toBeLessThanOrEqual(limit);
    }
    expect((await quota.personQuota(ctx, unlimited.public)).usage.bytes).toBeGreaterThan(40_000);
  });

  it('moving a person between tiers takes effect at once', async () => {
    await quota.setPersonTier(ctx, unlimited.public, 'default');
    await quotaIdle(hub);
    const q = await quota.personQuota(ctx, unlimited.public);
    expect(q).toMatchObject({ tier: 'default', limit: 6_000, overrideBytes: null, overLimit: false });
    // back to the default tier without override: the person's row is gone
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM person_policy WHERE region_id = $1 AND person = $2', [ctx.regionId, unlimited.public]);
    expect(n).toBe(0);
  });

  it('lists the people with a tier or override, by key, in pages', async () => {
    const first = await quota.listPersonPolicies(ctx, { limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await quota.listPersonPolicies(ctx, { after: first.next, limit: 2 });
    const all = [...first.items, ...second.items].map((p) => p.person);
    expect(all).toEqual([trusted, overridden, trustedLow].map((p) => p.public).sort());
    expect(second.next).toBeNull();
  });

  it('refuses bad input with a code and the field', async () => {
    const p = generateKeyPair().public;
    expect(await errorOf(quota.setPersonTier(ctx, 'not-a-key', 'trusted'))).toMatchObject({ code: 'INVALID_KEY', field: 'person' });
    expect(await errorOf(quota.setPersonTier(ctx, p, 'gold' as never))).toMatchObject({ code: 'BAD_REQUEST', field: 'tier' });
    expect(await errorOf(quota.setPersonTier(ctx, p, 'unlimited', 10))).toMatchObject({ code: 'BAD_REQUEST', field: 'overrideBytes' });
    expect(await errorOf(quota.setPersonTier(ctx, p, 'default', -1))).toMatchObject({ code: 'BAD_REQUEST', field: 'overrideBytes' });
    expect(await errorOf(quota.setPersonTier(ctx, p, 'default', 1.5))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await errorOf(quota.setRegionPolicy(ctx, { defaultBytes: -5 }))).toMatchObject({ code: 'BAD_REQUEST', field: 'defaultBytes' });
    expect(await errorOf(quota.listEvictions(ctx, { limit: 101 }))).toMatchObject({ code: 'BAD_REQUEST', field: 'limit' });
    expect(await errorOf(quota.listEvictions(ctx, { before: 'x' }))).toMatchObject({ code: 'BAD_REQUEST', field: 'before' });
    expect(await errorOf(quota.getPolicy({ regionId: 999_999 }))).toMatchObject({ code: 'UNKNOWN_REGION' });
    expect(await errorOf(quota.personQuota({ regionId: 999_999 }, p))).toMatchObject({ code: 'UNKNOWN_REGION' });
  });

  it('reports queue health for operators', async () => {
    const s = await quota.status();
    expect(s.redis).toBe(hub.config.REDIS_URL === 'none' ? 'none' : 'ready');
    expect(s.pending).toBe(0);
    expect(s.counts).toMatchObject({ failed: 0 });
    expect(s.failed).toEqual([]);
  });
});
