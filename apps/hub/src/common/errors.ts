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
  TOMBSTONED: HttpStatus.GONE,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  TOKEN_EXPIRED: HttpStatus.UNAUTHORIZED,
  TOKEN_REPLAYED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  UNKNOWN_REGION: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  TOO_MANY_REQUESTS: HttpStatus.TOO_MANY_REQUESTS,
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
