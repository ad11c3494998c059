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
} from './identity';
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
} from './store';
export { FileEnvelopeStore, type FileStoreOptions, type LoadReport, StoreLockedError, StoreError } from './file-store';
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
} from './hub-client';
export { syncRegion, SyncError, type SyncOptions, type SyncReport, type SyncProgress, type SyncRejection } from './sync';
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
} from './letters';
export { htmlToText, stripControls } from './text';
export { main as runCli, type CliIo } from './cli';
