export { type Bound, compareBounds, INFINITY_BOUND, type ReconItem, ZERO_BOUND } from './bound';
export {
  DEFAULT_BUCKETS,
  DEFAULT_FRAME_SIZE_LIMIT,
  DEFAULT_ID_LIST_THRESHOLD,
  DEFAULT_MAX_ID_LIST_LENGTH,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_RANGES,
  FINGERPRINT_SIZE,
  ID_SIZE,
  MIN_FRAME_SIZE_LIMIT,
  Mode,
  PROTOCOL_VERSION,
} from './constants';
export { type ReconcileErrorCode, ReconcileProtocolError } from './errors';
export { fingerprintOfIds } from './fingerprint';
export { type DecodedMessage, type DecodedRange, type DecodeLimits, decodeMessage } from './message';
export { NegentropyClient, type NegentropyOptions, NegentropyServer, type ReconcileResult } from './negentropy';
export { ReconIndex, type ReconIndexOptions } from './recon-index';
export { type ReconStorage, SortedVectorStorage } from './storage';
export { decodeVarint, encodeVarint } from './varint';
