import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Decode, base58Encode, computeId, generateKeyPair, RegionValidator, type KeyPair } from '@kiki/crypto';
import { rawSeal } from '../../libs/crypto/test/helpers';
import { EnvelopeRepository } from '@kiki/storage';
import { NegentropyClient, SortedVectorStorage } from '@kiki/sync';
import { DataSource } from 'typeorm';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, privatePost, publicAction, publicPost } from '../support/envelopes';

let hub: TestHub;
let region: KeyPair;
let otherRegion: KeyPair;
const [alice, bob] = people(2);

async function push(body: unknown, headers: Record<string, string> = authHeader(alice, region), regionKey = region.public) {
  const res = await fetch(`${hub.url}/sync/${regionKey}/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function count(): Promise<number> {
  const [row] = await hub.app.get(DataSource).query('SELECT count(*)::int AS n FROM envelope');
  return row.n;
}

beforeAll(async () => {
  hub = await startTestHub();
  region = (await hub.createRegion('one')).keys;
  otherRegion = (await hub.createRegion('two')).keys;
});
afterAll(() => hub?.close());

describe('POST /sync/:region/push', () => {
  it('stores valid envelopes and reports each item', async () => {
    const envs = [publicPost(alice, region), privatePost(alice, region, bob), publicAction(bob, region, 'action-assign/name', 'Bob')];
    const { status, body } = await push({ envelopes: envs });
    expect(status).toBe(200);
    expect(body.results.map((r: any) => r.status)).toEqual(['stored', 'stored', 'stored']);
    expect(body).toMatchObject({ stored: 3, duplicate: 0, rejected: 0 });
    const rows = await hub.app.get(EnvelopeRepository).findByIds(
      (await hub.app.get(DataSource).query('SELECT region_id FROM region WHERE public_key = $1', [region.public]))[0].region_id,
      envs.map((e) => Buffer.from(base58Decode(e.id))),
    );
    expect(rows).toHaveLength(3);
    const action = rows.find((r) => r.purpose === 'action-assign/name');
    expect(action).toBeTruthy();
    // the private letter is opaque to the hub
    expect(rows.filter((r) => r.purpose === null)).toHaveLength(1);
  });

  it('is idempotent: a duplicate push stores nothing new', async () => {
    const env = publicPost(alice, region);
    expect((await push({ envelopes: [env] })).body.stored).toBe(1);
    const before = await count();
    const again = await push({ envelopes: [env, env] });
    expect(again.status).toBe(200);
    expect(again.body.results.map((r: any) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(await count()).toBe(before);
  });

  it('keeps usage exact per person: actions exempt, duplicates not counted twice', async () => {
    const carol = generateKeyPair();
    const post = publicPost(carol, region, 'x'.repeat(100));
    const follow = publicAction(carol, region, 'action-follow', alice.public);
    await push({ envelopes: [post, follow] });
    await push({ envelopes: [post] });
    const [u] = await hub.app.get(DataSource).query('SELECT bytes::int, envelopes FROM person_usage WHERE person = $1', [carol.public]);
    expect(u).toEqual({ bytes: post.sealed_letter.length, envelopes: 2 });
  });

  it('rejects bad items one by one and stores the good ones', async () => {
    const good = publicPost(alice, region);
    const badKey = { ...publicPost(alice, region), sender: { public: 'abc' } };
    const badB58 = { ...publicPost(alice, region), id: '0OIl' + 'x'.repeat(40) };
    // right length for bob's key text (as parseEnvelope demands), random content: a forgery
    const forged = { ...publicPost(bob, region), signature: base58Encode(randomBytes(24 + 16 + bob.public.length)) };
    const otherRegionEnv = publicPost(alice, otherRegion);
    const future = publicPost(alice, region, 'from the future', new Date(Date.now() + 86_400_000));
    const { status, body } = await push({ envelopes: [good, badKey, badB58, forged, otherRegionEnv, future, 42, null] });
    expect(status).toBe(200);
    const byIndex = body.results.map((r: any) => [r.status, r.code ?? null]);
    expect(byIndex).toEqual([
      ['stored', null],
      ['rejected', 'INVALID_ENVELOPE'],
      ['rejected', 'INVALID_ENVELOPE'],
      ['rejected', 'BAD_SIGNATURE'],
      ['rejected', 'BAD_SIGNATURE'],
      ['rejected', 'FUTURE_TIMESTAMP'],
      ['rejected', 'INVALID_ENVELOPE'],
      ['rejected', 'INVALID_ENVELOPE'],
    ]);
    expect(body.results[1].field).toBe('sender.public');
    expect(body.results[3].reason).toMatch(/signature/);
    const regionId = (await hub.app.get(DataSource).query('SELECT region_id FROM region WHERE public_key = $1', [region.public]))[0].region_id;
    const held = await hub.app.get(EnvelopeRepository).findByIds(regionId, [forged, otherRegionEnv, future].map((e) => Buffer.from(base58Decode(e.id))));
    expect(held).toHaveLength(0);
  });

  it('refuses a public letter whose id is not the hash of its content (id squatting)', async () => {
    const real = publicPost(alice, region, 'the real one');
    const { signature_v2: _, ...junk } = publicPost(alice, region, 'junk'); // as v1: v2 would fail first
    const squat = { ...junk, id: real.id };
    const { body } = await push({ envelopes: [squat, { ...squat, signature_v2: real.signature_v2 }] });
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'ID_MISMATCH', field: 'id' });
    expect(body.results[1]).toMatchObject({ status: 'rejected', code: 'BAD_SIGNATURE', field: 'signature_v2' });
    expect((await push({ envelopes: [real] })).body.stored).toBe(1);
  });

  it('refuses public letters whose first_id or reply_to is not an id, and keeps no unstorable text (one bad letter never fails its batch)', async () => {
    // Letters the library refuses to seal, made with plain libsodium: fields any JSON may carry,
    // with ids that really are their hashes (so only the field itself is at fault).
    const craft = (purpose: string, content: string, firstId: string, replyTo: string) => {
      const to = [alice.public, region.public];
      const id = computeId(alice.public, purpose, content, firstId, replyTo, to);
      const letter = JSON.stringify({ purpose, to, content, first_id: firstId || id, reply_to: replyTo || undefined });
      return rawSeal(deflateRawSync(Buffer.from(letter)), alice, [region], region, id);
    };
    const realId = publicPost(alice, region).id;
    const items = [
      craft('share-text', 'a reply', '', '\u0000'),
      craft('share-text', 'a reply', '', 'not an id'),
      craft('share-text', 'an edit', 'x'.repeat(44), ''),
      craft('share-text', 'an edit', '\ud800', ''),
      craft('action-assign/name', 'Nul\u0000Name', '', ''),
      craft('action-assign/name', 'Lone \ud800 surrogate', '', ''),
      craft('share-text', 'a fine reply', '', realId),
      publicPost(alice, region),
    ].map(({ signature_v2: _, ...e }) => ({ ...e, timestamp: new Date().toISOString() })); // a new instant: v2 would no longer verify
    const { status, body } = await push({ envelopes: items });
    expect(status).toBe(200);
    expect(body.results.map((r: any) => [r.status, r.code ?? null, r.field ?? null])).toEqual([
      ['rejected', 'INVALID_ENVELOPE', 'sealed_letter'],
      ['rejected', 'INVALID_ENVELOPE', 'sealed_letter'],
      ['rejected', 'INVALID_ENVELOPE', 'sealed_letter'],
      ['rejected', 'INVALID_ENVELOPE', 'sealed_letter'],
      // action contents are checked as sealing would: a name is text Postgres can hold (issue 10)
      ['rejected', 'INVALID_LETTER', 'sealed_letter'],
      ['rejected', 'INVALID_LETTER', 'sealed_letter'],
      ['stored', null, null],
      ['stored', null, null],
    ]);
    expect(body.results[0].reason).toMatch(/reply_to/);
    expect(body.results[2].reason).toMatch(/first_id/);
    expect(body.results[4].reason).toMatch(/action-assign\/name/);
    const rows = await hub.app.get(DataSource).query(
      'SELECT purpose, public_content, reply_to FROM envelope WHERE id = ANY($1::bytea[]) ORDER BY seq',
      [items.slice(4, 7).map((e) => Buffer.from(base58Decode(e.id)))],
    );
    expect(rows).toEqual([{ purpose: 'share-text', public_content: null, reply_to: realId }]);
  });

  it('refuses the region key as a sender', async () => {
    // sealed as if for another region, so that the sender field carries this region's key
    const env = publicPost(region, generateKeyPair());
    const { body } = await push({ envelopes: [env] });
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'REGION_AS_SENDER' });
  });

  it('refuses a tombstoned id with a clear reason', async () => {
    const env = publicPost(alice, region);
    await push({ envelopes: [env] });
    const regionId = (await hub.app.get(DataSource).query('SELECT region_id FROM region WHERE public_key = $1', [region.public]))[0].region_id;
    await hub.app.get(EnvelopeRepository).remove(regionId, [Buffer.from(base58Decode(env.id))], 'quota');
    const { body } = await push({ envelopes: [env] });
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'TOMBSTONED', removedReason: 'quota' });
    expect(body.results[0].reason).toMatch(/quota/);
    const [row] = await hub.app.get(DataSource).query('SELECT sealed_letter FROM envelope WHERE id = $1', [Buffer.from(base58Decode(env.id))]);
    expect(row.sealed_letter).toBeNull();
  });

  describe('whole-request errors change nothing', () => {
    it('malformed JSON → 400', async () => {
      const before = await count();
      const { status, body } = await push('{"envelopes": [', authHeader(alice, region));
      expect(status).toBe(400);
      expect(body.code).toBe('BAD_REQUEST');
      expect(await count()).toBe(before);
    });

    it('missing envelopes array → 400 naming the field', async () => {
      const { status, body } = await push({ envelope: [] });
      expect(status).toBe(400);
      expect(body.message).toMatch(/envelopes/);
    });

    it('empty batch → 400', async () => {
      const { status, body } = await push({ envelopes: [] });
      expect(status).toBe(400);
      expect(body.field).toBe('envelopes');
    });

    it('oversized batch → 413', async () => {
      const env = publicPost(alice, region);
      const { status, body } = await push({ envelopes: Array(hub.config.MAX_BATCH_ENVELOPES + 1).fill(env) });
      expect(status).toBe(413);
      expect(body.code).toBe('TOO_LARGE');
    });

    it('oversized envelope → rejected item, TOO_LARGE', async () => {
      // seal() itself refuses to make one this big, so swap in an oversized sealed letter
      const big = { ...publicPost(alice, region), sealed_letter: randomBytes(450 * 1024).toString('base64') };
      const { status, body } = await push({ envelopes: [big] });
      expect(status).toBe(200);
      expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'TOO_LARGE' });
    });

    it('oversized body → 413', async () => {
      const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(alice, region) },
        body: JSON.stringify({ envelopes: ['z'.repeat(hub.config.MAX_BODY_BYTES)] }),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as any).code).toBe('TOO_LARGE');
    });

    it('unknown region → 401, exactly as a real region with a wrong token (no existence oracle)', async () => {
      const stranger = generateKeyPair();
      const unknown = await push({ envelopes: [publicPost(alice, stranger)] }, authHeader(alice, stranger), stranger.public);
      const forbidden = await push({ envelopes: [publicPost(alice, region)] }, authHeader(alice, stranger), region.public);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(forbidden.body);
      expect(unknown.body.code).toBe('UNAUTHENTICATED');
    });

    it('region that is not a key → 400', async () => {
      const { status, body } = await push({ envelopes: [] }, authHeader(alice, region), 'not-a-key');
      expect(status).toBe(400);
      expect(body.code).toBe('INVALID_KEY');
    });
  });

  describe('authentication', () => {
    it('no token → 401', async () => {
      const { status, body } = await push({ envelopes: [publicPost(alice, region)] }, {});
      expect(status).toBe(401);
      expect(body.code).toBe('UNAUTHENTICATED');
    });

    it('garbage token → 401', async () => {
      const { status, body } = await push({ envelopes: [publicPost(alice, region)] }, { authorization: 'Kiki abc.def' });
      expect(status).toBe(401);
      expect(body.code).toBe('UNAUTHENTICATED');
    });

    it('token for another region → 401', async () => {
      const { status } = await push({ envelopes: [publicPost(alice, region)] }, authHeader(alice, otherRegion));
      expect(status).toBe(401);
    });

    it('token forged without the region secret → 401', async () => {
      const fakeRegion = { public: region.public, private: generateKeyPair().private };
      const { status, body } = await push({ envelopes: [publicPost(alice, region)] }, authHeader(alice, fakeRegion));
      expect(status).toBe(401);
      expect(body.code).toBe('UNAUTHENTICATED');
    });

    it('expired token → 401 TOKEN_EXPIRED', async () => {
      const before = await count();
      const old = new Date(Date.now() - (hub.config.SYNC_TOKEN_WINDOW_SECONDS + 60) * 1000);
      const { status, body } = await push({ envelopes: [publicPost(alice, region)] }, authHeader(alice, region, old));
      expect(status).toBe(401);
      expect(body.code).toBe('TOKEN_EXPIRED');
      expect(await count()).toBe(before);
    });

    it('replayed token → 401 TOKEN_REPLAYED, nothing stored', async () => {
      const headers = authHeader(alice, region);
      expect((await push({ envelopes: [publicPost(alice, region)] }, headers)).status).toBe(200);
      const before = await count();
      const { status, body } = await push({ envelopes: [publicPost(alice, region)] }, headers);
      expect(status).toBe(401);
      expect(body.code).toBe('TOKEN_REPLAYED');
      expect(await count()).toBe(before);
    });
  });
});

describe('tenant isolation', () => {
  it('an envelope pushed to one region is invisible in another through every route', async () => {
    const env = publicPost(alice, region, 'only for region one');
    await push({ envelopes: [env] });
    const fetchRes = await fetch(`${hub.url}/sync/${otherRegion.public}/fetch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(alice, otherRegion) },
      body: JSON.stringify({ ids: [env.id] }),
    });
    expect(((await fetchRes.json()) as any).missing).toEqual([env.id]);
    const pullRes = await fetch(`${hub.url}/sync/${otherRegion.public}/pull?after=0`, { headers: authHeader(alice, otherRegion) });
    const pulled = (await pullRes.json()) as any;
    expect(pulled.envelopes.map((e: any) => e.id)).not.toContain(env.id);
    const list = (await (
      await fetch(`${hub.url}/r/${otherRegion.public}/list?user_pub=${alice.public}&signature=${encodeURIComponent(new RegionValidator(otherRegion).signFor(alice))}`)
    ).json()) as any;
    expect(list.status).toBe('ok');
    expect(list.ids).not.toContain(env.id);
    // reconciliation: an empty device of region two learns nothing of region one
    const device = new NegentropyClient(new SortedVectorStorage([]));
    const recon = await fetch(`${hub.url}/sync/${otherRegion.public}/reconcile`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...authHeader(alice, otherRegion) },
      body: device.initiate(),
    });
    const out = device.reconcile(new Uint8Array(await recon.arrayBuffer()));
    expect(out.need.map((id) => base58Encode(id))).not.toContain(env.id);
    const dl = await fetch(`${hub.url}/r/${otherRegion.public}/download/${env.id}`);
    expect(dl.status).toBe(404);
    expect(((await dl.json()) as any).status).toBe('error');
    // the same envelope pushed to region two is refused there: its signature is for region one
    const { body } = await push({ envelopes: [env] }, authHeader(alice, otherRegion), otherRegion.public);
    expect(body.results[0].code).toBe('BAD_SIGNATURE');
  });

});
