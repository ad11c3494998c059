import { type ChildProcess, fork } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { IngestService } from '../../apps/hub/src/ingest/ingest.service';
import { QuotaQueue } from '../../apps/hub/src/quota/quota.queue';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import { testRedisUrl } from '../support/db';
import { startTestHub, type TestHub } from '../support/hub';
import { at, closeHub, idBuf, letter, noise, unrecordedRemovals, usageDrift, waitFor } from './support/quota';

// One eviction per step and a 2 s job lock: the job takes hundreds of steps, and a dead worker's job is noticed quickly.
const QUOTA_ENV = { QUOTA_EVICTION_BATCH: '1', QUOTA_JOB_LOCK_SECONDS: '2', QUOTA_SWEEP_EVERY_SECONDS: '0', QUOTA_WORKER_CONCURRENCY: '1' };

let hub: TestHub;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // The hub only ingests and enqueues; the work is done by worker processes started below.
  hub = await startTestHub({ RUN_WORKERS: 'false', ...QUOTA_ENV });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await closeHub(hub);
});

/** `npm run worker` against this hub's database and Redis prefix, in its own process. */
async function startWorkerProcess(): Promise<ChildProcess> {
  const child = fork(resolve(__dirname, 'support/worker-child.cjs'), [], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: hub.db.url,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: hub.config.REDIS_PREFIX,
      HUB_MASTER_KEY: hub.config.HUB_MASTER_KEY!,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '2',
      ...QUOTA_ENV,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  await new Promise<void>((ok, fail) => {
    child.once('message', () => ok());
    child.once('exit', (code) => fail(new Error(`worker process exited with ${code} before it was ready`)));
  });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((ok) => child.once('exit', () => ok()));
}

describe('a worker process killed mid-job', () => {
  it('leaves consistent state, and the retry by another worker finishes exactly the work', async () => {
    const ctx = await hub.createRegion('crash');
    const ds = hub.app.get(DataSource);
    const quota = hub.app.get(QuotaService);
    const p = generateKeyPair();
    const sent: Envelope[] = Array.from({ length: 400 }, (_, i) => letter(p, ctx.keys, { content: noise(300), when: at(i + 1) }));
    for (let i = 0; i < sent.length; i += 100) await hub.app.get(IngestService).ingest(ctx, sent.slice(i, i + 100), 'test');
    const limit = 1000;
    await quota.setPersonTier(ctx, p.public, 'default', limit);
    // the oldest letters, just enough of them to reach the limit: what the finished job must have evicted
    let bytes = sent.reduce((s, e) => s + e.sealed_letter.length, 0);
    const expected: string[] = [];
    for (const e of sent) {
      if (bytes <= limit) break;
      expected.push(idBuf(e).toString('hex'));
      bytes -= e.sealed_letter.length;
    }
    const evicted = async () =>
      ((await ds.query('SELECT envelope_id FROM eviction WHERE region_id = $1 ORDER BY eviction_id', [ctx.regionId])) as Array<{ envelope_id: Buffer }>).map((r) =>
        r.envelope_id.toString('hex'),
      );

    const first = await startWorkerProcess();
    await waitFor(evicted, (e) => e.length >= 25, 'the first worker to be well into the job', 30_000);
    first.kill('SIGKILL');
    await exited(first);

    // Mid-job and consistent: a prefix of the order, usage exact, every tombstone recorded.
    const afterKill = await evicted();
    expect(afterKill.length).toBeGreaterThanOrEqual(25);
    expect(afterKill.length).toBeLessThan(expected.length);
    expect(afterKill).toEqual(expected.slice(0, afterKill.length));
    expect((await quota.personQuota(ctx, p.public)).overLimit).toBe(true);
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
    const queue = hub.app.get(QuotaQueue).bullQueue!;
    expect((await queue.getJobCounts('active')).active).toBe(1); // its lock is no longer renewed

    // Another worker notices the stalled job (lock expired) and runs it again from where it stopped.
    const second = await startWorkerProcess();
    await waitFor(() => quota.personQuota(ctx, p.public), (q) => !q.overLimit, 'the retry to finish', 60_000);
    await waitFor(() => queue.getJobCounts('active', 'waiting'), (c) => c.active + c.waiting === 0, 'the job to complete');
    expect(await evicted()).toEqual(expected);
    expect((await quota.personQuota(ctx, p.public)).usage.bytes).toBe(bytes);
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);

    second.kill('SIGTERM');
    await exited(second);
    expect(second.exitCode ?? 0).toBe(0);
  }, 150_000);
});
