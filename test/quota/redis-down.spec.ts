import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair, parseTimestamp } from '@kiki/crypto';
import { EnvelopeRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { createHubApp } from '../../apps/hub/src/bootstrap';
import { ENQUEUE_TIMEOUT_MS, QuotaQueue } from '../../apps/hub/src/quota/quota.queue';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { freePort, hasBinary, RedisServerProcess, redisServerBinary, requirement } from '../support/services';
import { at, idBuf, letter, noise, pushKiki, quotaIdle, unrecordedRemovals, usageDrift, waitFor } from './support/quota';

// a private redis-server (never the shared one) that the test stops, freezes and restarts
const need = requirement('the redis-server binary (kills, freezes and restarts its own Redis)', hasBinary(redisServerBinary));

let redis: RedisServerProcess;
let hub: TestHub;
let ctx: RegionContext;
let clock = 0;
const LIMIT = 3000;

beforeAll(async () => {
  if (!need.ok) return;
  redis = new RedisServerProcess(await freePort());
  await redis.start();
  hub = await startTestHub({ REDIS_URL: `redis://127.0.0.1:${redis.port}`, QUOTA_SWEEP_EVERY_SECONDS: '3600' });
  ctx = await hub.createRegion('redis down');
  await hub.app.get(QuotaService).setRegionPolicy(ctx, { defaultBytes: LIMIT });
  await quotaIdle(hub);
});
afterAll(async () => {
  redis?.signal('SIGCONT');
  await hub?.close();
  await redis?.stop();
});

/** Pushes one at a time through the original route (no Redis on that path) and returns the slowest answer, in ms. */
async function pushAll(app: { url: string }, envs: Envelope[]): Promise<number> {
  let slowest = 0;
  for (const e of envs) {
    const t0 = performance.now();
    const { status, body } = await pushKiki(app as TestHub, ctx.keys, e);
    slowest = Math.max(slowest, performance.now() - t0);
    expect([status, body.status]).toEqual([200, 'ok']);
    expect(body.message).toBeUndefined(); // stored, not "already held"
  }
  return slowest;
}

const over = (people: KeyPair[]) => people.map((p) => Array.from({ length: 5 }, () => letter(p, ctx.keys, { content: noise(900), when: at(++clock) }))).flat();

async function quotas(app: NestExpressApplication, people: KeyPair[]) {
  return Promise.all(people.map((p) => app.get(QuotaService).personQuota(ctx, p.public)));
}

describe.skipIf(!need.ok)('ingest never waits for Redis', () => {
  it('stores and counts everything while Redis is down; quotas converge once it is back (empty)', async () => {
    const people = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    await redis.kill();
    await waitFor(async () => hub.app.get(QuotaQueue).connection!.status, (s) => s !== 'ready', 'the hub to notice');

    const slowest = await pushAll(hub, over(people));
    expect(slowest).toBeLessThan(1000);
    const ds = hub.app.get(DataSource);
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    for (const q of await quotas(hub.app, people)) expect(q).toMatchObject({ overLimit: true, usage: { envelopes: 5 } });
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/kiki_hub_quota_enqueue_failures_total\{name="quota.evaluate"\} [1-9]/);
    expect(metrics).toMatch(/kiki_hub_quota_jobs_pending [1-9]/);
    expect((await fetch(`${hub.url}/health/ready`)).status).toBe(200);

    await redis.start(); // a new, empty Redis: queued jobs and the scheduler are gone
    await waitFor(() => quotas(hub.app, people), (qs) => qs.every((q) => !q.overLimit), 'quotas to converge', 30_000);
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
    expect((await hub.app.get(QuotaService).status()).pending).toBe(0);
    expect(await waitFor(() => hub.app.get(QuotaQueue).bullQueue!.getJobScheduler('quota-sweep'), (s) => !!s, 'the sweep to be rescheduled')).toBeTruthy();
  });

  it('the quota hook gives up on a Redis that accepts connections but never answers', async () => {
    // Rows stored as ingest stores them, then the quota hook called as ingest calls it after the
    // commit. (Only the quota path: other after-commit listeners are not this test's subject.)
    const people = [generateKeyPair(), generateKeyPair()];
    const envs = over(people);
    const rows = envs.map((e) => ({
      id: idBuf(e),
      tsMs: parseTimestamp(e.timestamp).ms,
      timestamp: e.timestamp,
      sender: e.sender.public,
      signature: e.signature,
      sealedRecipients: e.sealed_recipients,
      sealedLetter: Buffer.from(e.sealed_letter, 'base64'),
      size: e.sealed_letter.length,
      purpose: 'share-text',
      firstId: e.id,
      replyTo: null,
      publicContent: null,
      signatureV2: null,
    }));
    redis.signal('SIGSTOP');
    try {
      const stored = await hub.app.get(EnvelopeRepository).insertBatch(ctx.regionId, rows);
      expect(stored.stored.size).toBe(envs.length);
      const t0 = performance.now();
      const queued = await hub.app.get(QuotaQueue).afterIngest({
        region: ctx,
        envelopes: envs.map((e) => ({ id: e.id, seq: 0, tsMs: 0, sender: e.sender.public, size: e.sealed_letter.length, purpose: 'share-text' })),
      });
      expect(queued).toBe(false);
      expect(performance.now() - t0).toBeLessThan(ENQUEUE_TIMEOUT_MS + 500);
    } finally {
      redis.signal('SIGCONT');
    }
    await waitFor(() => quotas(hub.app, people), (qs) => qs.every((q) => !q.overLimit), 'quotas to converge', 30_000);
    expect(await usageDrift(hub.app.get(DataSource), ctx.regionId)).toEqual([]);
  });

  it('a hub that stops while Redis is down loses no quota work: the next start sweeps', async () => {
    const people = [generateKeyPair(), generateKeyPair()];
    await redis.kill();
    await waitFor(async () => hub.app.get(QuotaQueue).connection!.status, (s) => s !== 'ready', 'the hub to notice');
    await pushAll(hub, over(people));
    await hub.app.close(); // its in-memory pending jobs die with it

    await redis.start();
    const app = await createHubApp(hub.config, { logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      await waitFor(() => quotas(app, people), (qs) => qs.every((q) => !q.overLimit), 'the restarted hub to catch up', 30_000);
      expect(await usageDrift(app.get(DataSource), ctx.regionId)).toEqual([]);
      expect(await unrecordedRemovals(app.get(DataSource), ctx.regionId)).toEqual([]);
    } finally {
      await app.close();
    }
    hub.app = (await createHubApp(hub.config, { logger: false })) as typeof hub.app; // for afterAll's close
  });
});
