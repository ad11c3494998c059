import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HubConfig } from '../../config/hub-config';
import { evictionChannel } from '../../quota/eviction.service';
import { QuotaService } from '../../quota/quota.service';
import type { RegionContext } from '../../regions/region.service';
import type { Eviction } from '../models/quota.model';
import { EnvelopeEvents } from './envelope-events.service';
import { EventStream } from './event-stream';
import { toEviction } from './quota-query.service';

const PAGE = 100;
// Eviction ids are taken at insert, so one can commit after a larger one was seen: each poll
// looks this far below the largest id it saw before.
const LATE_WINDOW = 100n;
const MAX_QUEUED = 10_000;

/**
 * evictionHappened: evictions are made by quota workers, which may run in any process (hub or
 * `npm run worker`). Each hub process that has subscribers for a region reads that region's
 * eviction log (one indexed query) when a worker says on Redis that it committed evictions
 * there (evictionChannel), and every GRAPHQL_EVICTION_POLL_SECONDS anyway, so a message lost
 * while Redis is away only delays events; then it fans the new rows out to its subscribers.
 */
@Injectable()
export class EvictionEvents implements OnApplicationShutdown {
  private readonly log = new Logger(EvictionEvents.name);
  private readonly watches = new Map<number, RegionWatch>();

  constructor(
    private readonly quota: QuotaService,
    private readonly events: EnvelopeEvents,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  async evictionHappened(region: RegionContext): Promise<AsyncIterableIterator<Eviction>> {
    let watch = this.watches.get(region.regionId);
    if (!watch || watch.stopped) {
      const created = new RegionWatch(region.regionId, this.quota, this.log, this.config.GRAPHQL_EVICTION_POLL_SECONDS * 1000, () => {
        if (this.watches.get(region.regionId) === created) this.watches.delete(region.regionId);
      });
      created.listen(this.events, evictionChannel(this.config.REDIS_PREFIX, region.regionId));
      this.watches.set(region.regionId, (watch = created));
    }
    try {
      await watch.ready;
    } catch (err) {
      watch.stop();
      throw err;
    }
    if (watch.stopped) return this.evictionHappened(region);
    const stream: EventStream<Eviction> = new EventStream<Eviction>(() => watch.remove(stream), MAX_QUEUED);
    watch.add(stream);
    return stream;
  }

  /** Regions this process is watching right now (for tests and operators). */
  watchedRegions(): number[] {
    return [...this.watches.keys()];
  }

  onApplicationShutdown(): void {
    for (const w of this.watches.values()) w.stop();
  }
}

class RegionWatch {
  private readonly streams = new Set<EventStream<Eviction>>();
  private readonly seen = new Set<string>();
  private floor = 0n;
  private highest = 0n;
  private timer?: NodeJS.Timeout;
  private subscription?: Promise<number | undefined>;
  private unsubscribe?: (id: number) => void;
  /** the poll running now, and whether another was asked for meanwhile */
  private polling: Promise<void> | null = null;
  private again = false;
  stopped = false;
  readonly ready: Promise<void>;

  constructor(
    private readonly regionId: number,
    private readonly quota: QuotaService,
    private readonly log: Logger,
    pollMs: number,
    private readonly onIdle: () => void,
  ) {
    // Only evictions after the first subscriber arrived are events.
    this.ready = this.quota.listEvictions({ regionId }, { limit: 1 }).then((p) => {
      this.floor = this.highest = BigInt(p.items[0]?.evictionId ?? 0);
      if (!this.stopped) this.timer = setInterval(() => this.pollSoon(), pollMs).unref();
    });
  }

  /** Polls when a quota worker says it evicted in this region (any process, through Redis). */
  listen(events: EnvelopeEvents, channel: string): void {
    this.unsubscribe = (id) => events.pubsub.unsubscribe(id);
    this.subscription = events.pubsub.subscribe(channel, () => this.pollSoon(), {}).catch((err: unknown) => {
      this.log.warn({ msg: 'eviction notices unavailable; polling only', regionId: this.regionId, err: String(err) });
      return undefined;
    });
  }

  /** One poll at a time; a request during a poll runs one more after it (nothing is missed). */
  private pollSoon(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = this.ready
      .then(() => this.poll())
      .finally(() => {
        this.polling = null;
        if (this.again) {
          this.again = false;
          this.pollSoon();
        }
      });
  }

  add(stream: EventStream<Eviction>): void {
    this.streams.add(stream);
  }

  remove(stream: EventStream<Eviction>): void {
    this.streams.delete(stream);
    if (this.streams.size === 0) this.stop();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    void this.subscription?.then((id) => id !== undefined && this.unsubscribe?.(id));
    this.onIdle();
  }

  private async poll(): Promise<void> {
    try {
      const stopAt = this.highest - LATE_WINDOW > this.floor ? this.highest - LATE_WINDOW : this.floor;
      const fresh: Eviction[] = [];
      let before: string | null = null;
      for (;;) {
        const page = await this.quota.listEvictions({ regionId: this.regionId }, { before, limit: PAGE });
        for (const e of page.items) {
          const id = BigInt(e.evictionId);
          if (id <= stopAt) break;
          if (!this.seen.has(e.evictionId)) fresh.push(toEviction(this.regionId, e));
        }
        const last = page.items[page.items.length - 1];
        if (!page.next || !last || BigInt(last.evictionId) <= stopAt) break;
        before = page.next;
      }
      fresh.reverse(); // oldest first
      for (const e of fresh) {
        this.seen.add(e.evictionId);
        if (BigInt(e.evictionId) > this.highest) this.highest = BigInt(e.evictionId);
      }
      for (const id of this.seen) if (BigInt(id) <= stopAt) this.seen.delete(id);
      if (fresh.length) for (const s of this.streams) s.push(fresh);
    } catch (err) {
      this.log.warn({ msg: 'eviction poll failed', regionId: this.regionId, err: String(err) });
    }
  }
}
