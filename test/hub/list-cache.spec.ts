import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { base58Decode, type KeyPair, RegionValidator } from '@kiki/crypto';
import { EnvelopeRepository } from '@kiki/storage';
import { IngestService } from '../../apps/hub/src/ingest/ingest.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { people, publicPost } from '../support/envelopes';

/** Issue 11, attack 3: /r/<region>/list from a per-region cache keyed by the region's version, streamed. */
let hub: TestHub;
let ctx: RegionContext;
let region: KeyPair;
const [alice, bob] = people(2);

beforeAll(async () => {
  hub = await startTestHub({ RUN_WORKERS: 'false' });
  ctx = await hub.createRegion('list');
  region = ctx.keys;
});
afterAll(() => hub?.close());

const listUrl = (who: KeyPair) =>
  `${hub.url}/r/${region.public}/list?user_pub=${encodeURIComponent(who.public)}&signature=${encodeURIComponent(new RegionValidator(region).signFor(who))}`;

async function list(who: KeyPair = alice) {
  const res = await fetch(listUrl(who));
  const text = await res.text();
  return { status: res.status, length: Number(res.headers.get('content-length')), text, body: JSON.parse(text) };
}

async function store(n: number): Promise<string[]> {
  const envs = Array.from({ length: n }, (_, i) => publicPost(i % 2 ? alice : bob, region));
  const results = await hub.app.get(IngestService).ingest(ctx, envs, 'test');
  expect(results.every((r) => r.status === 'stored')).toBe(true);
  return envs.map((e) => e.id);
}

describe('/list from the per-region cache', () => {
  it('answers exactly the live ids, with a length, and builds once per version for concurrent callers', async () => {
    const ids = await store(300);
    const repo = hub.app.get(EnvelopeRepository);
    const reads = vi.spyOn(repo, 'liveIds');
    const answers = await Promise.all(Array.from({ length: 10 }, () => list()));
    expect(reads).toHaveBeenCalledTimes(1);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.length).toBe(Buffer.byteLength(a.text));
      expect(a.body.status).toBe('ok');
      expect(new Set(a.body.ids)).toEqual(new Set(ids));
      // the hub's identity signature is no longer handed out (issue 10): it would let anyone send as the hub
      expect(a.body.personal_signature).toBe('');
    }
    await list(bob);
    expect(reads).toHaveBeenCalledTimes(1); // any member, same cached text
    reads.mockRestore();
  });

  it('follows appends and removals (the version moves), as a fresh read would', async () => {
    const before = (await list()).body.ids as string[];
    const added = await store(5);
    const afterAppend = (await list()).body.ids as string[];
    expect(new Set(afterAppend)).toEqual(new Set([...before, ...added]));
    await hub.app.get(EnvelopeRepository).remove(ctx.regionId, [Buffer.from(base58Decode(added[0]))], 'admin');
    const afterRemoval = (await list()).body.ids as string[];
    expect(afterRemoval).not.toContain(added[0]);
    expect(afterRemoval.length).toBe(afterAppend.length - 1);
    const fresh = (await hub.app.get(EnvelopeRepository).liveIds(ctx.regionId)).length;
    expect(afterRemoval.length).toBe(fresh);
  });

  it('still refuses a wrong signature before anything is read (kiki shape)', async () => {
    const res = await fetch(`${hub.url}/r/${region.public}/list?user_pub=${alice.public}&signature=xyz`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).status).toBe('error');
  });
});
