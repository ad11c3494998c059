import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { type Job, UnrecoverableError } from 'bullmq';
import { HubConfig } from '../config/hub-config';
import { type AnyWorker, RedisConnections } from '../redis/redis-connections';
import { QuotaMetrics } from './quota.metrics';
import { type FoundHandler, handlerTable, QUOTA_JOB_HANDLER, QUOTA_QUEUE, type QuotaJobName } from './quota.jobs';
import { QuotaQueue } from './quota.queue';

export const SWEEP_SCHEDULER = 'quota-sweep';
export const USAGE_SAMPLE_SCHEDULER = 'usage-sample';
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Runs quota jobs from Redis. At boot it finds every @OnQuotaJob method and refuses to start
 * unless each job name has exactly one handler. Who calls start() is chosen by the module:
 * QuotaModule.forHub() once the HTTP server listens and only when RUN_WORKERS (never in CLI or
 * OpenAPI contexts that merely build the app), QuotaModule.forWorker() at boot (`npm run worker`).
 */
@Injectable()
export class QuotaWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(QuotaWorker.name);
  private handlers = new Map<QuotaJobName, FoundHandler>();
  private worker: AnyWorker | null = null;
  private lastWarning = 0;
  private caughtUp = false;

  constructor(
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly queue: QuotaQueue,
    private readonly metrics: QuotaMetrics,
    private readonly connections: RedisConnections,
  ) {}

  onModuleInit(): void {
    this.handlers = handlerTable(this.discover());
  }

  get running(): boolean {
    return this.worker !== null;
  }

  start(): void {
    if (this.worker) return;
    const lockMs = this.config.QUOTA_JOB_LOCK_SECONDS * 1000;
    const worker = this.connections.worker(QUOTA_QUEUE, (job) => this.run(job), {
      concurrency: this.config.QUOTA_WORKER_CONCURRENCY,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 3,
    });
    worker.on('completed', (job) => this.metrics.jobs.inc({ name: job.name, outcome: 'completed' }));
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
      this.metrics.jobs.inc({ name: job.name, outcome: final ? 'failed' : 'retried' });
      const entry = { msg: final ? 'quota job failed; kept in the failed set' : 'quota job failed; will retry', job: job.name, data: job.data, attempt: job.attemptsMade, err: err.message };
      if (final) this.log.error(entry);
      else this.log.warn(entry);
    });
    worker.on('error', (err) => {
      const now = Date.now();
      if (now - this.lastWarning < 1000) return;
      this.lastWarning = now;
      this.log.warn({ msg: 'quota worker: redis error', err: err.message });
    });
    this.worker = worker;
    this.queue.onRedisReady(() => void this.scheduleSweep());
    this.log.log({ msg: 'quota worker started', concurrency: this.config.QUOTA_WORKER_CONCURRENCY, sweepEverySeconds: this.config.QUOTA_SWEEP_EVERY_SECONDS });
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    // Without Redis a graceful close never returns, and a forced one requested after it waits
    // for it: choose first. Forced, a running step still commits or rolls back on its own, and
    // its job is retried elsewhere once its lock expires.
    if (!this.queue.connected) {
      await worker.close(true).catch(() => undefined);
      return;
    }
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS).unref());
    if ((await Promise.race([worker.close().then(() => 'closed' as const, () => 'closed' as const), timeout])) === 'timeout') {
      this.log.warn({ msg: 'quota worker did not stop in time; leaving it', timeoutMs: CLOSE_TIMEOUT_MS });
    }
  }

  private async run(job: Job): Promise<unknown> {
    const handler = this.handlers.get(job.name as QuotaJobName);
    if (!handler) throw new UnrecoverableError(`no handler for quota job "${job.name}"`);
    return handler.run(job.data);
  }

  /**
   * Installs (or updates) the repeatable sweep whenever Redis (re)connects. A new scheduler runs
   * its first sweep at once, which covers a Redis that lost its data; when the scheduler already
   * existed, a process that just started sweeps once anyway, to catch up on what was lost while
   * it was down (jobs it held in memory).
   */
  private async scheduleSweep(): Promise<void> {
    const queue = this.queue.bullQueue;
    if (!queue) return;
    try {
      await this.scheduleUsageSample();
      const every = this.config.QUOTA_SWEEP_EVERY_SECONDS * 1000;
      if (every === 0) {
        await queue.removeJobScheduler(SWEEP_SCHEDULER);
        return;
      }
      const existed = (await queue.getJobScheduler(SWEEP_SCHEDULER)) !== undefined;
      await queue.upsertJobScheduler(SWEEP_SCHEDULER, { every }, { name: 'quota.sweep', data: {} });
      if (existed && !this.caughtUp) await this.queue.enqueue([{ name: 'quota.sweep', data: {} }]);
      this.caughtUp = true;
    } catch (err) {
      this.log.warn({ msg: 'could not schedule the quota sweep; retried when redis reconnects', err: String(err) });
    }
  }

  /** The repeatable usage sample (usageSeries), installed, updated or removed like the sweep. */
  private async scheduleUsageSample(): Promise<void> {
    const queue = this.queue.bullQueue;
    if (!queue) return;
    const every = this.config.USAGE_SAMPLE_EVERY_SECONDS * 1000;
    if (every === 0) await queue.removeJobScheduler(USAGE_SAMPLE_SCHEDULER);
    else await queue.upsertJobScheduler(USAGE_SAMPLE_SCHEDULER, { every }, { name: 'usage.sample', data: {} });
  }

  private discover(): FoundHandler[] {
    const found: FoundHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance) as object | null;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const name = Reflect.getMetadata(QUOTA_JOB_HANDLER, fn) as string | undefined;
        if (name) found.push({ name, where: `${instance.constructor.name}.${method}`, run: (payload) => (fn as (p: unknown) => Promise<unknown>).call(instance, payload) });
      }
    }
    return found;
  }
}
