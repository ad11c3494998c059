/** Stable error codes: callers switch on `code`, never on message text. */
export type CryptoErrorCode =
  | 'INVALID_KEY' // bad base58 / not 32 bytes
  | 'INVALID_ENVELOPE' // parseEnvelope refused the input
  | 'INVALID_LETTER' // opened plaintext is not a valid letter, or seal() input invalid
  | 'BAD_SIGNATURE' // region signature does not validate
  | 'REGION_AS_SENDER' // the sender is the region key itself
  | 'NOT_A_RECIPIENT'; // none of the keys opens a recipient box

/** Base class of every error this library throws. */
export class KikiCryptoError extends Error {
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.code = code;
    // Keeps `err.name` meaningful in logs for every subclass.
    this.name = new.target.name;
  }
}

/** A key (or other base58 value) is malformed; `field` names where it came from. */
export class KeyError extends KikiCryptoError {
  readonly field: string;
  /** What is wrong, without the field name (the message is `${field}: ${detail}`). */
  readonly detail: string;

  constructor(field: string, detail: string) {
    super('INVALID_KEY', field ? `${field}: ${detail}` : detail);
    this.field = field;
    this.detail = detail;
  }
}

/** parseEnvelope refused untrusted input; `reason` is meant to be shown to whoever sent it. */
export class EnvelopeParseError extends KikiCryptoError {
  readonly field: string;
  readonly reason: string;
  /** True when the input broke a size limit (EnvelopeLimits) rather than the format: an HTTP 413. */
  readonly tooLarge: boolean;

  constructor(field: string, reason: string, tooLarge = false) {
    super('INVALID_ENVELOPE', `${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
    this.tooLarge = tooLarge;
  }
}

/** The opened plaintext is not a valid letter, or seal() was given an invalid letter. */
export class LetterError extends KikiCryptoError {
  constructor(message: string) {
    super('INVALID_LETTER', message);
  }
}

/** The v1 region signature does not validate (BAD_SIGNATURE) or the sender is the region (REGION_AS_SENDER). */
export class SignatureError extends KikiCryptoError {
  constructor(code: 'BAD_SIGNATURE' | 'REGION_AS_SENDER', message: string) {
    super(code, message);
  }
}

/** None of the keys held opens any sealed recipient of the envelope. */
export class NotARecipientError extends KikiCryptoError {
  constructor(message = 'none of the keys opens a sealed recipient of this envelope') {
    super('NOT_A_RECIPIENT', message);
  }
}
