import { HttpStatus } from '@nestjs/common';

/** Stable error codes: clients branch on these, never on message text. */
export const ERROR_STATUS = {
  BAD_REQUEST: HttpStatus.BAD_REQUEST,
  INVALID_ENVELOPE: HttpStatus.BAD_REQUEST,
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
  /** an edit (first_id) of a post that is not the sender's, or an unproven edit of a proven post */
  EDIT_REFUSED: HttpStatus.UNPROCESSABLE_ENTITY,
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
