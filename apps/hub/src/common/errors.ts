import { HttpStatus } from '@nestjs/common';

/** Stable error codes: clients branch on these, never on message text. */
export const ERROR_STATUS = {
  BAD_REQUEST: HttpStatus.BAD_REQUEST,
  INVALID_ENVELOPE: HttpStatus.BAD_REQUEST,
  INVALID_KEY: HttpStatus.BAD_REQUEST,
  INVALID_MESSAGE: HttpStatus.BAD_REQUEST,
  BAD_SIGNATURE: HttpStatus.UNPROCESSABLE_ENTITY,
  REGION_AS_SENDER: HttpStatus.UNPROCESSABLE_ENTITY,
  ID_MISMATCH: HttpStatus.UNPROCESSABLE_ENTITY,
  FUTURE_TIMESTAMP: HttpStatus.UNPROCESSABLE_ENTITY,
  TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_ENCODING: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  TOMBSTONED: HttpStatus.GONE,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  TOKEN_EXPIRED: HttpStatus.UNAUTHORIZED,
  TOKEN_REPLAYED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
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
  ) {
    super(message);
    this.name = 'HubError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** A rate limit refused the request: 429 with Retry-After (GraphQL: code RATE_LIMITED, extensions.retryAfter). */
export class RateLimitedError extends HubError {
  constructor(
    readonly limit: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', `too many requests (${limit} limit); try again in ${retryAfterSeconds} s`);
  }
}
