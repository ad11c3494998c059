import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@kiki/crypto';
import { QuotaRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { RegionCommits } from '../../apps/hub/src/quota/region-commits';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * Issue 11, attack 8: repairUsage (the sweep) and the eviction steps of RegionCommits both lock
 * person_usage rows of several people. They take the region's counter first, both of them, so
 * they queue instead of deadlocking. Made deterministic by waiting, inside the eviction
 * transaction, until the repair is blocked before taking the second lock.
 */
let hub: TestHub;
let ds: DataSource;

beforeAll(async () => {
  hub = await startTestHub({ RUN_WORKERS: 'false', DB_POOL_SIZE: '6' });
  ds = hub.app.get(DataSource);
});
afterAll(() => hub?.close());

async function waiters(): Promise<Array<{ query: string }>> {
  return ds.query("SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
}

describe('one lock order: region counter, then person_usage rows', () => {
  it('repairUsage waits for the region counter instead of deadlocking with an eviction transaction', async () => {
    const ctx = await hub.createRegion('lock order');
    const quota = hub.app.get(QuotaRepository);
    // B sorts after A: repairUsage locks in person order, the eviction step below takes B first
    const [a, b] = [generateKeyPair().public, generateKeyPair().public].sort();
    await quota.repairUsage(ctx.regionId, [a, b]); // both rows exist

    let repair: Promise<string[]> | undefined;
    let blockedOn = '';
    const step = hub.app.get(RegionCommits).run(ctx.regionId, async (m) => {
      await quota.lockUsage(m, ctx.regionId, b);
      repair = quota.repairUsage(ctx.regionId, [a, b]);
      repair.catch(() => undefined); // awaited below
      for (let i = 0; i < 600 && !blockedOn; i++) {
        blockedOn = (await waiters())[0]?.query ?? '';
        if (!blockedOn) await new Promise((r) => setTimeout(r, 50));
      }
      // the repair holds nothing of person A: this lock is granted at once
      await quota.lockUsage(m, ctx.regionId, a);
      return 'evicted';
    });

    await expect(step).resolves.toBe('evicted');
    await expect(repair).resolves.toEqual([]);
    expect(blockedOn).toMatch(/FROM region_seq/);
  });
});
