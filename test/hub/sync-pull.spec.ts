import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Decode, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { EnvelopeRepository } from '@kiki/storage';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicPost } from '../support/envelopes';

let hub: TestHub;
let region: KeyPair;
let regionId: number;
const [alice] = people(1);

async function get(path: string, headers = authHeader(alice, region)) {
  const res = await fetch(`${hub.url}/sync/${region.public}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as any };
}
async function post(path: string, body: unknown, headers = authHeader(alice, region)) {
  const res = await fetch(`${hub.url}/sync/${region.public}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  hub = await startTestHub();
  const ctx = await hub.createRegion();
  region = ctx.keys;
  regionId = ctx.regionId;
});
afterAll(() => hub?.close());

describe('GET /sync/:region/pull', () => {
  it('pages through everything in commit order and resumes from the cursor', async () => {
    const envs = Array.from({ length: 25 }, (_, i) => publicPost(alice, region, `p${i}`));
    await post('/push', { envelopes: envs.slice(0, 20) });
    const seen: string[] = [];
    let cursor = '0';
    for (;;) {
      const { status, body } = await get(`/pull?after=${cursor}&limit=7`);
      expect(status).toBe(200);
      seen.push(...body.envelopes.map((e: any) => e.id));
      cursor = body.cursor;
      if (!body.more) break;
    }
    expect(seen).toEqual(envs.slice(0, 20).map((e) => e.id));
    // later writes arrive after the saved cursor, nothing twice
    await post('/push', { envelopes: envs.slice(20) });
    const { body } = await get(`/pull?after=${cursor}`);
    expect(body.envelopes.map((e: any) => e.id)).toEqual(envs.slice(20).map((e) => e.id));
    expect(body.more).toBe(false);
    const empty = await get(`/pull?after=${body.cursor}`);
    expect(empty.body).toEqual({ envelopes: [], removed: [], cursor: body.cursor, more: false, head: body.cursor });
  });

  it('tells a device that is already past an envelope when the hub removes it', async () => {
    const env = publicPost(alice, region, 'soon gone');
    await post('/push', { envelopes: [env] });
    const { body: caughtUp } = await get('/pull?after=0&limit=1000');
    expect(caughtUp.envelopes.map((e: any) => e.id)).toContain(env.id);
    await hub.app.get(EnvelopeRepository).remove(regionId, [Buffer.from(base58Decode(env.id))], 'admin');
    const { body } = await get(`/pull?after=${caughtUp.cursor}`);
    expect(body.envelopes).toEqual([]);
    expect(body.removed).toEqual([{ id: env.id, timestamp: env.timestamp, reason: 'admin' }]);
    expect(body.head).toBe(body.cursor);
    // and only once
    expect((await get(`/pull?after=${body.cursor}`)).body.removed).toEqual([]);
  });

  it('refuses bad cursors and limits with 400', async () => {
    for (const q of ['?after=-1', '?after=abc', '?limit=0', '?limit=100000', '?after=1.5', '?bogus=1']) {
      const { status, body } = await get(`/pull${q}`);
      expect(status, q).toBe(400);
      expect(body.code).toBe('BAD_REQUEST');
    }
  });
});

describe('POST /sync/:region/fetch', () => {
  it('returns held envelopes, removed ids and missing ids', async () => {
    const held = publicPost(alice, region, 'held');
    const gone = publicPost(alice, region, 'gone');
    await post('/push', { envelopes: [held, gone] });
    await hub.app.get(EnvelopeRepository).remove(regionId, [Buffer.from(base58Decode(gone.id))], 'quota');
    const unknown = generateKeyPair().public;
    const { status, body } = await post('/fetch', { ids: [held.id, gone.id, unknown] });
    expect(status).toBe(200);
    expect(body.envelopes).toEqual([held]);
    expect(body.removed).toEqual([{ id: gone.id, timestamp: gone.timestamp, reason: 'quota' }]);
    expect(body.missing).toEqual([unknown]);
  });

  it('refuses malformed ids and oversized requests', async () => {
    expect((await post('/fetch', { ids: ['0OIl'] })).body).toMatchObject({ code: 'INVALID_KEY', field: 'ids[0]' });
    expect((await post('/fetch', { ids: ['1'] })).status).toBe(400);
    expect((await post('/fetch', { ids: 'x' })).status).toBe(400);
    expect((await post('/fetch', { ids: [1, 2] })).status).toBe(400);
    expect((await post('/fetch', { ids: Array(1001).fill(alice.public) })).status).toBe(400);
  });
});
