import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncToken, type KeyPair } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { people, publicPost } from '../support/envelopes';
import { freePort, RedisProcess } from '../support/processes';
import { unrecordedRemovals, usageDrift, waitFor } from '../quota/support/quota';
import { report } from './support';

/**
 * Issue 11: Redis stopped for 30 s (FAULTS_REDIS_DOWN_SECONDS) and restarted empty while members
 * push and pull over /sync: ingest and sync go on, no token is accepted twice (each is replayed
 * at once and again after the restart), and quotas converge once Redis is back.
 */
const DOWN_SECONDS = Number(process.env.FAULTS_REDIS_DOWN_SECONDS ?? 30);
const LIMIT = 6000;
let redis: RedisProcess;
let hub: TestHub;
let ctx: RegionContext;
const members = people(4);

beforeAll(async () => {
  redis = new RedisProcess(await freePort());
  await redis.start();
  hub = await startTestHub({ REDIS_URL: redis.url, QUOTA_SWEEP_EVERY_SECONDS: '5' });
  ctx = await hub.createRegion('redis outage');
  await hub.app.get(QuotaService).setRegionPolicy(ctx, { defaultBytes: LIMIT });
}, 60_000);
afterAll(async () => {
  await hub?.close();
  await redis?.stop();
});

describe('Redis stopped and restarted empty', () => {
  it(`${DOWN_SECONDS} s without Redis: ingest and sync go on, no token twice, quotas converge`, async () => {
    const used: string[] = [];
    const statuses = new Map<string, number>();
    const replaysAccepted: string[] = [];
    const tally = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
    let stop = false;
    let stored = 0;
    const call = async (who: KeyPair, path: string, init: RequestInit = {}) => {
      const authorization = `Kiki ${createSyncToken(who, ctx.keys)}`;
      used.push(authorization);
      const res = await fetch(`${hub.url}/sync/${ctx.publicKey}/${path}`, { ...init, headers: { ...(init.headers as object), authorization } });
      const body = (await res.json()) as any;
      tally(`${path.split('?')[0]} ${res.status}`);
      const again = await fetch(`${hub.url}/sync/${ctx.publicKey}/${path}`, { ...init, headers: { ...(init.headers as object), authorization } });
      if (again.status !== 401) replaysAccepted.push(`${path} ${again.status}`);
      return { status: res.status, body };
    };
    const traffic = (async () => {
      for (let i = 0; !stop; i++) {
        const who = members[i % members.length];
        const env = publicPost(who, ctx.keys, `${i} ${'x'.repeat(500)} ${Math.random()}`);
        const push = await call(who, 'push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ envelopes: [env] }) });
        if (push.status === 200 && push.body.results[0].status === 'stored') stored++;
        await call(who, 'pull?limit=20');
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    await new Promise((r) => setTimeout(r, 2000));
    await redis.kill();
    const downFrom = stored;
    await new Promise((r) => setTimeout(r, DOWN_SECONDS * 1000));
    const storedWhileDown = stored - downFrom;
    await redis.start(); // empty: no nonces, no queued quota jobs
    await new Promise((r) => setTimeout(r, 3000));
    stop = true;
    await traffic;

    // every token used, before, during and after the outage, is refused now
    let acceptedAfter = 0;
    for (const authorization of used) {
      const res = await fetch(`${hub.url}/sync/${ctx.publicKey}/pull?limit=1`, { headers: { authorization } });
      if (res.status !== 401) acceptedAfter++;
    }
    const ds = hub.app.get(DataSource);
    const quotas = () => Promise.all(members.map((p) => hub.app.get(QuotaService).personQuota(ctx, p.public)));
    const t0 = Date.now();
    await waitFor(quotas, (qs) => qs.every((q) => !q.overLimit), 'quotas to converge', 120_000);
    const convergedMs = Date.now() - t0;
    report('redis-outage', {
      downSeconds: DOWN_SECONDS,
      statuses: Object.fromEntries(statuses),
      stored,
      storedWhileDown,
      tokens: used.length,
      replaysAccepted: replaysAccepted.length,
      acceptedAfterRestart: acceptedAfter,
      quotasConvergedMs: convergedMs,
    });
    expect(storedWhileDown).toBeGreaterThan(0);
    expect(replaysAccepted).toEqual([]);
    expect(acceptedAfter).toBe(0);
    expect([...statuses.keys()].filter((k) => !/ (200|503)$/.test(k))).toEqual([]);
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
  }, 600_000);
});
