import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { base58Decode } from '@kiki/crypto';
import { ReadRepository } from '@kiki/storage';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { PubSubEngine } from 'graphql-subscriptions';
import { HubConfig } from '../../config/hub-config';
import type { StoredNotice } from '../../ingest/stored-notice';
import { RedisConnections, type RedisClient } from '../../redis/redis-connections';
import { RedisService } from '../../redis/redis.module';
import type { RegionContext } from '../../regions/region.service';
import type { Envelope } from '../models/envelope.model';
import { EventStream } from './event-stream';
import { toEnvelope } from './mappers';

type WireEvent = Omit<Envelope, 'sender' | 'receivedAt'> & { sender: string; receivedAt: string };

// One Redis message carries at most this much sealed text (a batch is split over several).
const MESSAGE_BUDGET = 512 * 1024;
// Events a subscriber may have waiting before it is ended as too slow.
const MAX_QUEUED = 10_000;

/**
 * Subscriptions across hub processes: the process that commits a batch publishes it on a Redis
 * channel per region, every process relays it to its own WebSocket subscribers. Without Redis
 * (REDIS_URL=none, development) the channel is in-process: one hub process only.
 */
@Injectable()
export class EnvelopeEvents implements OnApplicationShutdown {
  private readonly log = new Logger(EnvelopeEvents.name);
  private readonly publisher: RedisClient | null = null;
  private readonly subscriber: RedisClient | null = null;
  private lastWarning = 0;
  readonly pubsub: PubSubEngine;
  /** subscriptions per channel in this process, when pub/sub is in-process (no Redis NUMSUB) */
  private readonly localListeners = new Map<string, number>();

  constructor(
    @Inject(HubConfig) config: HubConfig,
    private readonly redis: RedisService,
    private readonly reads: ReadRepository,
    private readonly connections: RedisConnections,
  ) {
    if (!connections.enabled) {
      this.pubsub = connections.local;
      return;
    }
    // Publishing must fail fast when Redis is down (it runs after an ingest commit); subscribing may wait.
    // commandTimeout: a Redis that never answers must not pile up after-commit work
    const publisher = connections.create('publisher');
    const subscriber = connections.create('subscriber');
    for (const c of [publisher, subscriber]) c.on('error', (err: Error) => this.log.warn({ msg: 'redis pub/sub error', err: err.message }));
    this.publisher = publisher;
    this.subscriber = subscriber;
    this.pubsub = new RedisPubSub({ publisher, subscriber });
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }

  channel(kind: 'envelope-added' | 'eviction', region: Pick<RegionContext, 'publicKey'>): string {
    return this.redis.key('gql', kind, region.publicKey);
  }

  /** After-commit follower of the ingest path (ingest/after-commit.ts, every route; a region's notices in commit order). Never fails: events are best effort. */
  async publishStored(notice: StoredNotice): Promise<void> {
    try {
      await this.publish(notice);
    } catch (err) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.log.warn({ msg: 'envelopeAdded events not published (subscribers catch up with their cursor)', err: String(err) });
      }
    }
  }

  /** Loads the rows only when someone, in any process, listens to the region. */
  private async publish(notice: StoredNotice): Promise<void> {
    const channel = this.channel('envelope-added', notice.region);
    if (this.publisher) {
      if (!(await this.connections.listeners(this.publisher, channel))) return;
    } else if (!this.localListeners.get(channel)) return;
    const rows = await this.reads.envelopesByIds(notice.region.regionId, notice.envelopes.map((e) => Buffer.from(base58Decode(e.id))));
    let chunk: WireEvent[] = [];
    let bytes = 0;
    for (const row of rows) {
      const e = toEnvelope(notice.region.regionId, row);
      if (chunk.length && bytes + e.sealedLetter.length > MESSAGE_BUDGET) {
        await this.pubsub.publish(channel, chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push({ ...e, sender: e.sender.publicKey, receivedAt: e.receivedAt.toISOString() });
      bytes += e.sealedLetter.length;
    }
    if (chunk.length) await this.pubsub.publish(channel, chunk);
  }

  /** Envelopes stored in the region from now on, by any hub process, one event per envelope. */
  async envelopeAdded(region: RegionContext): Promise<AsyncIterableIterator<Envelope>> {
    return this.stream<WireEvent[], Envelope>(this.channel('envelope-added', region), (batch) =>
      batch.map((e) => ({ ...e, sender: { publicKey: e.sender, regionId: region.regionId }, receivedAt: new Date(e.receivedAt) })),
    );
  }

  /** Subscribes to Redis before returning, so nothing published after the subscribe call is missed. */
  async stream<M, T>(channel: string, unpack: (message: M) => T[]): Promise<AsyncIterableIterator<T>> {
    let subId: number | undefined;
    const stream = new EventStream<T>(() => {
      if (subId === undefined) return;
      this.pubsub.unsubscribe(subId);
      this.countLocal(channel, -1);
    }, MAX_QUEUED);
    subId = await this.pubsub.subscribe(channel, (message: M) => stream.push(unpack(message)), {});
    this.countLocal(channel, +1);
    return stream;
  }

  private countLocal(channel: string, by: number): void {
    if (this.publisher) return;
    const n = (this.localListeners.get(channel) ?? 0) + by;
    if (n > 0) this.localListeners.set(channel, n);
    else this.localListeners.delete(channel);
  }
}
