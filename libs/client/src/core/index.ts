/**
 * The platform-free core of the client: letters, keyring, feed, sync logic and the Kiki session.
 * Nothing here imports Node: crypto, store and transport come in through the interfaces below
 * (core.spec.ts checks the imports).
 */
export type { KikiCrypto, LetterOpener, ReconcileSession } from './crypto';
export type { Identity, IdentityKeeper, RegionMembership } from './identity';
export {
  type EnvelopeStore,
  type StoreEntry,
  type Tombstone,
  type PutResult,
  type SyncState,
  type StoreCounts,
  keepsBody,
  syncStateKey,
  splitSyncStateKey,
} from './store';
export {
  type SyncTransport,
  type PushResult,
  type PushItemResult,
  type PullPage,
  type FetchResult,
  type RemovedId,
  MAX_PUSH_BATCH,
  MAX_FETCH_BATCH,
  MAX_PULL_LIMIT,
} from './transport';
export { syncRegion, SyncError, type SyncOptions, type SyncReport, type SyncProgress, type SyncRejection } from './sync';
export {
  type Address,
  type ComposeOptions,
  type ReadLetter,
  type OpenAllOptions,
  AddressError,
  resolveAddresses,
  composeLetter,
  openLetters,
  openAll,
  latestVersions,
  newestFirst,
} from './letters';
export { Feed, MAX_REPLY_DEPTH, type FeedOptions, type FeedPost, type PersonInfo, type PostDetail, type Visibility } from './feed';
export { Kiki, KikiError, type KikiErrorCode, type KikiDeps, type FriendsReport, type KikiSyncReport, type PostTarget, MAX_IMAGE_BYTES, MAX_NAME_CHARS, detectImage } from './kiki';
export { sanitizeHtml, safeText } from './html';
export { htmlToText, stripControls } from './text';
export { bytesToBase64 } from './base64';
