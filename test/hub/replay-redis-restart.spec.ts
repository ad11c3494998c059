import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '@kiki/crypto';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people } from '../support/envelopes';
import { freePort, RedisProcess } from '../support/processes';

/** Issue 11, attack 6: a used sync token is never accepted twice, whatever happens to Redis. */
let redis: RedisProcess;
let hub: TestHub;
let region: KeyPair;
const [alice] = people(1);

beforeAll(async () => {
  redis = new RedisProcess(await freePort());
  await redis.start();
  hub = await startTestHub({ REDIS_URL: redis.url, RUN_WORKERS: 'false' });
  region = (await hub.createRegion('replay')).keys;
});
afterAll(async () => {
  await hub?.close();
  await redis?.stop();
});

const pull = async (headers: Record<string, string>) => {
  const res = await fetch(`${hub.url}/sync/${region.public}/pull`, { headers });
  return { status: res.status, body: (await res.json()) as any };
};

async function untilRedis(up: boolean): Promise<void> {
  const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    if (!up) throw new Error('still up');
  } catch (err) {
    if (up) throw err;
  } finally {
    probe.disconnect();
  }
}

describe('replay after Redis loses its memory', () => {
  it('a token used with Redis up is refused after Redis is flushed', async () => {
    const headers = authHeader(alice, region);
    expect((await pull(headers)).status).toBe(200);
    const admin = new Redis(redis.url);
    await admin.flushall(); // the test's own redis-server, never the shared one
    admin.disconnect();
    const again = await pull(headers);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('TOKEN_REPLAYED');
  });

  it('tokens used before a restart (Redis up) and during the outage (Postgres alone) are refused once Redis is back empty', async () => {
    const before = authHeader(alice, region);
    expect((await pull(before)).status).toBe(200);
    await redis.kill();
    await untilRedis(false);
    const during = authHeader(alice, region);
    expect((await pull(during)).status).toBe(200);
    expect((await pull(during)).body.code).toBe('TOKEN_REPLAYED'); // refused during the outage too
    await redis.start();
    // the hub's client reconnects on its own; replays are refused whichever store answers
    for (const headers of [before, during]) {
      const again = await pull(headers);
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('TOKEN_REPLAYED');
    }
    // and fresh tokens still work
    expect((await pull(authHeader(alice, region))).status).toBe(200);
  });
});
