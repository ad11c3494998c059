import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Decode, base58Encode, generateKeyPair, type KeyPair, parseEnvelope, RegionValidator } from '@kiki/crypto';
import { EnvelopeRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startTestHub, type TestHub } from '../support/hub';
import { RegionService } from '../../apps/hub/src/regions/region.service';
import { OriginalKikiInstance } from '../support/kiki-original';
import { people, privatePost, publicAction, publicPost } from '../support/envelopes';

let hub: TestHub;
let region: KeyPair;
let regionId: number;
const [alice, bob] = people(2);
const base = () => `${hub.url}/r/${region.public}`;

beforeAll(async () => {
  hub = await startTestHub();
  const ctx = await hub.createRegion('kiki');
  region = ctx.keys;
  regionId = ctx.regionId;
});
afterAll(() => hub?.close());

async function upload(body: unknown) {
  const res = await fetch(`${base()}/envelope`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

function listUrl(person: KeyPair, r: KeyPair = region) {
  const sig = new RegionValidator(r).signFor(person);
  return `${base()}/list?user_pub=${encodeURIComponent(person.public)}&signature=${encodeURIComponent(sig)}`;
}

describe('original kiki routes /r/:region', () => {
  it('ping', async () => {
    const res = await fetch(`${base()}/ping`);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it("list answers with the hub identity but never a valid signature of it (issue 10, attack 3)", async () => {
    const res = await fetch(listUrl(alice));
    const body = (await res.json()) as any;
    expect(body.status).toBe('ok');
    expect(Array.isArray(body.ids)).toBe(true);
    expect(body.personal_key).toBe((await hub.app.get(RegionService).get(region.public)).hub.public);
    expect(body.personal_signature).toBe('');
    expect(new RegionValidator(region).validateSignature(body.personal_key, body.personal_signature)).toBe(false);
  });

  it('list refuses a signature made for another region, in kiki shape', async () => {
    const res = await fetch(listUrl(alice, generateKeyPair()));
    expect(res.status).toBe(403);
    const body = (await res.json()) as any;
    expect(body.status).toBe('error');
    expect(body.error).toMatch(/signature/);
  });

  it('list without parameters is an error', async () => {
    const res = await fetch(`${base()}/list`);
    expect(((await res.json()) as any).status).toBe('error');
  });

  it('upload stores; a duplicate answers ok without storing twice', async () => {
    const env = publicPost(alice, region);
    expect((await upload(env)).body).toEqual({ status: 'ok' });
    const again = await upload(env);
    expect(again.body.status).toBe('ok');
    expect(again.body.message).toMatch(/already/);
  });

  it('upload ignores the legacy letter/opened fields (no plaintext injection)', async () => {
    const env = privatePost(alice, region, bob);
    const res = await upload({ ...env, sender_raw: '', letter: { purpose: 'share-text', content: '<script>x</script>' }, opened: true });
    expect(res.body.status).toBe('ok');
    const dl = (await (await fetch(`${base()}/download/${env.id}`)).json()) as any;
    expect(dl.envelope.letter).toEqual({});
    expect(dl.envelope.opened).toBe(false);
    expect(parseEnvelope(dl.envelope)).toEqual(parseEnvelope(env));
  });

  it('upload of a tombstoned id answers ok (not stored) so an original sync is not aborted', async () => {
    const env = publicPost(alice, region);
    await upload(env);
    await hub.app.get(EnvelopeRepository).remove(regionId, [Buffer.from(base58Decode(env.id))], 'erase');
    const res = await upload(env);
    expect(res.body.status).toBe('ok');
    expect(res.body.message).toMatch(/not stored/);
    const dl = await fetch(`${base()}/download/${env.id}`);
    expect(dl.status).toBe(410);
    const list = (await (await fetch(listUrl(alice))).json()) as any;
    expect(list.ids).not.toContain(env.id);
  });

  it('upload of invalid input answers an error and stores nothing', async () => {
    const [{ n: before }] = await hub.app.get(DataSource).query('SELECT count(*)::int AS n FROM envelope');
    const forged = { ...publicPost(bob, region), signature: base58Encode(randomBytes(24 + 16 + bob.public.length)) };
    for (const bad of ['{not json', { id: 'x' }, forged, publicPost(alice, generateKeyPair())]) {
      const res = await upload(bad);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.status).toBe('error');
      expect(typeof res.body.error).toBe('string');
    }
    const [{ n: after }] = await hub.app.get(DataSource).query('SELECT count(*)::int AS n FROM envelope');
    expect(after).toBe(before);
  });

  it('download of an unknown or malformed id is an error', async () => {
    expect(((await (await fetch(`${base()}/download/${generateKeyPair().public}`)).json()) as any).status).toBe('error');
    const bad = await fetch(`${base()}/download/0OIl`);
    expect(bad.status).toBe(400);
  });

  it('unknown region answers kiki-shaped 404', async () => {
    const res = await fetch(`${hub.url}/r/${generateKeyPair().public}/ping`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).status).toBe('error');
  });
});

describe('an unmodified original kiki instance syncing with the hub', () => {
  it('converges both ways, and a second round is a no-op', async () => {
    const a = new OriginalKikiInstance(alice, region);
    const b = new OriginalKikiInstance(bob, region);
    for (let i = 0; i < 5; i++) {
      const e = publicPost(alice, region, `a${i}`);
      a.store.set(e.id, e);
    }
    const dm = privatePost(alice, region, bob, 'just for bob');
    a.store.set(dm.id, dm);
    for (let i = 0; i < 3; i++) {
      const e = publicAction(bob, region, 'action-like', publicPost(alice, region, `liked ${i}`).id);
      b.store.set(e.id, e);
    }

    const r1 = await a.syncWith(base());
    expect(r1.aborted).toBeNull();
    expect(r1.uploaded).toBe(6);
    const r2 = await b.syncWith(base());
    expect(r2.aborted).toBeNull();
    expect(r2.uploaded).toBe(3);
    const r3 = await a.syncWith(base());
    expect(r3.aborted).toBeNull();

    const listed = ((await (await fetch(listUrl(alice))).json()) as any).ids as string[];
    for (const id of [...a.store.keys(), ...b.store.keys()]) expect(listed).toContain(id);
    for (const id of b.store.keys()) expect(a.store.has(id)).toBe(true);
    for (const id of a.store.keys()) expect(b.store.has(id) || !listed.includes(id)).toBe(true);

    const again = await a.syncWith(base());
    expect(again).toEqual({ downloaded: 0, uploaded: 0, aborted: null });
  });

  it('a relay that rewrote the timestamp text still counts as the same envelope', async () => {
    const a = new OriginalKikiInstance(alice, region);
    const env = publicPost(alice, region, 'relayed');
    a.store.set(env.id, env);
    await a.syncWith(base());
    const relayed = { ...env, timestamp: env.timestamp.replace('Z', '+00:00') };
    const res = await upload(relayed);
    expect(res.body).toMatchObject({ status: 'ok', message: expect.stringMatching(/already/) });
  });
});

describe('vectors made by the original Go program', () => {
  it('are accepted in kiki default region and served back byte for byte', async () => {
    const vectors = JSON.parse(readFileSync(resolve(__dirname, '../../libs/crypto/test/fixtures/kiki-v1.json'), 'utf8'));
    const ctx = await hub.createRegion('default', vectors.region);
    const url = `${hub.url}/r/${ctx.publicKey}`;
    for (const c of vectors.cases) {
      const res = await fetch(`${url}/envelope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c.envelope) });
      expect(await res.json()).toEqual({ status: 'ok' });
    }
    for (const c of vectors.cases) {
      const dl = (await (await fetch(`${url}/download/${c.envelope.id}`)).json()) as any;
      const { sender_raw, letter, opened, ...wire } = dl.envelope;
      expect(wire).toEqual(c.envelope);
      expect({ sender_raw, letter, opened }).toEqual({ sender_raw: '', letter: {}, opened: false });
    }
  });
});
