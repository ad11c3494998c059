import { HttpStatus } from '@nestjs/common';

/** Stable error codes: clients branch on these, never on message text. */
export const ERROR_STATUS = {
  BAD_REQUEST: HttpStatus.BAD_REQUEST,
  INVALID_ENVELOPE: HttpStatus.BAD_REQUEST,
  /** a malformed key or envelope id (empty, not base58, not 32 bytes), the same on /sync, /r/ and GraphQL: common/keys.ts, common/validators.ts */
  INVALID_KEY: HttpStatus.BAD_REQUEST,
  INVALID_MESSAGE: HttpStatus.BAD_REQUEST,
  BAD_SIGNATURE: HttpStatus.UNPROCESSABLE_ENTITY,
  REGION_AS_SENDER: HttpStatus.UNPROCESSABLE_ENTITY,
  /** the hub's own identity in the region is never accepted as a sender from outside */
  HUB_AS_SENDER: HttpStatus.UNPROCESSABLE_ENTITY,
  /** the region's sender policy is v2-required and the envelope has no signature_v2 */
  V2_REQUIRED: HttpStatus.UNPROCESSABLE_ENTITY,
  /** a public letter the hub opened breaks a rule sealing enforces (addressing, share-key, action content) */
  INVALID_LETTER: HttpStatus.UNPROCESSABLE_ENTITY,
  /** the region holds as many bytes as its max_total_bytes allows */
  REGION_FULL: HttpStatus.INSUFFICIENT_STORAGE,
  /** an unproven sender new to the region, which counts as many unproven senders as its max_unproven_senders allows */
  UNPROVEN_SENDERS_FULL: HttpStatus.INSUFFICIENT_STORAGE,
  /** an edit (first_id) of a post that is not the sender's, or an unproven edit of a proven post */
  EDIT_REFUSED: HttpStatus.UNPROCESSABLE_ENTITY,
  ID_MISMATCH: HttpStatus.UNPROCESSABLE_ENTITY,
  FUTURE_TIMESTAMP: HttpStatus.UNPROCESSABLE_ENTITY,
  TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_ENCODING: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  /** any rate limit, the admin login throttle included (RateLimitedError: Retry-After / extensions.retryAfter) */
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  TOMBSTONED: HttpStatus.GONE,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  TOKEN_EXPIRED: HttpStatus.UNAUTHORIZED,
  TOKEN_REPLAYED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  /** a well-formed key of a region this hub does not carry; on /sync (and /r/ of token regions) answered as a wrong token instead */
  UNKNOWN_REGION: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
} as const;

export type HubErrorCode = keyof typeof ERROR_STATUS;

export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly field?: string,
    /** extra facts a client may act on (GraphQL: copied into `extensions`), e.g. `retryAfter` */
    readonly details?: Record<string, string | number>,
  ) {
    super(message);
    this.name = 'HubError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/**
 * A rate limit refused the request: 429 with Retry-After (GraphQL: code RATE_LIMITED,
 * extensions.retryAfter). Every limit answers this one code, the admin login throttle included.
 */
export class RateLimitedError extends HubError {
  constructor(
    readonly limit: string,
    readonly retryAfterSeconds: number,
    message = `too many requests (${limit} limit); try again in ${retryAfterSeconds} s`,
  ) {
    super('RATE_LIMITED', message);
  }
}

// Postgres cannot be reached or is shutting down / starting up: the request may simply be retried.
const UNAVAILABLE_DB_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const UNAVAILABLE_DB_TEXT = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Cannot use a pool after calling end/i;

/** True for errors that mean "the database is unreachable right now" (answered 503, retryable), not a bug. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && UNAVAILABLE_DB_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_DB_TEXT.test(e.message)) return true;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
}
