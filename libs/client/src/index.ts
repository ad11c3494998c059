/**
 * @kiki/client for Node: the platform-free core (./core) bound to sodium-native (nodeCrypto), the
 * identity file, the file and LevelDB stores, and the fetch-based hub client.
 */
import type { KeyPair } from '@kiki/crypto';
import * as core from './core';
import { nodeCrypto } from './node/crypto';

export * as core from './core';
export {
  type KikiCrypto,
  type LetterOpener,
  type ReconcileSession,
  type IdentityKeeper,
  type EnvelopeStore,
  type StoreEntry,
  type Tombstone,
  type PutResult,
  type SyncState,
  type StoreCounts,
  keepsBody,
  syncStateKey,
  splitSyncStateKey,
  type SyncTransport,
  SyncError,
  type SyncReport,
  type SyncProgress,
  type SyncRejection,
  type Address,
  type ComposeOptions,
  type ReadLetter,
  type OpenAllOptions,
  AddressError,
  latestVersions,
  newestFirst,
  Feed,
  MAX_REPLY_DEPTH,
  type FeedOptions,
  type FeedPost,
  type PersonInfo,
  type PostDetail,
  type Visibility,
  Kiki,
  KikiError,
  type KikiErrorCode,
  type KikiDeps,
  type FriendsReport,
  type KikiSyncReport,
  type PostTarget,
  MAX_IMAGE_BYTES,
  MAX_NAME_CHARS,
  detectImage,
  sanitizeHtml,
  safeText,
  htmlToText,
  stripControls,
} from './core';
export { nodeCrypto } from './node/crypto';
export {
  type Identity,
  type RegionMembership,
  type IdentityErrorCode,
  type LoadIdentityOptions,
  IdentityError,
  createIdentity,
  parseIdentity,
  loadIdentity,
  saveIdentity,
  initIdentity,
  withRegion,
  pickRegion,
  normalizeHubUrl,
  FileIdentityKeeper,
} from './node/identity';
export { MemoryEnvelopeStore, StoreIndex } from './node/store';
export { FileEnvelopeStore, type FileStoreOptions, type LoadReport, StoreLockedError, StoreError } from './node/file-store';
export { LevelEnvelopeStore, type LevelStoreOptions } from './node/level-store';
export {
  HubClient,
  HubClientError,
  type HubErrorCode,
  type HubClientOptions,
  type FetchLike,
  type PushResult,
  type PushItemResult,
  type PullPage,
  type FetchResult,
  type RemovedId,
  type RouteStats,
  MAX_PUSH_BATCH,
  MAX_FETCH_BATCH,
  MAX_PULL_LIMIT,
} from './node/hub-client';
export { openKiki, regionStoreDir, type OpenKikiOptions, type KikiSession } from './node/session';
export { CLIENT_V8_FLAGS, tuneHeapForClient } from './node/heap';
export { findOldClient, migrateOldClient, type MigrationReport, oldClientHome } from './node/migrate';

/** syncRegion with sodium-native. */
export function syncRegion(client: core.SyncTransport, store: core.EnvelopeStore, opts: Partial<core.SyncOptions> = {}): Promise<core.SyncReport> {
  return core.syncRegion(client, store, { crypto: nodeCrypto, ...opts });
}

export function resolveAddresses(to: readonly string[], identity: Pick<core.Identity, 'friendsKey'>, regionPublic: string): string[] {
  return core.resolveAddresses(nodeCrypto, to, identity, regionPublic);
}

export function composeLetter(identity: core.Identity, region: Pick<KeyPair, 'public'>, content: string, opts: core.ComposeOptions = {}) {
  return core.composeLetter(nodeCrypto, identity, region, content, opts);
}

export function openAll(store: core.EnvelopeStore, identity: core.Identity, opts: core.OpenAllOptions = {}): Promise<core.ReadLetter[]> {
  return core.openAll(nodeCrypto, store, identity, opts);
}

export function openLetters(store: core.EnvelopeStore, identity: core.Identity, opts: core.OpenAllOptions = {}): AsyncGenerator<core.ReadLetter> {
  return core.openLetters(nodeCrypto, store, identity, opts);
}
