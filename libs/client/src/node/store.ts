/**
 * The local envelope store: what this device carries for one region. Envelopes are kept exactly
 * as received and re-validated with parseEnvelope whenever they are loaded; ids the hub holds
 * only as tombstones are remembered so they are neither pushed back nor fetched again.
 */
import { type Envelope, EnvelopeParseError, type EnvelopeLimits, parseEnvelope, parseTimestamp } from '@kiki/crypto';

/** One id the store knows: a held envelope, or a tombstone learned from a hub. */
export interface StoreEntry {
  id: string;
  /** Envelope timestamp in ms (the reconciliation key); null for a tombstone whose envelope was never seen. */
  tsMs: number | null;
  /** Why the hub removed it ('quota' | 'erase' | 'admin' | …), when it is a tombstone. */
  tombstone?: string;
}

export interface Tombstone {
  id: string;
  reason: string;
  /** Envelope timestamp in ms when known (from a local copy or from the hub). */
  tsMs?: number | null;
}

export interface PutResult {
  /** ids newly stored */
  added: string[];
  /** items already held or tombstoned (not stored again) */
  known: number;
  /** items that failed parseEnvelope, never stored */
  invalid: Array<{ index: number; id?: string; field?: string; reason: string }>;
}

/** What syncRegion remembers per (hub, region). */
export interface SyncState {
  /** The hub's pull cursor after the last page saved locally. */
  cursor?: string;
  /** ids this hub rejected for good (code per id): not pushed to it again. */
  rejected?: Record<string, string>;
  /** ISO time of the last completed sync. */
  lastSyncAt?: string;
}

export interface StoreCounts {
  envelopes: number;
  tombstones: number;
}

export interface EnvelopeStore {
  /** Stores each new, valid envelope exactly as given; never resurrects a tombstoned id. */
  put(envelopes: readonly unknown[]): Promise<PutResult>;
  /** The envelope, parsed; undefined when not held (or only a tombstone remains). */
  get(id: string): Promise<Envelope | undefined>;
  /** True when the id is held or known as a tombstone. */
  has(id: string): Promise<boolean>;
  /** Every id known, held or tombstoned, with its timestamp. */
  list(): Promise<StoreEntry[]>;
  /** Every envelope body held, parsed. */
  envelopes(): Promise<Envelope[]>;
  count(): Promise<StoreCounts>;
  /** Records ids the hub removed; returns how many were new tombstones. */
  markTombstones(tombstones: readonly Tombstone[]): Promise<number>;
  loadSyncState(hub: string, region: string): Promise<SyncState | null>;
  saveSyncState(hub: string, region: string, state: SyncState): Promise<void>;
  /** Every saved sync state (one per hub this store was synced with). */
  listSyncStates(): Promise<Array<{ hub: string; region: string; state: SyncState }>>;
  close(): Promise<void>;
}

/**
 * Which tombstones keep the local copy: an erase (the author's will) or an admin removal deletes it
 * here as well; a quota eviction is about the hub's disk, and an unexplained one is no reason to
 * destroy data, so the person can still read those.
 */
export function keepsBody(reason: string): boolean {
  return reason !== 'erase' && reason !== 'admin';
}

export function syncStateKey(hub: string, region: string): string {
  return `${hub}|${region}`;
}

/** Inverse of syncStateKey (a region key is base58, so the last '|' separates them). */
export function splitSyncStateKey(key: string): { hub: string; region: string } {
  const at = key.lastIndexOf('|');
  return { hub: key.slice(0, at), region: key.slice(at + 1) };
}

interface Held {
  raw: unknown;
  env: Envelope;
  tsMs: number;
}

interface Tomb {
  reason: string;
  tsMs: number | null;
}

/**
 * The bookkeeping shared by both stores: parse-on-put, dedupe by id, tombstones. Persistence
 * (if any) is the caller's job, done through the `onAdded`/`onTombstoned` results.
 */
export class StoreIndex {
  readonly held = new Map<string, Held>();
  readonly tombs = new Map<string, Tomb>();

  constructor(readonly limits?: Partial<EnvelopeLimits>) {}

  /** Parses `raw`; returns the envelope or the parse problem. */
  parse(raw: unknown): { env: Envelope; tsMs: number } | { error: EnvelopeParseError } {
    try {
      const env = parseEnvelope(raw, this.limits);
      return { env, tsMs: parseTimestamp(env.timestamp).ms };
    } catch (err) {
      if (err instanceof EnvelopeParseError) return { error: err };
      throw err;
    }
  }

  /** Adds what is new; returns the raw items to persist alongside the result. */
  put(items: readonly unknown[]): { result: PutResult; toPersist: unknown[] } {
    const result: PutResult = { added: [], known: 0, invalid: [] };
    const toPersist: unknown[] = [];
    items.forEach((raw, index) => {
      const parsed = this.parse(raw);
      if ('error' in parsed) {
        const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id.slice(0, 64) : undefined;
        result.invalid.push({ index, id, field: parsed.error.field, reason: parsed.error.message });
        return;
      }
      const { env, tsMs } = parsed;
      if (this.held.has(env.id) || this.tombs.has(env.id)) {
        result.known++;
        return;
      }
      // A deep copy, so later changes to the caller's object cannot alter what was stored.
      const copy = JSON.parse(JSON.stringify(raw)) as unknown;
      this.held.set(env.id, { raw: copy, env, tsMs });
      result.added.push(env.id);
      toPersist.push(copy);
    });
    return { result, toPersist };
  }

  /** Loads one persisted envelope (no dedupe report); false when it no longer parses. */
  load(raw: unknown): boolean {
    const parsed = this.parse(raw);
    if ('error' in parsed) return false;
    if (!this.held.has(parsed.env.id) && !this.tombs.has(parsed.env.id)) {
      this.held.set(parsed.env.id, { raw, env: parsed.env, tsMs: parsed.tsMs });
    }
    return true;
  }

  /** Applies tombstones; returns the ones that changed something (to persist). */
  markTombstones(items: readonly Tombstone[]): Tombstone[] {
    const changed: Tombstone[] = [];
    for (const t of items) {
      if (typeof t?.id !== 'string' || t.id.length === 0 || typeof t.reason !== 'string') continue;
      const prior = this.tombs.get(t.id);
      const local = this.held.get(t.id);
      const tsMs = local?.tsMs ?? (Number.isSafeInteger(t.tsMs) ? (t.tsMs as number) : null) ?? prior?.tsMs ?? null;
      // A later tombstone may only add a timestamp that was unknown; the first reason stands.
      if (prior && (prior.tsMs !== null || tsMs === null)) continue;
      const reason = prior?.reason ?? t.reason;
      this.tombs.set(t.id, { reason, tsMs });
      if (local && !keepsBody(reason)) this.held.delete(t.id);
      changed.push({ id: t.id, reason, tsMs });
    }
    return changed;
  }

  get(id: string): Envelope | undefined {
    const h = this.held.get(id);
    return h ? { ...h.env, sender: { ...h.env.sender }, sealed_recipients: [...h.env.sealed_recipients] } : undefined;
  }

  list(): StoreEntry[] {
    const out: StoreEntry[] = [];
    for (const [id, h] of this.held) if (!this.tombs.has(id)) out.push({ id, tsMs: h.tsMs });
    for (const [id, t] of this.tombs) out.push({ id, tsMs: t.tsMs, tombstone: t.reason });
    return out;
  }

  counts(): StoreCounts {
    let live = 0;
    for (const id of this.held.keys()) if (!this.tombs.has(id)) live++;
    return { envelopes: live, tombstones: this.tombs.size };
  }
}

/** The read side every store shares: answered from its in-memory index. */
export abstract class IndexedEnvelopeStore {
  protected abstract readonly index: StoreIndex;

  async get(id: string): Promise<Envelope | undefined> {
    return this.index.get(id);
  }

  async has(id: string): Promise<boolean> {
    return this.index.held.has(id) || this.index.tombs.has(id);
  }

  async list(): Promise<StoreEntry[]> {
    return this.index.list();
  }

  async envelopes(): Promise<Envelope[]> {
    return [...this.index.held.keys()].map((id) => this.index.get(id)!);
  }

  async count(): Promise<StoreCounts> {
    return this.index.counts();
  }
}

/** A store in memory only (tests, short-lived tools). */
export class MemoryEnvelopeStore extends IndexedEnvelopeStore implements EnvelopeStore {
  protected readonly index: StoreIndex;
  private readonly states = new Map<string, SyncState>();

  constructor(opts: { limits?: Partial<EnvelopeLimits> } = {}) {
    super();
    this.index = new StoreIndex(opts.limits);
  }

  async put(envelopes: readonly unknown[]): Promise<PutResult> {
    return this.index.put(envelopes).result;
  }


  async markTombstones(tombstones: readonly Tombstone[]): Promise<number> {
    return this.index.markTombstones(tombstones).length;
  }

  async loadSyncState(hub: string, region: string): Promise<SyncState | null> {
    const s = this.states.get(syncStateKey(hub, region));
    return s ? structuredClone(s) : null;
  }

  async saveSyncState(hub: string, region: string, state: SyncState): Promise<void> {
    this.states.set(syncStateKey(hub, region), structuredClone(state));
  }

  async listSyncStates(): Promise<Array<{ hub: string; region: string; state: SyncState }>> {
    return [...this.states].map(([key, state]) => ({ ...splitSyncStateKey(key), state: structuredClone(state) }));
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}
