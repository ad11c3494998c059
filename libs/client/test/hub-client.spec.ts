/** HubClient against a real hub: error codes, retries with fresh tokens, timeouts, clock skew. */
import { generateKeyPair } from '@kiki/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { HubClient, HubClientError } from '../src/node/hub-client';
import { MemoryEnvelopeStore } from '../src/node/store';
import { syncRegion } from '../src';
import { letters, member } from './helpers';

async function failure(p: Promise<unknown>): Promise<HubClientError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HubClientError);
  return err as HubClientError;
}

describe('HubClient', () => {
  let hub: TestHub;
  let region: RegionContext;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
  });
  afterAll(() => hub?.close());

  it('surfaces UNAUTHENTICATED for a wrong region key, without retrying', async () => {
    const wrong = { public: region.publicKey, private: generateKeyPair().private };
    let calls = 0;
    const client = new HubClient(hub.url, wrong, generateKeyPair(), {
      fetch: (url, init) => {
        calls++;
        return fetch(url, init);
      },
    });
    const err = await failure(client.pull('0'));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.status).toBe(401);
    expect(err.route).toBe('GET /sync/:region/pull');
    expect(err.message).toMatch(/region/);
    expect(calls).toBe(1);
    // The same through a whole sync: nothing is stored, the error is the hub's.
    const sync = await failure(syncRegion(client, new MemoryEnvelopeStore()));
    expect(sync.code).toBe('UNAUTHENTICATED');
  });

  it('surfaces UNAUTHENTICATED for a region this hub does not carry (the hub does not tell it from a wrong key)', async () => {
    const client = new HubClient(hub.url, generateKeyPair(), generateKeyPair());
    // one call at a time: promises made up front could reject while an earlier one is awaited (unhandled)
    for (const call of [() => client.pull('0'), () => client.reconcile(new Uint8Array([0x61])), () => client.fetch(['1'.repeat(32)])]) {
      const err = await failure(call());
      expect(err.code).toBe('UNAUTHENTICATED');
      expect(err.status).toBe(401);
    }
  });

  it('surfaces the hub code and field for a malformed request', async () => {
    const { client } = member(hub, region);
    const err = await failure(client.fetch(['not-base58-0OIl']));
    expect(err.code).toBe('INVALID_KEY');
    expect(err.status).toBe(400);
    expect(err.field).toBe('ids[0]');
  });

  it('retries a 503 with a fresh token each time (a token is single use)', async () => {
    const tokens: string[] = [];
    let calls = 0;
    const { client } = member(hub, region, {
      retryBaseMs: 1,
      fetch: async (url, init) => {
        tokens.push(String((init?.headers as Record<string, string>).authorization));
        const res = await fetch(url, init);
        // The hub answered (and spent the token), but a proxy in front says 503 the first time.
        if (++calls === 1) {
          await res.arrayBuffer();
          return new Response(JSON.stringify({ statusCode: 503, code: 'UNAVAILABLE', message: 'busy' }), {
            status: 503,
            headers: { 'content-type': 'application/json', 'retry-after': '0' },
          });
        }
        return res;
      },
    });
    const page = await client.pull('0');
    expect(page.cursor).toMatch(/^\d+$/);
    expect(calls).toBe(2);
    expect(new Set(tokens).size).toBe(2);
  });

  it('gives up after its retries on network errors, and never retries a 4xx', async () => {
    let calls = 0;
    const { client } = member(hub, region, {
      retries: 2,
      retryBaseMs: 1,
      fetch: async () => {
        calls++;
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      },
    });
    const err = await failure(client.pull('0'));
    expect(err.code).toBe('NETWORK');
    expect(err.status).toBe(0);
    expect(err.attempts).toBe(3);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(calls).toBe(3);
  });

  it('times out a request that never answers', async () => {
    const { client } = member(hub, region, {
      timeoutMs: 100,
      retries: 1,
      retryBaseMs: 1,
      fetch: (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
        }),
    });
    const started = Date.now();
    const err = await failure(client.pull('0'));
    expect(err.code).toBe('TIMEOUT');
    expect(err.attempts).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('corrects a device clock that is far off, using the hub Date header', async () => {
    const { client } = member(hub, region, { now: () => Date.now() - 3600_000 });
    const page = await client.pull('0');
    expect(page.more).toBe(false);
    expect(client.stats.pull.requests).toBe(2);
  });

  it('push splits into batches of at most 500 and keeps result indexes in input order', async () => {
    // The batches as sent (a retry under load sends one again: counted by its first id, once).
    const batches = new Map<string, number>();
    const { client } = member(hub, region, {
      fetch: (input, init) => {
        if (String(input).endsWith('/push') && init?.body) {
          const sent = (JSON.parse(Buffer.from(init.body as Uint8Array).toString('utf8')) as { envelopes: Array<{ id: string }> }).envelopes;
          batches.set(sent[0].id, sent.length);
        }
        return fetch(input, init);
      },
    });
    const envs = letters(region.keys, 1001);
    const r = await client.push(envs);
    expect([...batches.values()]).toEqual([500, 500, 1]);
    expect(r.stored).toBe(1001);
    expect(r.results.map((x) => x.index)).toEqual(envs.map((_, i) => i));
    expect(r.results.map((x) => x.id)).toEqual(envs.map((e) => e.id));
    const again = await client.push(envs.slice(990));
    expect(again.duplicate).toBe(11);
  });
});
