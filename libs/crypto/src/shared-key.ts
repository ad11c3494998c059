/**
 * X25519 shared keys as crypto_box_beforenm computes them, and a bounded LRU cache of them.
 *
 * sodium-native 5 does not bind crypto_box_beforenm / crypto_box_*_afternm, so the precomputation
 * is rebuilt from what it does bind: beforenm(pk, sk) = HSalsa20(X25519(sk, pk), 0^16), and
 * crypto_box_easy_afternm / crypto_box_open_easy_afternm are exactly crypto_secretbox_easy /
 * crypto_secretbox_open_easy under that key (libsodium crypto_box_easy.c). The tests check the
 * result against crypto_box_easy/crypto_box_open_easy and against NaCl's published vector.
 */
import sodium from 'sodium-native';

const ZERO16 = new Uint8Array(16);

function load32(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

function store32(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}

/** HSalsa20 core (libsodium crypto_core_hsalsa20 with the default "expand 32-byte k" constants). */
export function hsalsa20(out: Uint8Array, key: Uint8Array, input: Uint8Array): void {
  let x0 = 0x61707865;
  let x5 = 0x3320646e;
  let x10 = 0x79622d32;
  let x15 = 0x6b206574;
  let x1 = load32(key, 0);
  let x2 = load32(key, 4);
  let x3 = load32(key, 8);
  let x4 = load32(key, 12);
  let x11 = load32(key, 16);
  let x12 = load32(key, 20);
  let x13 = load32(key, 24);
  let x14 = load32(key, 28);
  let x6 = load32(input, 0);
  let x7 = load32(input, 4);
  let x8 = load32(input, 8);
  let x9 = load32(input, 12);
  let u: number;
  for (let i = 0; i < 20; i += 2) {
    // Column round.
    u = (x0 + x12) | 0; x4 ^= (u << 7) | (u >>> 25);
    u = (x4 + x0) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x4) | 0; x12 ^= (u << 13) | (u >>> 19);
    u = (x12 + x8) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x1) | 0; x9 ^= (u << 7) | (u >>> 25);
    u = (x9 + x5) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x9) | 0; x1 ^= (u << 13) | (u >>> 19);
    u = (x1 + x13) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x6) | 0; x14 ^= (u << 7) | (u >>> 25);
    u = (x14 + x10) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x14) | 0; x6 ^= (u << 13) | (u >>> 19);
    u = (x6 + x2) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x11) | 0; x3 ^= (u << 7) | (u >>> 25);
    u = (x3 + x15) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x3) | 0; x11 ^= (u << 13) | (u >>> 19);
    u = (x11 + x7) | 0; x15 ^= (u << 18) | (u >>> 14);
    // Row round.
    u = (x0 + x3) | 0; x1 ^= (u << 7) | (u >>> 25);
    u = (x1 + x0) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x1) | 0; x3 ^= (u << 13) | (u >>> 19);
    u = (x3 + x2) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x4) | 0; x6 ^= (u << 7) | (u >>> 25);
    u = (x6 + x5) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x6) | 0; x4 ^= (u << 13) | (u >>> 19);
    u = (x4 + x7) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x9) | 0; x11 ^= (u << 7) | (u >>> 25);
    u = (x11 + x10) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x11) | 0; x9 ^= (u << 13) | (u >>> 19);
    u = (x9 + x8) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x14) | 0; x12 ^= (u << 7) | (u >>> 25);
    u = (x12 + x15) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x12) | 0; x14 ^= (u << 13) | (u >>> 19);
    u = (x14 + x13) | 0; x15 ^= (u << 18) | (u >>> 14);
  }
  // HSalsa20 outputs the constant and input diagonals without the Salsa20 feed-forward.
  store32(out, 0, x0);
  store32(out, 4, x5);
  store32(out, 8, x10);
  store32(out, 12, x15);
  store32(out, 16, x6);
  store32(out, 20, x7);
  store32(out, 24, x8);
  store32(out, 28, x9);
}

/**
 * crypto_box_beforenm: the 32-byte secretbox key shared by (secret, public). Returns null where
 * libsodium fails too: a low-order public key gives an all-zero X25519 output.
 */
export function boxBeforeNm(publicKey: Buffer, secretKey: Buffer): Buffer | null {
  const q = Buffer.alloc(32);
  try {
    sodium.crypto_scalarmult(q, secretKey, publicKey);
  } catch {
    return null; // sodium-native throws on libsodium's -1 (all-zero shared point)
  }
  const k = Buffer.alloc(32);
  hsalsa20(k, q, ZERO16);
  sodium.sodium_memzero(q);
  return k;
}

export const DEFAULT_CACHE_SIZE = 4096;

/**
 * Shared keys between one fixed secret key and many peers, least-recently-used first out.
 * Keyed by the peer's base58 text, which is a bijection of its bytes, so no re-encoding is needed.
 */
export class SharedKeyCache {
  private readonly map = new Map<string, Buffer | null>();
  private readonly max: number;

  constructor(
    private readonly secretKey: Buffer,
    maxEntries = DEFAULT_CACHE_SIZE,
  ) {
    this.max = Math.max(1, Math.floor(maxEntries) || 1);
  }

  /**
   * The shared key with `peerText`, or null for a low-order key. `peer` is its decoded bytes, or
   * a function giving them: called on a miss only, so a repeat sender costs no base58 decoding
   * (the text is a bijection of the bytes, so a hit proves the text decoded before).
   */
  get(peerText: string, peer: Buffer | (() => Buffer)): Buffer | null {
    const hit = this.map.get(peerText);
    if (hit !== undefined) {
      // Re-insert so Map iteration order tracks recency.
      this.map.delete(peerText);
      this.map.set(peerText, hit);
      return hit;
    }
    const k = boxBeforeNm(typeof peer === 'function' ? peer() : peer, this.secretKey);
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next().value as string;
      const evicted = this.map.get(oldest);
      this.map.delete(oldest);
      if (evicted) sodium.sodium_memzero(evicted); // do not leave dead key material around
    }
    this.map.set(peerText, k);
    return k;
  }

  get size(): number {
    return this.map.size;
  }
}
