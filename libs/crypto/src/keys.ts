/** kiki keys: NaCl box keypairs (X25519) travelling as base58 text. */
import sodium from 'sodium-native';
import { base58DecodeExact, base58Encode, parseKey32 } from './base58';
import { KeyError } from './errors';

export const KEY_BYTES = 32;

/** JSON form of a keypair; `private` is omitted when only the public half is known. */
export interface PublicKeyPair {
  public: string;
  private?: string;
}

export interface KeyPair {
  public: string;
  private: string;
}

/** kiki's default region: every original instance started with it (PROTOCOL.md). */
export const DEFAULT_REGION: KeyPair = Object.freeze({
  public: '4NfD9kWESGycUdbhbrFygNDjFun6NPk6utpkviyE1Ai6',
  private: 'btbsjnjTtgi3aL9z2X8bqb1URVnCo3zqg4fC4co2JEu',
});

export function generateKeyPair(): KeyPair {
  const pk = Buffer.alloc(KEY_BYTES);
  const sk = Buffer.alloc(KEY_BYTES);
  sodium.crypto_box_keypair(pk, sk);
  const kp = { public: base58Encode(pk), private: base58Encode(sk) };
  sodium.sodium_memzero(sk);
  return kp;
}

/** The keypair of a base58 private key (public = X25519 base point multiplication). */
export function keyPairFromPrivate(privateB58: string): KeyPair {
  const sk = decodeKey(privateB58, 'private');
  const pk = Buffer.alloc(KEY_BYTES);
  sodium.crypto_scalarmult_base(pk, sk);
  sodium.sodium_memzero(sk);
  return { public: base58Encode(pk), private: privateB58 };
}

/** Decodes a base58 key that must be exactly 32 bytes; KeyError names `field` otherwise. */
export function decodeKey(b58: string, field = 'key'): Buffer {
  return base58DecodeExact(b58, KEY_BYTES, field);
}

/**
 * Whether 32 bytes are a canonical X25519 public key: below 2^255 - 19 with the top bit clear.
 * X25519 ignores the top bit, so P and P with bit 255 set are the same key under two texts;
 * libsodium and Go never produce the second form, so refusing it closes that identity alias
 * (one person posing as two senders to dodge blocks or double a quota).
 */
export function isCanonicalPublicKey(pk: Uint8Array): boolean {
  if (pk.length !== KEY_BYTES || pk[31] & 0x80) return false;
  if (pk[31] !== 0x7f || pk[0] < 0xed) return true;
  for (let i = 1; i < 31; i++) if (pk[i] !== 0xff) return true;
  return false; // 2^255 - 19 .. 2^255 - 1: an unreduced field element
}

/** decodeKey for a public key: also refuses non-canonical encodings (see isCanonicalPublicKey). */
export function decodePublicKey(b58: string, field = 'public'): Buffer {
  const pk = decodeKey(b58, field);
  if (!isCanonicalPublicKey(pk)) throw new KeyError(field, 'not a canonical X25519 public key (top bit set or not reduced)');
  return pk;
}

/** Whether `b58` is base58 of 32 bytes (parseKey32 says why not). */
export function isValidKey(b58: unknown): boolean {
  return parseKey32(b58).ok;
}

/**
 * Decoded halves of a full keypair, after checking that the public half belongs to the private
 * one: a mismatched pair would seal envelopes whose signature and boxes nobody can verify.
 */
export function decodeKeyPair(kp: KeyPair, field = 'keypair'): { pk: Buffer; sk: Buffer } {
  if (kp === null || typeof kp !== 'object') throw new KeyError(field, 'expected a keypair object');
  const pk = decodePublicKey(kp.public, `${field}.public`);
  const sk = decodeKey(kp.private, `${field}.private`);
  const derived = Buffer.alloc(KEY_BYTES);
  sodium.crypto_scalarmult_base(derived, sk);
  if (!sodium.sodium_memcmp(derived, pk)) {
    throw new KeyError(field, 'public key does not belong to the private key');
  }
  return { pk, sk };
}

/** The JSON form kiki puts in a share-key letter: {"public":"…","private":"…"} in that order. */
export function keyPairToJson(kp: PublicKeyPair): string {
  return kp.private
    ? `{"public":${JSON.stringify(kp.public)},"private":${JSON.stringify(kp.private)}}`
    : `{"public":${JSON.stringify(kp.public)}}`;
}

/**
 * Reads the JSON keypair of a share-key letter, checking both halves (a malformed shared key
 * stopped all further decryption in the original client). Throws KeyError.
 */
export function keyPairFromJson(text: string, field = 'content'): KeyPair {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new KeyError(field, 'not a JSON keypair');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new KeyError(field, 'not a JSON keypair object');
  }
  const o = v as Record<string, unknown>;
  if (typeof o.public !== 'string' || typeof o.private !== 'string') {
    throw new KeyError(field, 'a shared keypair needs string "public" and "private"');
  }
  const kp = { public: o.public, private: o.private };
  decodeKeyPair(kp, field);
  return kp;
}
