import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { HubConfig } from '../config/hub-config';

/** The hub's own Redis connection (replay cache, pub/sub). Fails fast instead of queueing when Redis is down. */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly log = new Logger(RedisService.name);
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(HubConfig) config: HubConfig) {
    this.prefix = config.REDIS_PREFIX;
    this.client = new Redis(config.REDIS_URL, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // a Redis that accepts connections but never answers must not stall requests
      commandTimeout: 1000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      // the replay check of every request's token: commands of one event-loop turn go out in one write
      enableAutoPipelining: true,
    });
    this.client.on('error', (err) => this.log.warn({ msg: 'redis error', err: err.message }));
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

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
