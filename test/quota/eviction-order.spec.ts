import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Encode, type Envelope, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { at, closeHub, ingestStored, letter, noise, quotaIdle, unrecordedRemovals, usageDrift, waitFor } from './support/quota';

let hub: TestHub;
let ctx: RegionContext;
let region: KeyPair;
let quota: QuotaService;
let ds: DataSource;

beforeAll(async () => {
  hub = await startTestHub();
  ctx = await hub.createRegion('quota order');
  region = ctx.keys;
  quota = hub.app.get(QuotaService);
  ds = hub.app.get(DataSource);
});
afterAll(() => closeHub(hub));

const ingest = (envs: Envelope[]) => ingestStored(hub, ctx, envs);

async function evictions(person: KeyPair) {
  const rows: Array<{ envelope_id: Buffer; reason: string; size: number }> = await ds.query(
    'SELECT envelope_id, reason, size FROM eviction WHERE region_id = $1 AND person = $2 ORDER BY eviction_id',
    [ctx.regionId, person.public],
  );
  return rows.map((r) => [base58Encode(r.envelope_id), r.reason]);
}

async function live(person: KeyPair): Promise<Set<string>> {
  const rows: Array<{ id: Buffer }> = await ds.query('SELECT id FROM envelope WHERE region_id = $1 AND sender = $2 AND removed_at IS NULL', [
    ctx.regionId,
    person.public,
  ]);
  return new Set(rows.map((r) => base58Encode(r.id)));
}

const size = (e: Envelope) => e.sealed_letter.length;

describe('eviction order', () => {
  it('superseded images, then superseded edits, then oldest large, then oldest letters — stopping once under the limit', async () => {
    const p = generateKeyPair();
    const friend = generateKeyPair();
    const img1 = letter(p, region, { purpose: 'share-image/png', content: noise(2500), when: at(1) });
    const setImg1 = letter(p, region, { purpose: 'action-assign/image', content: img1.id, when: at(2) });
    const img2 = letter(p, region, { purpose: 'share-image/png', content: noise(2500), when: at(3) });
    const setImg2 = letter(p, region, { purpose: 'action-assign/image', content: img2.id, when: at(4) });
    const name1 = letter(p, region, { purpose: 'action-assign/name', content: 'Pat', when: at(5) });
    const name2 = letter(p, region, { purpose: 'action-assign/name', content: 'Patricia', when: at(6) });
    const v1 = letter(p, region, { content: noise(1500), when: at(7) });
    const v2 = letter(p, region, { content: noise(1500), firstId: v1.id, when: at(8) });
    const v3 = letter(p, region, { content: noise(1500), firstId: v1.id, when: at(9) });
    const large1 = letter(p, region, { content: noise(9000), to: friend, when: at(10) });
    const large2 = letter(p, region, { content: noise(9000), when: at(11) });
    const small1 = letter(p, region, { content: noise(800), to: friend, when: at(12) });
    const small2 = letter(p, region, { content: noise(800), to: friend, when: at(13) });
    const small3 = letter(p, region, { content: noise(800), when: at(14) });
    const follow = letter(p, region, { purpose: 'action-follow', content: friend.public, when: at(15) });
    const like = letter(p, region, { purpose: 'action-like', content: v1.id, when: at(16) });
    expect([large1, large2].every((e) => size(e) > 5000)).toBe(true);
    expect([img1, img2, v1, v2, v3, small1, small2, small3].every((e) => size(e) <= 5000)).toBe(true);

    const actions = [setImg1, setImg2, name1, name2, follow, like];
    const letters = [img1, img2, v1, v2, v3, large1, large2, small1, small2, small3];
    // arrival order is not the eviction order: send newest first
    await ingest([...letters, ...actions].reverse());
    const counted = letters.reduce((s, e) => s + size(e), 0);
    expect((await quota.personQuota(ctx, p.public)).usage).toEqual({ bytes: counted, envelopes: letters.length + actions.length });

    // step 4 is by age across every remaining letter: the current image (t3) is the oldest left
    const expected = [img1, v1, v2, large1, large2, img2];
    const limit = counted - expected.reduce((s, e) => s + size(e), 0);
    await quota.setPersonTier(ctx, p.public, 'default', limit);
    await waitFor(() => quota.personQuota(ctx, p.public), (q) => !q.overLimit, 'the person to be under the limit');
    await quotaIdle(hub);

    expect(await evictions(p)).toEqual([
      [img1.id, 'superseded-image'],
      [v1.id, 'superseded-edit'],
      [v2.id, 'superseded-edit'],
      [large1.id, 'large'],
      [large2.id, 'large'],
      [img2.id, 'oldest'],
    ]);
    expect(await live(p)).toEqual(new Set([v3, small1, small2, small3, ...actions].map((e) => e.id)));
    expect((await quota.personQuota(ctx, p.public)).usage).toEqual({ bytes: limit, envelopes: 4 + actions.length });
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
  });

  it('evicts nothing more than needed: one byte over removes exactly the oldest letter', async () => {
    const p = generateKeyPair();
    const letters = [1, 2, 3, 4].map((s) => letter(p, region, { content: noise(600), when: at(s) }));
    await ingest(letters);
    const total = letters.reduce((s, e) => s + size(e), 0);
    await quota.setPersonTier(ctx, p.public, 'default', total - 1);
    await waitFor(() => quota.personQuota(ctx, p.public), (q) => !q.overLimit, 'the person to be under the limit');
    await quotaIdle(hub);
    expect(await evictions(p)).toEqual([[letters[0].id, 'oldest']]);
  });

  it('never counts or evicts small actions, even at a limit of 0', async () => {
    const p = generateKeyPair();
    const friend = generateKeyPair();
    const actions = [
      // a profile of up to 2000 characters is small enough to be free (FREE_ACTION_MAX_SIZE)
      letter(p, region, { purpose: 'action-assign/profile', content: `<p>${noise(1900)}</p>`, when: at(1) }),
      letter(p, region, { purpose: 'action-assign/profile', content: `<p>${noise(1900)}</p>`, when: at(2) }),
      letter(p, region, { purpose: 'action-follow', content: friend.public, when: at(3) }),
      letter(p, region, { purpose: 'action-block', content: generateKeyPair().public, when: at(4) }),
    ];
    const letters = [letter(p, region, { content: noise(700), when: at(5) }), letter(p, region, { content: noise(700), to: friend, when: at(6) })];
    await ingest([...actions, ...letters]);
    expect((await quota.personQuota(ctx, p.public)).usage).toEqual({ bytes: letters.reduce((s, e) => s + size(e), 0), envelopes: 6 });

    await quota.setPersonTier(ctx, p.public, 'default', 0);
    await waitFor(() => quota.personQuota(ctx, p.public), (q) => !q.overLimit, 'the person to be under the limit');
    await quotaIdle(hub);
    expect((await evictions(p)).map(([id]) => id)).toEqual(letters.map((e) => e.id));
    expect(await live(p)).toEqual(new Set(actions.map((e) => e.id)));
    expect((await quota.personQuota(ctx, p.public)).usage).toEqual({ bytes: 0, envelopes: actions.length });

    // more actions at limit 0: still nothing to evict
    await ingest([letter(p, region, { purpose: 'action-like', content: letters[0].id, when: at(7) })]);
    await quotaIdle(hub);
    expect((await evictions(p)).length).toBe(2);
    expect((await quota.personQuota(ctx, p.public)).usage).toEqual({ bytes: 0, envelopes: actions.length + 1 });
  });

  it('records who, what, why and when, listed newest first for admins', async () => {
    const all = await quota.listEvictions(ctx, { limit: 3 });
    expect(all.items).toHaveLength(3);
    expect(all.next).toBe(all.items[2].evictionId);
    const rest = await quota.listEvictions(ctx, { before: all.next, limit: 100 });
    const ids = [...all.items, ...rest.items].map((e) => Number(e.evictionId));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids.length).toBe(6 + 1 + 2);
    for (const e of [...all.items, ...rest.items]) {
      expect(e).toMatchObject({ envelopeId: expect.any(String), person: expect.any(String), reason: expect.any(String), size: expect.any(Number) });
      expect(e.evictedAt).toBeInstanceOf(Date);
      expect(e.limitBytes).not.toBeNull();
    }
    const one = all.items[0].person;
    expect((await quota.listEvictions(ctx, { person: one })).items.every((e) => e.person === one)).toBe(true);
  });
});
