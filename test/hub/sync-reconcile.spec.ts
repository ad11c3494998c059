import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Decode, base58Encode, type Envelope, type KeyPair, parseTimestamp } from '@kiki/crypto';
import { NegentropyClient, SortedVectorStorage } from '@kiki/sync';
import { EnvelopeRepository } from '@kiki/storage';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicPost } from '../support/envelopes';

let hub: TestHub;
let region: KeyPair;
let regionId: number;
const [alice] = people(1);

async function round(message: Uint8Array, headers = authHeader(alice, region)) {
  const res = await fetch(`${hub.url}/sync/${region.public}/reconcile`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...headers },
    body: message,
  });
  return { status: res.status, type: res.headers.get('content-type'), bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** Runs a whole reconciliation as a client holding `mine`; returns what it learned and what it cost. */
async function reconcile(mine: Envelope[]) {
  const storage = new SortedVectorStorage(mine.map((e) => ({ timestamp: parseTimestamp(e.timestamp).ms, id: base58Decode(e.id) })));
  const client = new NegentropyClient(storage);
  let msg: Uint8Array | null = client.initiate();
  const have: string[] = [];
  const need: string[] = [];
  let rounds = 0;
  let bytes = 0;
  while (msg) {
    const res = await round(msg);
    expect(res.status).toBe(200);
    rounds++;
    bytes += msg.length + res.bytes.length;
    const out = client.reconcile(res.bytes);
    have.push(...out.have.map((id) => base58Encode(id)));
    need.push(...out.need.map((id) => base58Encode(id)));
    msg = out.output;
  }
  return { have: have.sort(), need: need.sort(), rounds, bytes };
}

async function pushAll(envs: Envelope[]) {
  for (let i = 0; i < envs.length; i += 500) {
    const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(alice, region) },
      body: JSON.stringify({ envelopes: envs.slice(i, i + 500) }),
    });
    expect(((await res.json()) as any).rejected).toBe(0);
  }
}

const ids = (envs: Envelope[]) => envs.map((e) => e.id).sort();

beforeAll(async () => {
  hub = await startTestHub();
  const ctx = await hub.createRegion();
  region = ctx.keys;
  regionId = ctx.regionId;
});
afterAll(() => hub?.close());

describe('POST /sync/:region/reconcile', () => {
  let shared: Envelope[];
  let hubOnly: Envelope[];
  let clientOnly: Envelope[];
  beforeAll(() => {
    shared = Array.from({ length: 300 }, (_, i) => publicPost(alice, region, `shared ${i}`));
    hubOnly = Array.from({ length: 7 }, (_, i) => publicPost(alice, region, `hub only ${i}`));
    clientOnly = Array.from({ length: 5 }, (_, i) => publicPost(alice, region, `client only ${i}`));
  });

  it('finds exactly the difference both ways', async () => {
    await pushAll([...shared, ...hubOnly]);
    const r = await reconcile([...shared, ...clientOnly]);
    expect(r.need).toEqual(ids(hubOnly));
    expect(r.have).toEqual(ids(clientOnly));
  });

  it('costs one round trip under 1 KB when in step', async () => {
    const r = await reconcile([...shared, ...hubOnly]);
    expect(r).toMatchObject({ have: [], need: [], rounds: 1 });
    expect(r.bytes).toBeLessThan(1024);
  });

  it('sees envelopes written after the index was built (catch-up by sequence)', async () => {
    const later = publicPost(alice, region, 'later');
    await pushAll([later]);
    const r = await reconcile([...shared, ...hubOnly]);
    expect(r.need).toEqual([later.id]);
    hubOnly.push(later);
  });

  it('keeps tombstoned ids in the set, so the client is not told to push them back', async () => {
    const gone = shared[0];
    await hub.app.get(EnvelopeRepository).remove(regionId, [Buffer.from(base58Decode(gone.id))], 'quota');
    const r = await reconcile([...shared, ...hubOnly]);
    expect(r.have).toEqual([]);
    expect(r.need).toEqual([]);
  });

  it('rejects malformed messages with 400 and a reason', async () => {
    for (const bad of [new Uint8Array([0x61, 0xff, 0xff, 0xff]), new Uint8Array([0x61, 0x00, 0x00, 0x07]), new Uint8Array([0x61, 0x80])]) {
      const res = await round(bad);
      expect(res.status).toBe(400);
      const body = JSON.parse(Buffer.from(res.bytes).toString('utf8'));
      expect(body.code).toBe('INVALID_MESSAGE');
    }
  });

  it('answers an unknown protocol version with the version it speaks (negentropy negotiation)', async () => {
    const res = await round(new Uint8Array([0x62]));
    expect(res.status).toBe(200);
    expect([...res.bytes]).toEqual([0x61]);
  });

  it('rejects a JSON body, an empty body and an oversized one', async () => {
    const json = await fetch(`${hub.url}/sync/${region.public}/reconcile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(alice, region) },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect((await round(new Uint8Array(0))).status).toBe(400);
    expect((await round(new Uint8Array(2 * 1024 * 1024))).status).toBe(413);
  });

  it('requires a fresh token', async () => {
    const headers = authHeader(alice, region);
    const msg = new NegentropyClient(new SortedVectorStorage([])).initiate();
    expect((await round(msg, headers)).status).toBe(200);
    expect((await round(msg, headers)).status).toBe(401);
    expect((await round(msg, {})).status).toBe(401);
  });
});
