import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { base58Decode, type KeyPair, parseTimestamp } from '@kiki/crypto';
import { EnvelopeEvents } from '../../apps/hub/src/graphql/services/envelope-events.service';
import { HubMetrics } from '../../apps/hub/src/health/metrics';
import { AfterCommit, MAX_WAITING_PER_REGION } from '../../apps/hub/src/ingest/after-commit';
import type { AfterCommitFollower, StoredNotice } from '../../apps/hub/src/ingest/stored-notice';
import { QuotaQueue } from '../../apps/hub/src/quota/quota.queue';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { ReconcileService } from '../../apps/hub/src/sync/reconcile.service';
import { authHeader, people, publicPost } from '../support/envelopes';
import { startTestHub, type TestHub } from '../support/hub';

/** A promise settled from outside: the "slow" part of a follower. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const notice = (regionId: number, id = 'x'): StoredNotice => ({
  region: { regionId } as RegionContext,
  envelopes: [{ id, seq: 1, tsMs: 0, sender: 's', size: 1, purpose: null }],
});

describe('AfterCommit (the pipeline alone)', () => {
  it('starts the followers in their listed order and returns before any slow one finishes', async () => {
    const started: string[] = [];
    const slow = gate();
    const follower = (name: string, work?: Promise<void>): AfterCommitFollower => ({
      name,
      inCommitOrder: false,
      follow: () => {
        started.push(name);
        return work;
      },
    });
    const pipeline = new AfterCommit([follower('first'), follower('slow', slow.promise), follower('last')], new HubMetrics());
    pipeline.run(notice(1));
    expect(started).toEqual(['first', 'slow', 'last']);
    let idle = false;
    const waiting = pipeline.idle().then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toBe(false); // still running, and run() did not wait for it
    slow.open();
    await waiting;
    expect(idle).toBe(true);
  });

  it('logs (as one JSON-able object) and counts a failing follower; the others still run', async () => {
    const metrics = new HubMetrics();
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const ran: string[] = [];
      const pipeline = new AfterCommit(
        [
          { name: 'throws', inCommitOrder: false, follow: () => { throw new Error('boom'); } },
          { name: 'rejects', inCommitOrder: true, follow: () => Promise.reject(new Error('later boom')) },
          { name: 'fine', inCommitOrder: false, follow: () => void ran.push('fine') },
        ],
        metrics,
      );
      expect(() => pipeline.run(notice(7))).not.toThrow();
      await pipeline.idle();
      expect(ran).toEqual(['fine']);
      const failures = (await metrics.afterCommitFailures.get()).values.map((v) => [v.labels.follower, v.value]);
      expect(failures.sort()).toEqual([['rejects', 1], ['throws', 1]]);
      expect(errors.mock.calls.map((c) => c[0])).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ msg: 'after-commit follower failed', follower: 'throws', regionId: 7, err: 'boom' }),
          expect.objectContaining({ msg: 'after-commit follower failed', follower: 'rejects', regionId: 7, err: 'later boom' }),
        ]),
      );
    } finally {
      errors.mockRestore();
    }
  });

  it('hands an in-order follower one notice of a region at a time, in commit order; other regions do not wait', async () => {
    const seen: string[] = [];
    const first = gate();
    const pipeline = new AfterCommit(
      [
        {
          name: 'events',
          inCommitOrder: true,
          follow: async (n) => {
            seen.push(`start ${n.region.regionId}:${n.envelopes[0].id}`);
            if (n.envelopes[0].id === 'a') await first.promise;
            seen.push(`end ${n.region.regionId}:${n.envelopes[0].id}`);
          },
        },
      ],
      new HubMetrics(),
    );
    pipeline.run(notice(1, 'a'));
    pipeline.run(notice(1, 'b'));
    pipeline.run(notice(2, 'c'));
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['start 1:a', 'start 2:c', 'end 2:c']);
    first.open();
    await pipeline.idle();
    expect(seen).toEqual(['start 1:a', 'start 2:c', 'end 2:c', 'end 1:a', 'start 1:b', 'end 1:b']);
  });

  it('bounds what a stalled in-order follower keeps waiting: past the bound a notice skips it and is counted', async () => {
    const metrics = new HubMetrics();
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const stall = gate();
      let followed = 0;
      const pipeline = new AfterCommit([{ name: 'events', inCommitOrder: true, follow: () => (followed++, stall.promise) }], metrics);
      for (let i = 0; i < MAX_WAITING_PER_REGION + 3; i++) pipeline.run(notice(1, String(i)));
      pipeline.run(notice(2)); // another region has its own bound
      stall.open();
      await pipeline.idle();
      expect(followed).toBe(MAX_WAITING_PER_REGION + 1);
      expect((await metrics.afterCommitFailures.get()).values).toEqual([expect.objectContaining({ labels: { follower: 'events' }, value: 3 })]);
      expect(errors).toHaveBeenCalledTimes(1); // one line for a burst, not one per notice
    } finally {
      errors.mockRestore();
    }
  });
});

describe('after-commit in a hub', () => {
  let hub: TestHub;
  let region: KeyPair;
  const [alice] = people(1);

  beforeAll(async () => {
    hub = await startTestHub();
    region = (await hub.createRegion('after-commit')).keys;
  });
  afterAll(() => hub?.close());

  const push = (body: unknown) =>
    fetch(`${hub.url}/sync/${region.public}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(alice, region) },
      body: JSON.stringify(body),
    });

  it('follows a commit with reconcile index → quota jobs → subscriptions, and answers while a slow subscription publish still runs', async () => {
    expect(hub.app.get(AfterCommit).order).toEqual(['reconcile-index', 'quota-jobs', 'subscriptions']);
    const reconcile = hub.app.get(ReconcileService);
    const ctx = await hub.createRegion('after-commit-2');
    region = ctx.keys;
    // the region's index exists, so the follower adds to it (it skips regions nobody reconciled yet)
    const index = await reconcile.indexFor(ctx);

    const calls: string[] = [];
    const slow = gate();
    const events = hub.app.get(EnvelopeEvents);
    const quota = hub.app.get(QuotaQueue);
    const [addStored, afterIngest, publishStored] = [reconcile.addStored, quota.afterIngest, events.publishStored];
    reconcile.addStored = (n) => (calls.push('reconcile-index'), addStored.call(reconcile, n));
    quota.afterIngest = (n) => (calls.push('quota-jobs'), afterIngest.call(quota, n));
    let published = false;
    events.publishStored = async (n) => {
      calls.push('subscriptions');
      await slow.promise;
      await publishStored.call(events, n);
      published = true;
    };
    try {
      const env = publicPost(alice, region);
      const res = await push({ envelopes: [env] });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { stored: number }).stored).toBe(1);
      // answered: the subscription publish has started and is still held
      expect(calls).toEqual(['reconcile-index', 'quota-jobs', 'subscriptions']);
      expect(published).toBe(false);
      // the synchronous follower was done before the answer: the index holds the envelope already
      expect(index.size).toBe(1);
      expect(index.has(parseTimestamp(env.timestamp).ms, base58Decode(env.id))).toBe(true);
      slow.open();
      await hub.app.get(AfterCommit).idle();
      expect(published).toBe(true);
    } finally {
      slow.open();
      reconcile.addStored = addStored;
      quota.afterIngest = afterIngest;
      events.publishStored = publishStored;
    }
  });

  it('a failing follower never fails the push: it is counted on /metrics', async () => {
    const quota = hub.app.get(QuotaQueue);
    const afterIngest = quota.afterIngest;
    quota.afterIngest = () => Promise.reject(new Error('quota check broke'));
    try {
      const res = await push({ envelopes: [publicPost(alice, region)] });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { stored: number }).stored).toBe(1);
      await hub.app.get(AfterCommit).idle();
      const metrics = await (await fetch(`${hub.url}/metrics`)).text();
      expect(metrics).toMatch(/kiki_hub_after_commit_failures_total\{follower="quota-jobs"\} 1/);
    } finally {
      quota.afterIngest = afterIngest;
    }
  });

  it('at shutdown, lets started followers finish before their modules close their connections', async () => {
    const own = await startTestHub();
    const ctx = await own.createRegion('after-commit-shutdown');
    const events = own.app.get(EnvelopeEvents);
    const order: string[] = [];
    const [publishStored, shutdown] = [events.publishStored, events.onApplicationShutdown];
    events.publishStored = async (n) => {
      await new Promise((r) => setTimeout(r, 300));
      await publishStored.call(events, n);
      order.push('published');
    };
    events.onApplicationShutdown = async () => {
      order.push('events closed');
      await shutdown.call(events);
    };
    const res = await fetch(`${own.url}/sync/${ctx.publicKey}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(alice, ctx.keys) },
      body: JSON.stringify({ envelopes: [publicPost(alice, ctx.keys)] }),
    });
    expect(res.status).toBe(200);
    await own.close();
    expect(order).toEqual(['published', 'events closed']);
  });
});
