import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicPost } from '../support/envelopes';

let hub: TestHub;
let region: KeyPair;
const [alice] = people(1);

// Port 1 on loopback: nothing listens, so every Redis command fails at once.
beforeAll(async () => {
  hub = await startTestHub({ REDIS_URL: 'redis://127.0.0.1:1', RUN_WORKERS: 'false' });
  region = (await hub.createRegion()).keys;
});
afterAll(() => hub?.close());

async function push(headers: Record<string, string>) {
  const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ envelopes: [publicPost(alice, region)] }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('native sync while Redis is unreachable', () => {
  it('stores, with nonces kept in Postgres', async () => {
    const { status, body } = await push(authHeader(alice, region));
    expect(status).toBe(200);
    expect(body.stored).toBe(1);
    const [{ n }] = await hub.app.get(DataSource).query('SELECT count(*)::int AS n FROM sync_nonce');
    expect(n).toBe(1);
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toMatch(/kiki_hub_replay_cache_fallbacks_total [1-9]/);
  });

  it('still refuses a replayed token', async () => {
    const headers = authHeader(alice, region);
    expect((await push(headers)).status).toBe(200);
    const again = await push(headers);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('TOKEN_REPLAYED');
  });
});
