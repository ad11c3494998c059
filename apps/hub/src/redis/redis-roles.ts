import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';

/**
 * Every ioredis client of the hub is made by redisClient() below, with the options of its role
 * from this one table. RedisConnections (the Nest provider) calls it with the configured
 * REDIS_URL; the start-up probe (service-check.ts) calls it directly, because it runs before the
 * configuration is final (it decides whether development starts its own Redis).
 */
export type RedisRole =
  /** replay cache: fails fast, never queues a command while Redis is away */
  | 'cache'
  /** the quota queue producer (BullMQ): no offline queue, BullMQ retries itself */
  | 'queue'
  /** a BullMQ worker (it blocks on its connection and must retry every command) */
  | 'worker'
  /** pub/sub publisher: fails fast, bounded per command (it runs after an ingest commit) */
  | 'publisher'
  /** pub/sub subscriber: may wait for Redis */
  | 'subscriber'
  /** no Redis in this process (REDIS_URL=none): never connects, every command fails at once, as during an outage */
  | 'offline'
  /** the start-up check: one attempt, no retry, no queue */
  | 'probe';

// back within 2 s of Redis returning (ioredis' and BullMQ's defaults wait up to 20 s)
const retryWithin2s = (times: number) => Math.min(times * 200, 2000);

export const REDIS_ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  cache: {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // a Redis that accepts connections but never answers must not stall requests
    commandTimeout: 1000,
    retryStrategy: retryWithin2s,
    // the replay check of every request's token: commands of one event-loop turn go out in one write
    enableAutoPipelining: true,
  },
  queue: { enableOfflineQueue: false, maxRetriesPerRequest: null, connectTimeout: 2000, retryStrategy: retryWithin2s },
  worker: { maxRetriesPerRequest: null, connectTimeout: 2000, retryStrategy: retryWithin2s },
  publisher: { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 1000 },
  subscriber: { connectTimeout: 2000 },
  offline: { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 },
  probe: { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null },
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

/** The seed nodes of a cluster's REDIS_URL (comma-separated URLs). */
function clusterNodes(url: string): Array<{ host: string; port: number; password?: string; username?: string }> {
  return url.split(',').map((u) => {
    const parsed = new URL(u.trim());
    return { host: parsed.hostname, port: Number(parsed.port || 6379), password: parsed.password || undefined, username: parsed.username || undefined };
  });
}

export interface RedisClientOptions {
  /** REDIS_URL names a cluster's seed nodes */
  cluster?: boolean;
  /** replaces the role's connect timeout (the probe's is the caller's) */
  connectTimeout?: number;
}

/** A new client for `role` on `url` (null: the offline client, which has no server). */
export function redisClient(url: string | null, role: RedisRole, opts: RedisClientOptions = {}): RedisClient {
  const options = { ...REDIS_ROLE_OPTIONS[role], ...(opts.connectTimeout !== undefined && { connectTimeout: opts.connectTimeout }) };
  if (url === null) return new Redis(options);
  if (opts.cluster) return new Cluster(clusterNodes(url), clusterOptions(options));
  return new Redis(url, options);
}
