/**
 * The local envelope store: what this device carries for one region. Envelopes are kept exactly
 * as received and re-validated with parseEnvelope whenever they are loaded; ids the hub holds
 * only as tombstones are remembered so they are neither pushed back nor fetched again.
 */
import { type Envelope, EnvelopeParseError, type EnvelopeLimits, parseEnvelope, parseTimestamp } from '@kiki/crypto';
import {
  type EnvelopeStore,
  keepsBody,
  type PutResult,
  type StoreCounts,
  type StoreEntry,
  type SyncState,
  splitSyncStateKey,
  syncStateKey,
  type Tombstone,
} from '../core/store';

export { type EnvelopeStore, keepsBody, type PutResult, type StoreCounts, type StoreEntry, type SyncState, splitSyncStateKey, syncStateKey, type Tombstone };

/** Parses an envelope a store is given or reads back: the envelope and its time, or the parse problem. */
export function parseStored(raw: unknown, limits?: Partial<EnvelopeLimits>): { env: Envelope; tsMs: number } | { error: EnvelopeParseError } {
  try {
    const env = parseEnvelope(raw, limits);
    return { env, tsMs: parseTimestamp(env.timestamp).ms };
  } catch (err) {
    if (err instanceof EnvelopeParseError) return { error: err };
    throw err;
  }
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
    return parseStored(raw, this.limits);
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
      // The parsed envelope, deep-copied: only the six sealed fields (the wire's legacy letter/opened
      // are never kept), and later changes to the caller's object cannot alter what was stored.
      const copy = JSON.parse(JSON.stringify(env)) as unknown;
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

  async *scan(): AsyncIterable<Envelope> {
    for (const id of [...this.index.held.keys()]) {
      const env = this.index.get(id);
      if (env) yield env;
    }
  }

  async *entries(): AsyncIterable<StoreEntry> {
    yield* this.index.list();
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
