/** @kiki/crypto — the kiki v1 wire format (PROTOCOL.md part 1). Framework-free; libsodium via sodium-native. */
export {
  type CryptoErrorCode,
  KikiCryptoError,
  KeyError,
  EnvelopeParseError,
  LetterError,
  SignatureError,
  NotARecipientError,
} from './errors';
export {
  type Base58Failure,
  type Base58Parse,
  BASE58_ALPHABET,
  base58Encode,
  base58Decode,
  base58DecodeExact,
  maxBase58Length,
  parseBase58Exact,
  parseKey32,
} from './base58';
export {
  type PublicKeyPair,
  type KeyPair,
  KEY_BYTES,
  DEFAULT_REGION,
  generateKeyPair,
  keyPairFromPrivate,
  decodeKey,
  decodeKeyPair,
  decodePublicKey,
  isCanonicalPublicKey,
  isValidKey,
  keyPairToJson,
  keyPairFromJson,
} from './keys';
export { type Purpose, type Letter, PURPOSES, isPurpose, isAction, letterToJson, parseLetter } from './letter';
export {
  type Envelope,
  type SealInput,
  type SealOptions,
  computeId,
  verifyId,
  seal,
  parseTimestamp,
  formatTimestamp,
} from './envelope';
export { RegionValidator } from './validate';
export { type OpenedLetter, Opener, open, MAX_LETTER_BYTES } from './open';
export { type EnvelopeLimits, DEFAULT_LIMITS, parseEnvelope, envelopeSize } from './parse';
export { cachedId, cachedTimestampMs, sealedLetterBytes } from './decoded';
export { SIGNATURE_V2_FIELD, canonicalMessage, signEnvelopeV2, verifyEnvelopeV2, timestampInstant } from './v2';
export { xeddsaSign, xeddsaVerify, montgomeryToEdwards, XEDDSA_SIGNATURE_BYTES } from './xeddsa';
// Native /sync authentication (not kiki v1), see sync-token.ts.
export { type SyncTokenClaims, SyncTokenError, createSyncToken, openSyncToken } from './sync-token';
