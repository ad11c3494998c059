import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair, RegionValidator } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { authHeader } from '../support/envelopes';
import { startTestHub, type TestHub } from '../support/hub';
import { OriginalKikiInstance } from '../support/kiki-original';
import { at, closeHub, idBuf, letter, noise, pushKiki, quotaIdle, waitFor } from './support/quota';

let hub: TestHub;
let ctx: RegionContext;
let region: KeyPair;
let ds: DataSource;
const evicted: Envelope[] = [];
const erased: Envelope[] = [];
const owner = generateKeyPair();
const eraser = generateKeyPair();

async function pushSync(envs: Envelope[], as: KeyPair = owner) {
  const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader(as, region) },
    body: JSON.stringify({ envelopes: envs }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function counts() {
  const [row] = await ds.query(
    `SELECT count(*)::int AS rows, count(*) FILTER (WHERE removed_at IS NULL)::int AS live,
            (SELECT bytes::int FROM person_usage WHERE region_id = $1 AND person = $2) AS owner_bytes
       FROM envelope WHERE region_id = $1`,
    [ctx.regionId, owner.public],
  );
  return row;
}

beforeAll(async () => {
  hub = await startTestHub();
  ctx = await hub.createRegion('quota tombstones');
  region = ctx.keys;
  ds = hub.app.get(DataSource);
  const quota = hub.app.get(QuotaService);
  await quota.setPersonTier(ctx, owner.public, 'default', 3000);

  // over quota through the native route: the oldest are evicted
  const mine = [1, 2, 3, 4, 5].map((s) => letter(owner, region, { content: noise(1000), when: at(s) }));
  expect((await pushSync(mine)).body.stored).toBe(5);
  await waitFor(() => quota.personQuota(ctx, owner.public), (q) => !q.overLimit, 'eviction');
  const rows: Array<{ id: Buffer }> = await ds.query(`SELECT id FROM envelope WHERE region_id = $1 AND removed_reason = 'quota'`, [ctx.regionId]);
  const removed = new Set(rows.map((r) => r.id.toString('hex')));
  evicted.push(...mine.filter((e) => removed.has(idBuf(e).toString('hex'))));
  expect(evicted.length).toBeGreaterThanOrEqual(2);

  // an erase through the original route
  const posts = [letter(eraser, region, { when: at(1) }), letter(eraser, region, { when: at(2) })];
  for (const p of [...posts, letter(eraser, region, { purpose: 'action-erase', content: '', when: at(3) })]) {
    expect((await pushKiki(hub, region, p)).body.status).toBe('ok');
  }
  await waitFor(
    async () => (await ds.query(`SELECT count(*)::int AS n FROM envelope WHERE region_id = $1 AND removed_reason = 'erase'`, [ctx.regionId]))[0].n,
    (n) => n === 2,
    'the erase',
  );
  erased.push(...posts);
  await quotaIdle(hub);
});
afterAll(() => closeHub(hub));

describe('tombstoned envelopes are refused on re-push through every route', () => {
  it('native push answers TOMBSTONED with the reason, and stores nothing', async () => {
    const before = await counts();
    const { status, body } = await pushSync([...evicted, ...erased]);
    expect(status).toBe(200);
    expect(body).toMatchObject({ stored: 0, rejected: evicted.length + erased.length });
    for (const r of body.results.slice(0, evicted.length)) expect(r).toMatchObject({ status: 'rejected', code: 'TOMBSTONED', reason: expect.stringMatching(/quota/) });
    for (const r of body.results.slice(evicted.length)) expect(r).toMatchObject({ status: 'rejected', code: 'TOMBSTONED', reason: expect.stringMatching(/erased/) });
    expect(await counts()).toEqual(before);
  });

  it('the original route answers ok (so an original kiki keeps syncing) but stores nothing', async () => {
    const before = await counts();
    for (const e of [...evicted, ...erased]) {
      const { body } = await pushKiki(hub, region, e);
      expect(body.status).toBe('ok');
      expect(body.message).toMatch(/^not stored/);
    }
    expect(await counts()).toEqual(before);
  });

  it('an original kiki holding the evicted envelopes syncs to the end without restoring them', async () => {
    const before = await counts();
    const original = new OriginalKikiInstance(generateKeyPair(), region);
    for (const e of [...evicted, ...erased]) original.store.set(e.id, e);
    const round = await original.syncWith(`${hub.url}/r/${region.public}`);
    expect(round.aborted).toBeNull();
    expect((await counts()).rows).toBe(before.rows);
    expect((await counts()).live).toBe(before.live);
  });

  it('tombstones stay out of /list and /download, and are reported as removed by fetch', async () => {
    const sig = new RegionValidator(region).signFor(owner);
    const list = (await (await fetch(`${hub.url}/r/${region.public}/list?user_pub=${owner.public}&signature=${encodeURIComponent(sig)}`)).json()) as any;
    for (const e of [...evicted, ...erased]) expect(list.ids).not.toContain(e.id);
    const dl = (await (await fetch(`${hub.url}/r/${region.public}/download/${evicted[0].id}`)).json()) as any;
    expect(dl.status).toBe('error');

    const fetched = (await (
      await fetch(`${hub.url}/sync/${region.public}/fetch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(owner, region) },
        body: JSON.stringify({ ids: [evicted[0].id, erased[0].id] }),
      })
    ).json()) as any;
    expect(fetched.envelopes).toEqual([]);
    expect(fetched.removed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: evicted[0].id, reason: 'quota' }),
        expect.objectContaining({ id: erased[0].id, reason: 'erase' }),
      ]),
    );
  });
});
