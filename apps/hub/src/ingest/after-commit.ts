import { type FactoryProvider, Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { EnvelopeEvents } from '../graphql/services/envelope-events.service';
import { HubMetrics } from '../health/metrics';
import { QuotaQueue } from '../quota/quota.queue';
import { ReconcileService } from '../sync/reconcile.service';
import type { AfterCommitFollower, StoredNotice } from './stored-notice';

/** The ordered list of what follows a committed ingest statement (provided by IngestModule). */
export const AFTER_COMMIT_FOLLOWERS = Symbol('kiki:after-commit-followers');

/**
 * What happens after a batch is stored, by every route (sync, the original kiki routes,
 * GraphQL), in this order:
 *
 *   stored → 1. reconcile-index   this process's reconciliation index gains the envelopes
 *                                 (synchronous, in memory: done before the caller is answered,
 *                                 so the caller's next reconcile sees them without a catch-up)
 *          → 2. quota-jobs        senders that may be over their limit get quota.evaluate,
 *                                 erase letters quota.erase (QuotaQueue.afterIngest; a Redis
 *                                 outage keeps them in memory, the sweep covers the rest)
 *          → 3. subscriptions     envelopeAdded events for GraphQL subscribers of every hub
 *                                 process (EnvelopeEvents.publishStored), in commit order
 *
 * Each is started in that order; none waits for another and the caller's answer waits for none
 * of them beyond its synchronous part (AfterCommit below). A follower that fails is logged and
 * counted; the batch stays stored.
 */
export const afterCommitFollowers: FactoryProvider<AfterCommitFollower[]> = {
  provide: AFTER_COMMIT_FOLLOWERS,
  inject: [ReconcileService, QuotaQueue, EnvelopeEvents],
  useFactory: (reconcile: ReconcileService, quota: QuotaQueue, subscriptions: EnvelopeEvents): AfterCommitFollower[] => [
    { name: 'reconcile-index', inCommitOrder: false, follow: (n) => reconcile.addStored(n) },
    { name: 'quota-jobs', inCommitOrder: false, follow: (n) => quota.afterIngest(n) },
    { name: 'subscriptions', inCommitOrder: true, follow: (n) => subscriptions.publishStored(n) },
  ],
};

/** How long shutdown waits for followers still running (then the rest is left to the sweep / cursors). */
const DRAIN_TIMEOUT_MS = 5000;

/**
 * Notices an in-order follower may have waiting per region (a Redis that stalls holds each
 * publish for its command timeout); past that, new ones skip it and count as failures, so a
 * stalled follower costs bounded memory. Subscribers catch up with their cursor.
 */
export const MAX_WAITING_PER_REGION = 1000;

/**
 * Runs the followers for each committed statement (IngestService → BatchInserter calls run()).
 * run() returns once every follower has been started: what a follower does synchronously is
 * done by then, what it awaits is not, so a slow follower never delays an answer.
 */
@Injectable()
export class AfterCommit implements OnApplicationShutdown {
  private readonly log = new Logger(AfterCommit.name);
  private readonly running = new Set<Promise<void>>();
  /** per in-order follower and region: the last notice handed to it, and how many wait */
  private readonly tails = new Map<string, { tail: Promise<void>; waiting: number }>();
  private lastSkipWarning = 0;

  constructor(
    @Inject(AFTER_COMMIT_FOLLOWERS) private readonly followers: AfterCommitFollower[],
    private readonly metrics: HubMetrics,
  ) {}

  /** The followers' names, in the order they start. */
  get order(): string[] {
    return this.followers.map((f) => f.name);
  }

  run(notice: StoredNotice): void {
    for (const f of this.followers) {
      if (!f.inCommitOrder) {
        this.track(this.start(f, notice));
        continue;
      }
      const key = `${f.name}:${notice.region.regionId}`;
      const queue = this.tails.get(key) ?? { tail: Promise.resolve(), waiting: 0 };
      if (queue.waiting >= MAX_WAITING_PER_REGION) {
        this.skipped(f, notice);
        continue;
      }
      queue.waiting++;
      const tail: Promise<void> = queue.tail.then(() => this.start(f, notice)).finally(() => {
        queue.waiting--;
        if (this.tails.get(key) === queue && queue.tail === tail) this.tails.delete(key);
      });
      queue.tail = tail;
      this.tails.set(key, queue);
      this.track(tail);
    }
  }

  /** Resolves when every follower started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  /**
   * After the HTTP server closed (no more commits) and before the followers' own modules shut
   * down (Nest shuts a module down before those it imports): what was started finishes first.
   */
  async onApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), DRAIN_TIMEOUT_MS)));
    if ((await Promise.race([this.idle().then(() => 'idle' as const), late])) === 'late') {
      this.log.warn({ msg: 'after-commit work still running at shutdown; leaving it', running: this.running.size });
    }
    clearTimeout(timer);
  }

  /** Starts one follower on one notice; never rejects. */
  private start(f: AfterCommitFollower, notice: StoredNotice): Promise<void> {
    try {
      const out = f.follow(notice);
      return out instanceof Promise ? out.then(() => undefined, (err: unknown) => this.failed(f, notice, err)) : Promise.resolve();
    } catch (err) {
      this.failed(f, notice, err);
      return Promise.resolve();
    }
  }

  private failed(f: AfterCommitFollower, notice: StoredNotice, err: unknown): void {
    this.metrics.afterCommitFailures.inc({ follower: f.name });
    // the rows are committed: followers only do follow-up work (indexes, jobs, events)
    this.log.error({ msg: 'after-commit follower failed', follower: f.name, regionId: notice.region.regionId, envelopes: notice.envelopes.length, err: err instanceof Error ? err.message : String(err) });
  }

  private skipped(f: AfterCommitFollower, notice: StoredNotice): void {
    this.metrics.afterCommitFailures.inc({ follower: f.name });
    if (Date.now() - this.lastSkipWarning < 1000) return; // a stalled follower must not flood the log
    this.lastSkipWarning = Date.now();
    this.log.error({ msg: 'after-commit follower too far behind; notice skipped', follower: f.name, regionId: notice.region.regionId, waiting: MAX_WAITING_PER_REGION });
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }
}
