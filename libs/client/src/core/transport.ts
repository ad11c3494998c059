/**
 * What sync needs from a hub: the four native /sync routes of one region (docs/sync.md).
 * node/hub-client.ts implements it over fetch; tests or another platform can bring their own.
 */
import type { Envelope, KeyPair, PublicKeyPair } from '@kiki/crypto';

export const MAX_PUSH_BATCH = 500;
export const MAX_FETCH_BATCH = 1000;
export const MAX_PULL_LIMIT = 1000;

export interface PushItemResult {
  /** position in the array given to push() */
  index: number;
  id?: string;
  status: 'stored' | 'duplicate' | 'rejected';
  code?: string;
  reason?: string;
  field?: string;
}

export interface PushResult {
  results: PushItemResult[];
  stored: number;
  duplicate: number;
  rejected: number;
}

export interface RemovedId {
  id: string;
  reason: string;
  /** the removed envelope's timestamp, when the hub sends it */
  timestamp?: string;
}

export interface PullPage {
  /** envelopes exactly as the hub sent them (unverified: parse before trusting) */
  envelopes: unknown[];
  removed: RemovedId[];
  cursor: string;
  more: boolean;
}

export interface FetchResult {
  envelopes: unknown[];
  removed: RemovedId[];
  missing: string[];
}

export interface SyncTransport {
  /** The hub's URL (the key of the saved sync state). */
  readonly baseUrl: string;
  /** The region synced; its private half validates what the hub sends. */
  readonly region: KeyPair;
  readonly person: PublicKeyPair;
  push(envelopes: readonly Envelope[]): Promise<PushResult>;
  pull(after: string, limit: number): Promise<PullPage>;
  fetch(ids: readonly string[]): Promise<FetchResult>;
  reconcile(message: Uint8Array): Promise<Uint8Array>;
}
