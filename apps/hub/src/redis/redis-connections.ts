import { Inject, Injectable } from '@nestjs/common';
import { createPostgresBackend, type IQueueBackend, Queue, type QueueOptions, withBackend, Worker, type WorkerOptions, type Processor } from 'bullmq';
import { PubSub } from 'graphql-subscriptions';
import { Cluster } from 'ioredis';
import { HubConfig } from '../config/hub-config';
import { REDIS_ROLE_OPTIONS, redisClient, type RedisClient, type RedisRole } from './redis-roles';

export type { RedisClient, RedisRole } from './redis-roles';

export type AnyQueue = Queue<any, any, string, any, any, string, any, any>;
export type AnyWorker = Worker<any, any, string, any, any, any>;

/**
 * The one place that knows whether this process has Redis (REDIS_URL) or runs without it
 * (REDIS_URL=none, development): every Redis connection, BullMQ queue and worker of the hub is
 * made here. Without Redis, BullMQ runs on its PostgreSQL backend (in the hub's own database,
 * schema `queue_<REDIS_PREFIX>`), and pub/sub is an in-process PubSub (one process only).
 */
@Injectable()
export class RedisConnections {
  readonly enabled: boolean;
  /** in-process fan-out, used instead of Redis pub/sub when there is no Redis */
  readonly local = new PubSub();

  constructor(@Inject(HubConfig) private readonly config: HubConfig) {
    this.enabled = config.REDIS_URL !== 'none';
  }

  get cluster(): boolean {
    return this.config.REDIS_CLUSTER;
  }

  /** A new ioredis client (or cluster client) for `role`; only when `enabled`. */
  create(role: RedisRole): RedisClient {
    if (!this.enabled) throw new Error(`no Redis in this process (REDIS_URL=none): a ${role} connection cannot be made`);
    return redisClient(this.config.REDIS_URL, role, { cluster: this.cluster });
  }

  /** The hub's cache client: the real one, or without Redis the offline one (callers then take their Postgres path). */
  cacheClient(): RedisClient {
    return this.enabled ? this.create('cache') : redisClient(null, 'offline');
  }

  /** How many clients, on any node, listen to `channel` (a cluster node counts only its own). */
  async listeners(client: RedisClient, channel: string): Promise<number> {
    const nodes = client instanceof Cluster ? client.nodes('all') : [client];
    const counts = await Promise.all(nodes.map(async (n) => Number(((await n.pubsub('NUMSUB', channel)) as [string, number])[1])));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** The Postgres schema holding BullMQ's tables when there is no Redis (one per REDIS_PREFIX). */
  get queueSchema(): string {
    return `queue_${this.config.REDIS_PREFIX.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
  }

  private postgresConnection() {
    // a small pool of its own: the queue must not take the hub's connections
    return { connectionString: this.config.DATABASE_URL, schema: this.queueSchema, migrate: true, max: 3, application_name: 'kiki-queue' };
  }

  /** A BullMQ queue: on `connection` (Redis), or on Postgres when there is no Redis. */
  queue(name: string, opts: Omit<QueueOptions, 'connection'>, connection?: RedisClient): AnyQueue {
    if (!this.enabled) {
      const { Queue: PgQueue } = withBackend(createPostgresBackend);
      return new PgQueue(name, { ...opts, prefix: undefined, connection: this.postgresConnection() }) as AnyQueue;
    }
    return new Queue(name, { ...opts, prefix: this.config.REDIS_PREFIX, connection: connection! }) as AnyQueue;
  }

  /** A BullMQ worker with its own connection (BullMQ blocks on it). */
  worker(name: string, processor: Processor, opts: Omit<WorkerOptions, 'connection'>): AnyWorker {
    if (!this.enabled) {
      const { Worker: PgWorker } = withBackend(createPostgresBackend);
      return new PgWorker(name, processor, { ...opts, prefix: undefined, connection: this.postgresConnection() }) as AnyWorker;
    }
    // a cluster client made here; a single Redis as options, so BullMQ owns (and closes) the connection it builds
    const connection = this.cluster ? this.create('worker') : { url: this.config.REDIS_URL, ...REDIS_ROLE_OPTIONS.worker };
    return new Worker(name, processor, { ...opts, prefix: this.config.REDIS_PREFIX, connection }) as AnyWorker;
  }
}

export type { IQueueBackend };
