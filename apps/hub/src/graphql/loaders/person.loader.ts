import DataLoader from 'dataloader';
import type { PersonUsageRow, QuotaPolicyRow, ReadRepository } from '@kiki/storage';

type Key = { regionId: number; person: string };

const keyOf = (k: Key) => `${k.regionId}:${k.person}`;

/** Groups keys by region so each batch is one query per region (usually exactly one). */
function byRegion<V>(load: (regionId: number, people: string[]) => Promise<Map<string, V>>, missing: V) {
  return async (keys: readonly Key[]): Promise<V[]> => {
    const groups = new Map<number, string[]>();
    for (const k of keys) groups.set(k.regionId, [...(groups.get(k.regionId) ?? []), k.person]);
    const found = new Map<string, V>();
    for (const [regionId, people] of groups) {
      for (const [person, v] of await load(regionId, [...new Set(people)])) found.set(keyOf({ regionId, person }), v);
    }
    return keys.map((k) => found.get(keyOf(k)) ?? missing);
  };
}

/**
 * Person lookups of one request, batched per tick (DataLoader): a page of 100 envelopes from 100
 * senders costs one usage query and one name query, not 200. Subscriptions get an uncached one,
 * since their context lives as long as the socket.
 */
export class PersonLoader {
  private readonly usageLoader: DataLoader<Key, PersonUsageRow | null, string>;
  private readonly nameLoader: DataLoader<Key, string | null, string>;
  private readonly policyLoader: DataLoader<Key, QuotaPolicyRow | null, string>;
  private readonly ingestLoader: DataLoader<Key, number, string>;

  constructor(reads: ReadRepository, opts: { cache: boolean } = { cache: true }) {
    this.usageLoader = new DataLoader(
      byRegion(async (regionId, people) => new Map((await reads.personUsage(regionId, people)).map((r) => [r.person, r])), null),
      { cacheKeyFn: keyOf, cache: opts.cache, maxBatchSize: 1000 },
    );
    this.nameLoader = new DataLoader(byRegion((regionId, people) => reads.personNames(regionId, people), null), {
      cacheKeyFn: keyOf,
      cache: opts.cache,
      maxBatchSize: 1000,
    });
    this.policyLoader = new DataLoader(byRegion((regionId, people) => reads.personPolicies(regionId, people), null), {
      cacheKeyFn: keyOf,
      cache: opts.cache,
      maxBatchSize: 1000,
    });
    this.ingestLoader = new DataLoader(byRegion((regionId, people) => reads.personIngestSince(regionId, people, new Date(Date.now() - 3600_000)), 0), {
      cacheKeyFn: keyOf,
      cache: opts.cache,
      maxBatchSize: 1000,
    });
  }

  usage(regionId: number, person: string): Promise<PersonUsageRow | null> {
    return this.usageLoader.load({ regionId, person });
  }

  /** Counted bytes of theirs that arrived in the last hour and are still held. */
  ingestLastHour(regionId: number, person: string): Promise<number> {
    return this.ingestLoader.load({ regionId, person });
  }

  name(regionId: number, person: string): Promise<string | null> {
    return this.nameLoader.load({ regionId, person });
  }

  /** The region tiers and the person's own tier/override row (null: the region is gone). */
  policy(regionId: number, person: string): Promise<QuotaPolicyRow | null> {
    return this.policyLoader.load({ regionId, person });
  }

  /** Rows a page already read (persons listing): later field lookups cost nothing. */
  primeUsage(regionId: number, row: PersonUsageRow): void {
    this.usageLoader.prime({ regionId, person: row.person }, row);
  }
}
