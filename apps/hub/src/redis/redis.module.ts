import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HubConfig } from '../config/hub-config';
import { type RedisClient, RedisConnections } from './redis-connections';

/** The hub's own Redis connection (replay cache, pub/sub). Fails fast instead of queueing when Redis is down. */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly log = new Logger(RedisService.name);
  readonly client: RedisClient;
  readonly prefix: string;
  /** false when the process runs without Redis (REDIS_URL=none, development) */
  readonly enabled: boolean;

  constructor(@Inject(HubConfig) config: HubConfig, connections: RedisConnections) {
    this.prefix = config.REDIS_PREFIX;
    this.enabled = connections.enabled;
    // Without Redis: a client that never connects, so every command fails at once (as during an
    // outage) and callers take their Postgres path; `enabled` lets them skip the attempt.
    this.client = connections.cacheClient();
    this.client.on('error', (err: Error) => this.log.warn({ msg: 'redis error', err: err.message }));
  }

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}

/** Redis (or, without it, the in-process stand-ins): imported by each module that uses it. */
@Module({ providers: [RedisConnections, RedisService], exports: [RedisConnections, RedisService] })
export class RedisModule {}
