import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { EvictionService } from '../../apps/hub/src/quota/eviction.service';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import { SweepService } from '../../apps/hub/src/quota/sweep.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { at, closeHub, ingestStored, letter, noise, quotaIdle, unrecordedRemovals, usageDrift } from './support/quota';

let hub: TestHub;
let ds: DataSource;
let quota: QuotaService;
let clock = 0;

beforeAll(async () => {
  hub = await startTestHub({ QUOTA_WORKER_CONCURRENCY: '4', DB_POOL_SIZE: '12' });
  ds = hub.app.get(DataSource);
  quota = hub.app.get(QuotaService);
});
afterAll(() => closeHub(hub));

function batch(ctx: RegionContext, person: KeyPair, n: number): Envelope[] {
  return Array.from({ length: n }, (_, i) =>
    i % 4 === 3
      ? letter(person, ctx.keys, { purpose: 'action-follow', content: generateKeyPair().public, when: at(++clock) })
      : letter(person, ctx.keys, { content: noise(i % 5 === 0 ? 6000 : 700), when: at(++clock) }),
  );
}

const ingest = (ctx: RegionContext, envs: Envelope[]) => ingestStored(hub, ctx, envs);

describe('concurrent ingest and eviction', () => {
  it('through the queue: people pushing while the workers evict end exact and within their limits', async () => {
    const ctx = await hub.createRegion('concurrent queue');
    await quota.setRegionPolicy(ctx, { defaultBytes: 20_000 });
    const crowd = Array.from({ length: 8 }, () => generateKeyPair());
    const plans = crowd.map((p) => Array.from({ length: 12 }, () => batch(ctx, p, 8)));
    await Promise.all(plans.map(async (batches) => {
      for (const b of batches) await ingest(ctx, b);
    }));
    await quotaIdle(hub, 60_000);
    for (const p of crowd) {
      const q = await quota.personQuota(ctx, p.public);
      expect(q.overLimit).toBe(false);
      expect(q.usage.envelopes).toBeGreaterThanOrEqual(24); // actions are all kept
    }
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
  });

  it('directly: enforcers, sweeps and ingest racing on the same person never lose a byte or deadlock', async () => {
    const ctx = await hub.createRegion('concurrent direct');
    await quota.setRegionPolicy(ctx, { defaultBytes: 15_000 });
    const evictions = hub.app.get(EvictionService);
    const sweeps = hub.app.get(SweepService);
    const p = generateKeyPair();
    const q = generateKeyPair();
    let repairedBySweeps = 0;
    const rounds = 15;
    await Promise.all([
      (async () => {
        for (let i = 0; i < rounds; i++) await ingest(ctx, [...batch(ctx, p, 6), ...batch(ctx, q, 3)]);
      })(),
      (async () => {
        for (let i = 0; i < rounds; i++) await ingest(ctx, batch(ctx, p, 5));
      })(),
      // two enforcers on one person at once: the queue never does this, the row lock must cope
      ...[0, 1].map(async () => {
        for (let i = 0; i < rounds; i++) await evictions.enforce(ctx.regionId, p.public);
      }),
      (async () => {
        for (let i = 0; i < rounds; i++) await evictions.enforce(ctx.regionId, q.public);
      })(),
      (async () => {
        for (let i = 0; i < 6; i++) repairedBySweeps += (await sweeps.sweep(ctx.regionId)).repaired;
      })(),
    ]);
    await quotaIdle(hub, 60_000);
    await evictions.enforce(ctx.regionId, p.public);
    await evictions.enforce(ctx.regionId, q.public);

    // sweeps saw rows move under them, and corrected none: the locked re-check found them exact
    expect(repairedBySweeps).toBe(0);
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
    expect((await quota.personQuota(ctx, p.public)).overLimit).toBe(false);
    expect((await quota.personQuota(ctx, q.public)).overLimit).toBe(false);
  });
});
