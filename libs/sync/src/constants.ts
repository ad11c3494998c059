/** Negentropy protocol version 1, as its first message byte. */
export const PROTOCOL_VERSION = 0x61;
export const ID_SIZE = 32;
export const FINGERPRINT_SIZE = 16;

/** Range modes on the wire. */
export const Mode = { Skip: 0, Fingerprint: 1, IdList: 2 } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Largest item timestamp: bounds travel as 1 + delta in a varint that must stay a safe integer. */
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER - 1;

/** The reference refuses smaller frames: below this one range's output might not fit. */
export const MIN_FRAME_SIZE_LIMIT = 4096;
/** Room kept free under the frame limit for the closing "rest of the set" range (as the reference). */
export const FRAME_SLACK = 200;

export const DEFAULT_BUCKETS = 16;
export const DEFAULT_ID_LIST_THRESHOLD = 32;
export const DEFAULT_FRAME_SIZE_LIMIT = 256 * 1024;
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_RANGES = 32 * 1024;
export const DEFAULT_MAX_ID_LIST_LENGTH = 64 * 1024;
