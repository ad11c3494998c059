/** Kiki Hub reference client: identity, local store, hub client, native sync, letters. */
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
} from './node/identity';
export {
  type EnvelopeStore,
  type StoreEntry,
  type Tombstone,
  type PutResult,
  type SyncState,
  type StoreCounts,
  MemoryEnvelopeStore,
  StoreIndex,
  keepsBody,
  syncStateKey,
  splitSyncStateKey,
} from './node/store';
export { FileEnvelopeStore, type FileStoreOptions, type LoadReport, StoreLockedError, StoreError } from './node/file-store';
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
export { syncRegion, SyncError, type SyncOptions, type SyncReport, type SyncProgress, type SyncRejection } from './core/sync';
export {
  type Address,
  type ComposeOptions,
  type ReadLetter,
  type OpenAllOptions,
  AddressError,
  resolveAddresses,
  composeLetter,
  openAll,
  latestVersions,
} from './core/letters';
export { htmlToText, stripControls } from './core/text';
