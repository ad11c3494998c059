import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { IngestService } from '../../apps/hub/src/ingest/ingest.service';
import { EvictionService } from '../../apps/hub/src/quota/eviction.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { at, closeHub, idBuf, letter, noise, usageDrift } from './support/quota';

let hub: TestHub;
let ctx: RegionContext;
let ds: DataSource;

beforeAll(async () => {
  // Workers off: the property calls the eviction logic itself and compares it with the model.
  hub = await startTestHub({ RUN_WORKERS: 'false' });
  ctx = await hub.createRegion('quota model');
  ds = hub.app.get(DataSource);
});
afterAll(() => closeHub(hub));

/** One envelope of a generated history, with what the model needs to know about it. */
interface Item {
  env: Envelope;
  ts: number;
  size: number;
  action: boolean;
  /** null for letters the hub cannot open */
  firstId: string | null;
  /** for action-assign/image: the image id it points at */
  assigns?: string;
}

const spec = fc.record({
  posts: fc.array(
    fc.record({ public: fc.boolean(), large: fc.boolean(), image: fc.boolean(), edits: fc.integer({ min: 0, max: 2 }) }),
    { minLength: 1, maxLength: 8 },
  ),
  assignments: fc.array(fc.nat(), { maxLength: 3 }),
  actions: fc.integer({ min: 0, max: 2 }),
  order: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  limitShare: fc.double({ min: 0, max: 1.05, noNaN: true }),
  batch: fc.integer({ min: 1, max: 6 }),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

function build(person: KeyPair, s: Spec): Item[] {
  const region = ctx.keys;
  // distinct dates in a shuffled order: arrival and id order must not matter, only dates
  const dates = Array.from({ length: 40 }, (_, i) => i + 1).sort((a, b) => (s.order[a - 1] % 97) - (s.order[b - 1] % 97) || a - b);
  let d = 0;
  const next = () => dates[d++];
  const items: Item[] = [];
  const images: string[] = [];
  for (const p of s.posts) {
    const to = p.public ? undefined : generateKeyPair();
    const purpose = p.image && p.public ? 'share-image/png' : 'share-text';
    const ts = next();
    const first = letter(person, region, { purpose, content: noise(p.large ? 6000 : 400), to, when: at(ts) });
    items.push({ env: first, ts, size: first.sealed_letter.length, action: false, firstId: p.public ? first.id : null });
    if (purpose === 'share-image/png') images.push(first.id);
    for (let e = 0; e < p.edits && p.public; e++) {
      const ets = next();
      const edit = letter(person, region, { purpose, content: noise(p.large ? 6000 : 400), firstId: first.id, when: at(ets) });
      items.push({ env: edit, ts: ets, size: edit.sealed_letter.length, action: false, firstId: first.id });
    }
  }
  for (const a of s.assignments) {
    if (!images.length) break;
    const target = images[a % images.length];
    const ts = next();
    const env = letter(person, region, { purpose: 'action-assign/image', content: target, when: at(ts) });
    // the same assignment twice is the same kiki id (a duplicate): keep one
    if (!items.some((i) => i.env.id === env.id)) items.push({ env, ts, size: env.sealed_letter.length, action: true, firstId: null, assigns: target });
  }
  for (let i = 0; i < s.actions; i++) {
    const ts = next();
    const env = letter(person, region, { purpose: 'action-follow', content: generateKeyPair().public, when: at(ts) });
    items.push({ env, ts, size: env.sealed_letter.length, action: true, firstId: null });
  }
  return items;
}

/** docs/quotas.md, written out plainly: which envelopes are evicted, in order. */
function model(items: Item[], limit: number): string[] {
  const hex = (i: Item) => idBuf(i.env).toString('hex');
  const byAge = (a: Item, b: Item) => a.ts - b.ts || (hex(a) < hex(b) ? -1 : 1);
  const assigns = items.filter((i) => i.assigns).sort((a, b) => -byAge(a, b));
  const current = assigns[0]?.assigns;
  const superseded = new Set(assigns.slice(1).map((a) => a.assigns).filter((t) => t !== current));
  const counted = items.filter((i) => !i.action);
  const newest = new Map<string, Item>();
  // versions are compared among letters that are not superseded images
  const versions = counted.filter((i) => i.firstId && !superseded.has(i.env.id));
  for (const i of versions) if (!newest.has(i.firstId!) || byAge(newest.get(i.firstId!)!, i) < 0) newest.set(i.firstId!, i);
  const step = (i: Item) => (superseded.has(i.env.id) ? 1 : i.firstId && newest.get(i.firstId) !== i ? 2 : i.size > 5000 ? 3 : 4);
  const ordered = [...counted].sort((a, b) => step(a) - step(b) || byAge(a, b));
  let bytes = counted.reduce((s, i) => s + i.size, 0);
  const out: string[] = [];
  for (const i of ordered) {
    if (bytes <= limit) break;
    out.push(i.env.id);
    bytes -= i.size;
  }
  return out;
}

describe('eviction matches the documented model', () => {
  it('for random histories, limits and batch sizes', async () => {
    const ingest = hub.app.get(IngestService);
    const evictions = hub.app.get(EvictionService);
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const person = generateKeyPair();
        const items = build(person, s);
        const results = await ingest.ingest(ctx, items.map((i) => i.env), 'test');
        expect(results.every((r) => r.status === 'stored')).toBe(true);
        const counted = items.filter((i) => !i.action).reduce((sum, i) => sum + i.size, 0);
        const limit = Math.floor(counted * s.limitShare);
        await ds.query('INSERT INTO person_policy (region_id, person, tier, override_bytes) VALUES ($1, $2, $3, $4)', [ctx.regionId, person.public, 'default', limit]);
        hub.config.QUOTA_EVICTION_BATCH = s.batch;
        const run = await evictions.enforce(ctx.regionId, person.public);

        const rows: Array<{ id: Buffer }> = await ds.query('SELECT envelope_id AS id FROM eviction WHERE region_id = $1 AND person = $2 ORDER BY eviction_id', [
          ctx.regionId,
          person.public,
        ]);
        const byHex = new Map(items.map((i) => [idBuf(i.env).toString('hex'), i.env.id]));
        expect(rows.map((r) => byHex.get(r.id.toString('hex')))).toEqual(model(items, limit));
        expect(run.bytes).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 40, endOnFailure: true, seed: Number(process.env.QUOTA_MODEL_SEED ?? Date.now() % 2 ** 31) },
    );
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
  });
});
