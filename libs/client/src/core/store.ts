/**
 * The local envelope store interface: what this device carries for one region. Envelopes are kept
 * exactly as received (legacy fields dropped) and re-validated whenever they are loaded; ids the
 * hub holds only as tombstones are remembered so they are neither pushed back nor fetched again.
 * Implementations: node/store.ts (memory), node/file-store.ts (JSON lines), node/level-store.ts
 * (LevelDB, bounded memory); a browser can add IndexedDB behind the same interface.
 */
import type { Envelope } from '@kiki/crypto';

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
  /** Every envelope body held, parsed (loads them all: prefer scan() for large stores). */
  envelopes(): Promise<Envelope[]>;
  /** Every envelope body held, one at a time (bounded memory in stores that support it). */
  scan(): AsyncIterable<Envelope>;
  /** Every id known with its timestamp, one at a time (what reconciliation needs). */
  entries(): AsyncIterable<StoreEntry>;
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
 * Which tombstones keep the local copy: an erase (the author's will), an admin removal or a block
 * (the person asked to stop storing that sender) deletes it here as well; a quota eviction is about
 * the hub's disk, and an unexplained one is no reason to destroy data, so the person can still read those.
 */
export function keepsBody(reason: string): boolean {
  return reason !== 'erase' && reason !== 'admin' && reason !== 'blocked';
}

export function syncStateKey(hub: string, region: string): string {
  return `${hub}|${region}`;
}

/** Inverse of syncStateKey (a region key is base58, so the last '|' separates them). */
export function splitSyncStateKey(key: string): { hub: string; region: string } {
  const at = key.lastIndexOf('|');
  return { hub: key.slice(0, at), region: key.slice(at + 1) };
}
