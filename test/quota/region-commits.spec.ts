import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource, type EntityManager } from 'typeorm';
import { RegionCommits } from '../../apps/hub/src/quota/region-commits';
import { startTestHub, type TestHub } from '../support/hub';

/**
 * The group commit of eviction steps: the steps ready for one region share one transaction that
 * holds the region's counter, each under its own savepoint (libs/storage savepoint()), so a
 * failing step is undone alone (even one that broke the transaction) and the others commit.
 */
let hub: TestHub;
let ds: DataSource;

beforeAll(async () => {
  hub = await startTestHub({ RUN_WORKERS: 'false' });
  ds = hub.app.get(DataSource);
});
afterAll(() => hub?.close());

describe('RegionCommits', () => {
  it('commits the steps that succeed in one transaction and undoes only the one that fails', async () => {
    const ctx = await hub.createRegion('group commit');
    const commits = hub.app.get(RegionCommits);
    const step = (person: string, fail: boolean) => async (m: EntityManager) => {
      await m.query(`INSERT INTO person_policy (region_id, person, tier) VALUES ($1, $2, 'trusted')`, [ctx.regionId, person]);
      // a failed statement aborts the transaction: only the step's savepoint revives it
      if (fail) await m.query('SELECT 1 / 0');
      const [{ tx, level }] = await m.query(`SELECT txid_current()::text AS tx, current_setting('transaction_isolation') AS level`);
      return { tx, level };
    };
    // queued in one turn: they wait for the region's lock together and share its transaction
    const results = await Promise.allSettled([
      commits.run(ctx.regionId, step('first', false)),
      commits.run(ctx.regionId, step('broken', true)),
      commits.run(ctx.regionId, step('third', false)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/division by zero/);
    const [a, c] = [results[0], results[2]].map((r) => (r as PromiseFulfilledResult<{ tx: string; level: string }>).value);
    expect(a.tx).toBe(c.tx);
    expect(a.level).toBe('read committed');
    const rows: Array<{ person: string }> = await ds.query('SELECT person FROM person_policy WHERE region_id = $1 ORDER BY person', [ctx.regionId]);
    expect(rows.map((r) => r.person)).toEqual(['first', 'third']);
  });
});
