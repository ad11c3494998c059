/** Shared fixtures for the client specs: a real hub, letters to fill it, and what each side holds. */
import { type Envelope, generateKeyPair, type KeyPair, seal } from '@kiki/crypto';
import { EnvelopeRepository } from '@kiki/storage';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import type { TestHub } from '../../../test/support/hub';
import { HubClient, type HubClientOptions } from '../src/node/hub-client';
import type { EnvelopeStore } from '../src/node/store';

export interface Member {
  person: KeyPair;
  client: HubClient;
}

export function member(hub: TestHub, region: RegionContext, opts: HubClientOptions = {}): Member {
  const person = generateKeyPair();
  return { person, client: new HubClient(hub.url, region.keys, person, { retryBaseMs: 10, ...opts }) };
}

/**
 * `count` public letters of region `region` from a few senders, with distinct timestamps spread
 * over the last days (so reconciliation ranges are realistic, not all in one millisecond).
 */
export function letters(region: KeyPair, count: number, opts: { senders?: KeyPair[]; tag?: string; startMs?: number } = {}): Envelope[] {
  const senders = opts.senders ?? [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const start = opts.startMs ?? Date.now() - 3 * 24 * 3600 * 1000;
  const out: Envelope[] = [];
  for (let i = 0; i < count; i++) {
    const sender = senders[i % senders.length];
    out.push(
      seal(
        { purpose: 'share-text', content: `${opts.tag ?? 'letter'} ${i} ${Math.random().toString(36).slice(2)}`, recipients: [region.public] },
        sender,
        region.public,
        { now: new Date(start + i * 997) },
      ),
    );
  }
  return out;
}

/** Every id the hub holds for the region (live and tombstoned), straight from its repository. */
export async function hubIds(hub: TestHub, region: RegionContext): Promise<{ live: Set<string>; removed: Set<string>; rows: number }> {
  const repo = hub.app.get(EnvelopeRepository);
  const { rows } = await repo.pullAfter(region.regionId, 0, 1_000_000);
  const { base58Encode } = await import('@kiki/crypto');
  const live = new Set<string>();
  const removed = new Set<string>();
  for (const r of rows) (r.removedReason ? removed : live).add(base58Encode(r.id));
  return { live, removed, rows: rows.length };
}

/** Live ids held by a store, checked to be unique. */
export async function storeIds(store: EnvelopeStore): Promise<Set<string>> {
  const entries = await store.list();
  const ids = entries.filter((e) => !e.tombstone).map((e) => e.id);
  const set = new Set(ids);
  if (set.size !== ids.length) throw new Error(`the store lists ${ids.length - set.size} duplicate id(s)`);
  return set;
}

export function sorted(s: Iterable<string>): string[] {
  return [...s].sort();
}

/** Pushes envelopes to the hub directly (another device), asserting all were stored. */
export async function seedHub(client: HubClient, envs: Envelope[]): Promise<void> {
  const r = await client.push(envs);
  if (r.stored !== envs.length) throw new Error(`seeding stored ${r.stored} of ${envs.length}: ${JSON.stringify(r.results.find((x) => x.status !== 'stored'))}`);
}
