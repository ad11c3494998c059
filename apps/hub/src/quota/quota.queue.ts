import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { QuotaRepository } from '@kiki/storage';
import { HubConfig } from '../config/hub-config';
import { type AnyQueue, type RedisClient, RedisConnections } from '../redis/redis-connections';
import type { StoredNotice } from '../ingest/stored-notice';
import { QuotaMetrics } from './quota.metrics';
import { deduplicationId, QUOTA_JOB_OPTIONS, QUOTA_QUEUE, type QuotaJob } from './quota.jobs';

/** No enqueue waits longer than this, even when Redis accepts the connection but does not answer. */
export const ENQUEUE_TIMEOUT_MS = 2000;
/** Jobs kept in memory while Redis is unreachable; beyond this, one sweep replaces them. */
export const MAX_PENDING_JOBS = 50_000;
const FLUSH_EVERY_MS = 5000;
const BULK = 1000;

export interface QuotaQueueStatus {
  redis: string;
  /** jobs held in memory until Redis answers again */
  pending: number;
  counts: Record<string, number>;
  /** most recent failed jobs, newest first */
  failed: Array<{ id: string | undefined; name: string; data: unknown; reason: string; attempts: number; failedAt: Date | null }>;
}

/**
 * The producer side of the quota queue. Enqueueing never throws and never waits for Redis:
 * its connection fails fast (no offline queue), each call is bounded by ENQUEUE_TIMEOUT_MS, and
 * what cannot be sent is kept (bounded, deduplicated) and sent when Redis answers again.
 * A hub that dies meanwhile loses only that memory; the periodic sweep finds the work again.
 */
@Injectable()
export class QuotaQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(QuotaQueue.name);
  /** the producer's Redis connection; null without Redis (the queue then lives in Postgres) */
  readonly connection: RedisClient | null;
  private queue: AnyQueue | null = null;
  /** without Redis: whether the Postgres-backed queue has answered */
  private postgresReady = false;
  private postgresStarting: Promise<void> | null = null;
  private readonly pending = new Map<string, QuotaJob>();
  private readonly inFlight = new Set<Promise<boolean>>();
  private overflow = false;
  private flushing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly readyListeners: Array<() => void> = [];
  private lastWarning = 0;
  private closed = false;

  constructor(
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly metrics: QuotaMetrics,
    private readonly quota: QuotaRepository,
    private readonly connections: RedisConnections,
  ) {
    if (connections.enabled) {
      // a command while Redis is away fails at once instead of queueing in memory
      const connection = connections.create('queue');
      connection.on('error', (err: Error) => this.warn('quota queue: redis error', err));
      connection.on('ready', () => this.onReady());
      this.connection = connection;
    } else {
      this.connection = null;
      this.startPostgresQueue();
    }
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async onModuleInit(): Promise<void> {
    // without Redis the queue is in the hub's own Postgres, which answers now: start with it ready
    if (this.postgresStarting) await this.postgresStarting;
  }

  /** Resolves when the after-ingest checks started so far have handed their jobs over (or kept them). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** Called on every (re)connection: a restarted Redis may have lost the sweep scheduler. */
  onRedisReady(listener: () => void): void {
    this.readyListeners.push(listener);
    if (this.connected) listener();
  }

  /** Whether the queue's store answers: Redis, or Postgres when there is no Redis. */
  get connected(): boolean {
    return this.connection ? this.connection.status === 'ready' : this.postgresReady;
  }

  get redisReady(): boolean {
    return this.connected && this.queue !== null;
  }

  /** Tells every hub process something happened (a channel of RedisService.key form); best effort. */
  announce(channel: string): void {
    if (this.connection) this.connection.publish(channel, '1').catch(() => undefined);
    else void this.connections.local.publish(channel, 1).catch(() => undefined);
  }

  /** The queue, for the worker's own scheduler calls; null while Redis has never answered. */
  get bullQueue(): AnyQueue | null {
    return this.queue;
  }

  /**
   * After a committed batch: an erase letter gets quota.erase (which evaluates too); other
   * senders get quota.evaluate only if they need it (one query for the batch, see
   * QuotaRepository.needingWork), so a worker is never busy with the many who are well within
   * their limit. Every batch checks after its own commit, so a person's last commit is always
   * checked. If the check fails, every sender is enqueued and the workers decide.
   * An after-commit follower (ingest/after-commit.ts); idle() waits for the checks in flight.
   */
  afterIngest(notice: StoredNotice): Promise<boolean> {
    const work = this.checkStored(notice).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
    return work;
  }

  private async checkStored(notice: StoredNotice): Promise<boolean> {
    const erase = new Set<string>();
    const senders = new Set<string>();
    for (const e of notice.envelopes) (e.purpose === 'action-erase' ? erase : senders).add(e.sender);
    for (const p of erase) senders.delete(p);
    const regionId = notice.region.regionId;
    let evaluate = [...senders];
    try {
      evaluate = await this.quota.needingWork(regionId, evaluate);
    } catch (err) {
      this.warn('quota check after ingest failed; enqueueing every sender', err);
    }
    const jobs: QuotaJob[] = [];
    for (const person of erase) jobs.push({ name: 'quota.erase', data: { regionId, person } });
    for (const person of evaluate) jobs.push({ name: 'quota.evaluate', data: { regionId, person } });
    return this.enqueue(jobs);
  }

  /**
   * Hands jobs to Redis, deduplicated. Resolves true when Redis took them, false when they are
   * kept for later; never rejects.
   */
  async enqueue(jobs: QuotaJob[]): Promise<boolean> {
    if (jobs.length === 0) return true;
    const queue = this.queue;
    if (!queue || !this.connected || this.closed) {
      this.keep(jobs, 'redis is not connected');
      return false;
    }
    try {
      for (let i = 0; i < jobs.length; i += BULK) {
        const chunk = jobs.slice(i, i + BULK);
        await withTimeout(
          queue.addBulk(chunk.map((j) => ({ name: j.name, data: j.data, opts: { deduplication: { id: deduplicationId(j), keepLastIfActive: true } } }))),
          ENQUEUE_TIMEOUT_MS,
        );
        for (const j of chunk) this.metrics.enqueued.inc({ name: j.name });
      }
      return true;
    } catch (err) {
      // Some may have been added before the failure: re-adding them later is deduplicated.
      this.keep(jobs, err);
      return false;
    }
  }

  async status(): Promise<QuotaQueueStatus> {
    // without Redis: "none" (the queue is in Postgres; `counts` say whether it answers)
    const base = { redis: this.connection ? this.connection.status : 'none', pending: this.pending.size + (this.overflow ? 1 : 0) };
    const queue = this.queue;
    if (!queue || !this.connected) return { ...base, counts: {}, failed: [] };
    const [counts, failed] = await withTimeout(
      Promise.all([queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'), queue.getFailed(0, 19)]),
      ENQUEUE_TIMEOUT_MS,
    );
    return {
      ...base,
      counts,
      failed: failed.map((j) => ({
        id: j.id,
        name: j.name,
        data: j.data,
        reason: j.failedReason,
        attempts: j.attemptsMade,
        failedAt: j.finishedOn ? new Date(j.finishedOn) : null,
      })),
    };
  }

  /** Sends what was kept while Redis was away. */
  flush(): Promise<void> {
    if (this.flushing || (!this.pending.size && !this.overflow) || !this.redisReady) return this.flushing ?? Promise.resolve();
    this.flushing = (async () => {
      const jobs = [...this.pending.values()];
      this.pending.clear();
      if (this.overflow) {
        this.overflow = false;
        jobs.push({ name: 'quota.sweep', data: {} });
      }
      this.metrics.pending.set(0);
      if (await this.enqueue(jobs)) this.log.log({ msg: 'quota jobs kept while redis was unreachable are queued', jobs: jobs.length });
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    // let checks of batches already committed hand over their jobs
    await withTimeout(this.idle(), ENQUEUE_TIMEOUT_MS).catch(() => undefined);
    this.closed = true;
    clearInterval(this.timer);
    if (this.pending.size) this.log.warn({ msg: 'quota jobs not queued at shutdown; the next sweep finds them', jobs: this.pending.size });
    // Closing talks to Redis: only worth trying (briefly) when it answers.
    if (this.queue && this.connected) await withTimeout(this.queue.close(), ENQUEUE_TIMEOUT_MS).catch(() => undefined);
    this.connection?.disconnect();
  }

  /** Without Redis: BullMQ on Postgres (its tables are created on first connection). */
  private startPostgresQueue(): void {
    const queue = this.connections.queue(QUOTA_QUEUE, { defaultJobOptions: QUOTA_JOB_OPTIONS });
    queue.on('error', (err) => this.warn('quota queue (postgres) error', err));
    this.queue = queue;
    this.postgresStarting = withTimeout(queue.waitUntilReady(), 15_000).then(
      () => {
        if (this.closed) return;
        this.postgresReady = true;
        this.onReady();
      },
      (err) => this.log.error({ msg: 'the quota queue could not start on postgres; quota work waits for the next start', err: String(err) }),
    );
  }

  private onReady(): void {
    if (!this.queue) {
      const queue = this.connections.queue(QUOTA_QUEUE, { defaultJobOptions: QUOTA_JOB_OPTIONS }, this.connection!);
      queue.on('error', (err) => this.warn('quota queue error', err));
      this.queue = queue;
      // If Redis drops between "ready" and BullMQ's own start-up query, start again at the next "ready".
      queue.waitUntilReady().catch(() => {
        if (this.queue === queue) this.queue = null;
        void queue.close().catch(() => undefined);
      });
    }
    for (const l of this.readyListeners) l();
    void this.flush();
  }

  private keep(jobs: QuotaJob[], why: unknown): void {
    for (const j of jobs) {
      this.metrics.enqueueFailures.inc({ name: j.name });
      if (this.pending.size >= MAX_PENDING_JOBS) this.overflow = true;
      else this.pending.set(deduplicationId(j), j);
    }
    this.metrics.pending.set(this.pending.size);
    this.warn('quota jobs kept in memory until redis answers (the sweep covers them too)', why, { jobs: jobs.length, pending: this.pending.size });
  }

  /** At most one warning a second: a Redis outage must not flood the log. */
  private warn(msg: string, err: unknown, extra: Record<string, unknown> = {}): void {
    const now = Date.now();
    if (now - this.lastWarning < 1000) return;
    this.lastWarning = now;
    this.log.warn({ msg, err: err instanceof Error ? err.message : String(err), ...extra });
  }
}

/** Rejects when `p` has not settled within `ms` (Redis accepting a connection but not answering). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
