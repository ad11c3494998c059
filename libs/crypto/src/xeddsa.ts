/**
 * XEdDSA (Signal's specification, "The XEdDSA and VXEdDSA Signature Schemes", rev. 1, 2016):
 * Ed25519-compatible signatures made and checked with an X25519 key, so kiki identities stay
 * what they are. Point arithmetic, SHA-512 and verification are libsodium's Ed25519 primitives;
 * only the scalar products mod q (which sodium-native does not expose) and the Montgomery →
 * Edwards conversion of a public key are done here with BigInt.
 */
import { createHash } from 'node:crypto';
import sodium from 'sodium-native';

/** 2^255 - 19 */
const P = (1n << 255n) - 19n;
/** the prime order of the Ed25519 base point */
const Q = (1n << 252n) + 27742317777372353535851937790883648493n;

export const XEDDSA_SIGNATURE_BYTES = 64;

function toBigLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
}

function toBytesLE(n: bigint, len = 32): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** hash_i of the specification: SHA-512 of (2^256 - 1 - i) as 32 little-endian bytes, then the parts. */
function hashI(i: number, ...parts: Uint8Array[]): bigint {
  const prefix = Buffer.alloc(32, 0xff);
  prefix[0] = 0xff - i;
  const h = createHash('sha512').update(prefix);
  for (const p of parts) h.update(p);
  return toBigLE(h.digest()) % Q;
}

function sha512ModQ(...parts: Uint8Array[]): bigint {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return toBigLE(h.digest()) % Q;
}

/** libsodium's fixed-base scalar multiplication (no clamping) of a scalar < q, as a compressed point. */
function baseMul(scalar: bigint): Buffer {
  const out = Buffer.alloc(32);
  sodium.crypto_scalarmult_ed25519_base_noclamp(out, toBytesLE(scalar));
  return out;
}

/**
 * calculate_key_pair(k): the Edwards key pair (A, a) of the X25519 secret k, with A's sign bit
 * forced to 0 (a negated when needed) so that A is what convert_mont(u) gives back to a verifier.
 * k is clamped as X25519 clamps it (libsodium keeps the raw 32 bytes).
 */
function calculateKeyPair(secret: Uint8Array): { A: Buffer; a: bigint } {
  const k = Buffer.from(secret);
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
  const kq = toBigLE(k) % Q;
  k.fill(0);
  const E = baseMul(kq);
  if (E[31] & 0x80) {
    E[31] &= 0x7f;
    return { A: E, a: (Q - kq) % Q };
  }
  return { A: E, a: kq };
}

/**
 * xeddsa_sign(k, M, Z): a 64-byte signature R ‖ s of `message` by the X25519 secret `secret`.
 * `random` is the 64 bytes Z (fresh random by default; fixed only to reproduce test vectors).
 */
export function xeddsaSign(secret: Uint8Array, message: Uint8Array, random?: Uint8Array): Buffer {
  if (secret.length !== 32) throw new RangeError('an X25519 secret key is 32 bytes');
  const Z = random ?? Buffer.alloc(64);
  if (Z.length !== 64) throw new RangeError('XEdDSA needs 64 random bytes');
  if (!random) sodium.randombytes_buf(Z as Buffer);
  const { A, a } = calculateKeyPair(secret);
  const aBytes = toBytesLE(a);
  const r = hashI(1, aBytes, message, Z);
  aBytes.fill(0);
  const R = baseMul(r);
  const h = sha512ModQ(R, A, message);
  const s = (r + h * a) % Q;
  return Buffer.concat([R, toBytesLE(s)]);
}

/** convert_mont(u): the Edwards public key (sign bit 0) of an X25519 public key, or null when it has none. */
export function montgomeryToEdwards(u: Uint8Array): Buffer | null {
  if (u.length !== 32) return null;
  const masked = Buffer.from(u);
  masked[31] &= 0x7f;
  const x = toBigLE(masked);
  if (x >= P) return null;
  const denominator = (x + 1n) % P;
  if (denominator === 0n) return null;
  const y = (((x - 1n + P) % P) * modPow(denominator, P - 2n, P)) % P;
  return toBytesLE(y);
}

/**
 * xeddsa_verify(u, M, R ‖ s): true only for a valid signature. libsodium's Ed25519 verification
 * does the rest of the specification's checks (s < q, R and A canonical and not of small order).
 */
export function xeddsaVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, edwards?: Buffer | null): boolean {
  if (signature.length !== XEDDSA_SIGNATURE_BYTES) return false;
  const A = edwards === undefined ? montgomeryToEdwards(publicKey) : edwards;
  if (!A) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature as Buffer, message as Buffer, A);
  } catch {
    return false;
  }
}
