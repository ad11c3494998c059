import sodium from 'sodium-native';
import { base58Decode, base58Encode } from './base58';
import { decodeKey, decodePublicKey, type KeyPair, type PublicKeyPair } from './keys';

/**
 * A one-time proof of region membership for the hub's native routes (not part of kiki v1).
 *
 *   K     = BLAKE2b-256(key = region secret, "kiki-hub/sync-token/v1" || person public key bytes)
 *   token = <person public b58> "." base58(nonce(24) || crypto_secretbox_easy(payload, nonce, K))
 *   payload = JSON {"r": region public key, "t": issued-at in ms}
 *
 * Only a holder of the region secret — a member — can make K. (A box between the person and the
 * region would not do: X25519 gives the same key to the person's secret alone, so anyone could
 * "prove" membership of any region whose public key they know.) Members can speak for any person
 * of their region; that is kiki's trust model (PROTOCOL.md, known weaknesses). The 24-byte nonce
 * is the single-use identifier the hub remembers for its time window, so a token cannot be replayed.
 */
export interface SyncTokenClaims {
  person: string;
  region: string;
  issuedAt: number;
  /** base58 of the nonce: the replay-cache key */
  nonce: string;
}

export class SyncTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncTokenError';
  }
}

const NONCE = sodium.crypto_secretbox_NONCEBYTES;
const MAC = sodium.crypto_secretbox_MACBYTES;
const MAX_TOKEN_CHARS = 400;
const CONTEXT = Buffer.from('kiki-hub/sync-token/v1', 'utf8');

// A plain buffer, wiped after use: sodium_malloc's guard pages cost ~0.5 ms per request here.
function tokenKey(regionSecret: Buffer, personPublic: Buffer): Buffer {
  const key = Buffer.alloc(sodium.crypto_secretbox_KEYBYTES);
  sodium.crypto_generichash(key, Buffer.concat([CONTEXT, personPublic]), regionSecret);
  return key;
}

/** Needs the region keypair (the membership secret), not the person's secret. */
export function createSyncToken(person: PublicKeyPair, region: KeyPair, opts: { now?: Date } = {}): string {
  const payload = Buffer.from(JSON.stringify({ r: region.public, t: (opts.now ?? new Date()).getTime() }), 'utf8');
  const out = Buffer.alloc(NONCE + MAC + payload.length);
  const nonce = out.subarray(0, NONCE);
  sodium.randombytes_buf(nonce);
  const key = tokenKey(decodeKey(region.private, 'region.private'), decodePublicKey(person.public, 'person.public'));
  sodium.crypto_secretbox_easy(out.subarray(NONCE), payload, nonce, key);
  sodium.sodium_memzero(key);
  return `${person.public}.${base58Encode(out)}`;
}

export function openSyncToken(token: string, region: KeyPair): SyncTokenClaims {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw new SyncTokenError('the token is missing or too long');
  const dot = token.indexOf('.');
  if (dot < 0) throw new SyncTokenError('the token must be "<your public key>.<sealed claims>"');
  const person = token.slice(0, dot);
  let personKey: Buffer;
  let sealed: Uint8Array;
  try {
    // canonical form only: one person, one text (X25519 ignores bit 255)
    personKey = decodePublicKey(person, 'person');
    sealed = base58Decode(token.slice(dot + 1));
  } catch {
    throw new SyncTokenError('the token is not valid base58 or the key is not 32 bytes');
  }
  if (sealed.length <= NONCE + MAC) throw new SyncTokenError('the token is too short');
  const nonce = Buffer.from(sealed.subarray(0, NONCE));
  const plain = Buffer.alloc(sealed.length - NONCE - MAC);
  const key = tokenKey(decodeKey(region.private, 'region.private'), personKey);
  const opened = sodium.crypto_secretbox_open_easy(plain, Buffer.from(sealed.subarray(NONCE)), nonce, key);
  sodium.sodium_memzero(key);
  if (!opened) {
    throw new SyncTokenError('the token was not made with this region\'s key');
  }
  let claims: { r?: unknown; t?: unknown };
  try {
    claims = JSON.parse(plain.toString('utf8'));
  } catch {
    throw new SyncTokenError('the token claims are not JSON');
  }
  if (claims?.r !== region.public) throw new SyncTokenError('the token names another region');
  if (typeof claims.t !== 'number' || !Number.isSafeInteger(claims.t)) throw new SyncTokenError('the token has no issue time');
  return { person, region: region.public, issuedAt: claims.t, nonce: base58Encode(nonce) };
}
