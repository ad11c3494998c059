import { Inject, Injectable } from '@nestjs/common';
import { createPostgresBackend, type IQueueBackend, Queue, type QueueOptions, withBackend, Worker, type WorkerOptions, type Processor } from 'bullmq';
import { PubSub } from 'graphql-subscriptions';
import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { HubConfig } from '../config/hub-config';

/** What a connection is for; each role has the options its callers relied on. */
export type RedisRole =
  /** replay cache: fails fast, never queues a command while Redis is away */
  | 'cache'
  /** the quota queue producer (BullMQ): no offline queue, BullMQ retries itself */
  | 'queue'
  /** pub/sub publisher: fails fast, bounded per command (it runs after an ingest commit) */
  | 'publisher'
  /** pub/sub subscriber: may wait for Redis */
  | 'subscriber';

const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  cache: {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // a Redis that accepts connections but never answers must not stall requests
    commandTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    // the replay check of every request's token: commands of one event-loop turn go out in one write
    enableAutoPipelining: true,
  },
  queue: {
    enableOfflineQueue: false,
    maxRetriesPerRequest: null,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  },
  publisher: { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 1000 },
  subscriber: { connectTimeout: 2000 },
};

/** A connection to one Redis or to a Redis Cluster (the same commands). */
export type RedisClient = Redis | Cluster;

/** One role's options, split as ioredis' Cluster wants them (cluster-wide / per node). */
function clusterOptions(o: RedisOptions): ClusterOptions {
  const { retryStrategy, enableOfflineQueue, enableAutoPipelining, lazyConnect, ...node } = o;
  return {
    enableOfflineQueue,
    enableAutoPipelining,
    lazyConnect,
    clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) : undefined,
    redisOptions: node,
  };
}

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

  /** The seed nodes of REDIS_URL (comma-separated) for a cluster. */
  private nodes(): Array<{ host: string; port: number; password?: string; username?: string }> {
    return this.config.REDIS_URL.split(',').map((u) => {
      const url = new URL(u.trim());
      return { host: url.hostname, port: Number(url.port || 6379), password: url.password || undefined, username: url.username || undefined };
    });
  }

  /** A new ioredis client (or cluster client) for `role`; only when `enabled`. */
  create(role: RedisRole): RedisClient {
    if (!this.enabled) throw new Error(`no Redis in this process (REDIS_URL=none): a ${role} connection cannot be made`);
    if (this.cluster) return new Cluster(this.nodes(), clusterOptions(ROLE_OPTIONS[role]));
    return new Redis(this.config.REDIS_URL, ROLE_OPTIONS[role]);
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
    if (this.cluster) {
      const workerOptions: RedisOptions = { maxRetriesPerRequest: null, connectTimeout: 2000, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
      return new Worker(name, processor, { ...opts, prefix: this.config.REDIS_PREFIX, connection: new Cluster(this.nodes(), clusterOptions(workerOptions)) }) as AnyWorker;
    }
    return new Worker(name, processor, {
      ...opts,
      prefix: this.config.REDIS_PREFIX,
      connection: {
        url: this.config.REDIS_URL,
        maxRetriesPerRequest: null,
        connectTimeout: 2000,
        // back within 2 s of Redis returning (BullMQ's default waits up to 20 s)
        retryStrategy: (times: number) => Math.min(times * 200, 2000),
      },
    }) as AnyWorker;
  }
}

export type { IQueueBackend };
