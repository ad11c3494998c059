/**
 * Base58, Bitcoin alphabet, leading zero bytes as leading '1's. Hand-written and tuned for the
 * short values kiki moves around (32-byte keys and ids, 72- and 84-byte boxes): it works on
 * multi-digit limbs held in doubles instead of one byte or one digit at a time, which made it
 * the fastest of the measured candidates (bs58, @scure/base, this one; see docs/benchmarks.md).
 * Decoding is strict: any character outside the alphabet (whitespace included) is an error.
 */
import { KeyError } from './errors';

export const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

const ALPHABET_CODES = Uint8Array.from(BASE58_ALPHABET, (c) => c.charCodeAt(0));
/** Char code -> digit value, 255 for anything outside the alphabet (only ASCII can be valid). */
const DIGIT = new Uint8Array(128).fill(255);
for (let i = 0; i < 58; i++) DIGIT[ALPHABET_CODES[i]] = i;

/** Encoding limbs hold 5 base58 digits: 58^5 * 65536 + carry stays far below 2^53. */
const ENC_LIMB = 656_356_768; // 58^5
/** Decoding limbs hold 32 bits: 2^32 * 58^3 + carry stays far below 2^53. */
const DEC_LIMB = 4_294_967_296; // 2^32
const INV_DEC_LIMB = 1 / DEC_LIMB;
const POW58 = [1, 58, 3364, 195_112];
const LOG58_256 = Math.log(256) / Math.log(58);

/** Longest base58 text that can encode `n` bytes: lets callers refuse oversize text before decoding. */
export function maxBase58Length(n: number): number {
  return Math.ceil(n * LOG58_256);
}

// Scratch buffers reused across calls: the hot path allocates only its result.
let encLimbs = new Float64Array(16);
let encOut = Buffer.alloc(64);
let decLimbs = new Float64Array(16);

export function base58Encode(bytes: Uint8Array): string {
  const n = bytes.length;
  let zeros = 0;
  while (zeros < n && bytes[zeros] === 0) zeros++;

  const maxLimbs = Math.ceil(((n - zeros) * LOG58_256) / 5) + 1;
  if (encLimbs.length < maxLimbs) encLimbs = new Float64Array(maxLimbs * 2);
  const limbs = encLimbs;
  let used = 0;

  let i = zeros;
  // An odd count of significant bytes: take one byte first so the rest goes two at a time.
  if ((n - zeros) & 1) {
    limbs[0] = bytes[i++];
    used = 1;
  }
  for (; i < n; i += 2) {
    let carry = (bytes[i] << 8) | bytes[i + 1];
    for (let j = 0; j < used; j++) {
      const x = limbs[j] * 65_536 + carry;
      carry = Math.floor(x / ENC_LIMB);
      limbs[j] = x - carry * ENC_LIMB;
    }
    while (carry > 0) {
      const q = Math.floor(carry / ENC_LIMB);
      limbs[used++] = carry - q * ENC_LIMB;
      carry = q;
    }
  }

  const outLen = zeros + used * 5;
  if (encOut.length < outLen) encOut = Buffer.alloc(outLen * 2);
  const out = encOut;
  let pos = 0;
  for (; pos < zeros; pos++) out[pos] = 49; // '1'
  if (used > 0) {
    // Most significant limb without its leading zero digits, the others padded to 5 digits.
    let top = limbs[used - 1];
    const tmp = [0, 0, 0, 0, 0];
    let k = 0;
    while (top > 0) {
      const q = Math.floor(top / 58);
      tmp[k++] = top - q * 58;
      top = q;
    }
    while (k > 0) out[pos++] = ALPHABET_CODES[tmp[--k]];
    for (let j = used - 2; j >= 0; j--) {
      let v = limbs[j];
      for (let d = 4; d >= 0; d--) {
        const q = Math.floor(v / 58);
        out[pos + d] = ALPHABET_CODES[v - q * 58];
        v = q;
      }
      pos += 5;
    }
  }
  return out.toString('latin1', 0, pos);
}

/** Decodes strict base58; throws KeyError (naming `field`) on any character outside the alphabet. */
export function base58Decode(text: string, field = 'base58'): Buffer {
  if (typeof text !== 'string') throw new KeyError(field, 'expected a base58 string');
  return decode(text, field);
}

/** Why a text is not base58 of a fixed size: the one list every caller maps to its own error. */
export type Base58Failure = 'NOT_A_STRING' | 'EMPTY' | 'NOT_BASE58' | 'WRONG_LENGTH';

/** Typed result of parseBase58Exact / parseKey32: the bytes, or the failure and what to tell the sender. */
export type Base58Parse = { ok: true; bytes: Buffer } | { ok: false; failure: Base58Failure; detail: string };

const failed = (failure: Base58Failure, detail: string): Base58Parse => ({ ok: false, failure, detail });

/**
 * Strict base58 that must yield exactly `n` bytes, without throwing. The text length is checked
 * before any arithmetic so oversize input costs nothing.
 */
export function parseBase58Exact(text: unknown, n: number): Base58Parse {
  if (typeof text !== 'string') return failed('NOT_A_STRING', 'expected a base58 string');
  if (text.length === 0) return failed('EMPTY', `empty, expected base58 of ${n} bytes`);
  if (text.length > maxBase58Length(n)) {
    return failed('WRONG_LENGTH', `${text.length} characters cannot be base58 of ${n} bytes (at most ${maxBase58Length(n)})`);
  }
  let bytes: Buffer;
  try {
    bytes = decode(text, '');
  } catch (e) {
    return failed('NOT_BASE58', (e as KeyError).detail);
  }
  return bytes.length === n ? { ok: true, bytes } : failed('WRONG_LENGTH', `decodes to ${bytes.length} bytes, expected ${n}`);
}

/** A 32-byte key or envelope id as base58 text (the size of every key and id kiki moves). */
export function parseKey32(text: unknown): Base58Parse {
  return parseBase58Exact(text, 32);
}

/** parseBase58Exact that throws KeyError (naming `field`) instead (a key, an id, a box). */
export function base58DecodeExact(text: unknown, n: number, field = 'base58'): Buffer {
  const parsed = parseBase58Exact(text, n);
  if (!parsed.ok) throw new KeyError(field, parsed.detail);
  return parsed.bytes;
}

/** Shared decoder: any byte length. */
function decode(text: string, field: string): Buffer {
  const len = text.length;
  let zeros = 0;
  while (zeros < len && text.charCodeAt(zeros) === 49) zeros++;

  const maxLimbs = Math.ceil(((len - zeros) * Math.log2(58)) / 32) + 1;
  if (decLimbs.length < maxLimbs) decLimbs = new Float64Array(maxLimbs * 2);
  const limbs = decLimbs;
  let used = 0;

  let i = zeros;
  // Chunks of up to 3 digits; the first takes the remainder so the rest are whole.
  let chunk = (len - zeros) % 3 || 3;
  while (i < len) {
    let value = 0;
    for (const end = i + chunk; i < end; i++) {
      const c = text.charCodeAt(i);
      const d = c < 128 ? DIGIT[c] : 255;
      if (d === 255) throw new KeyError(field, `invalid base58 character at position ${i}`);
      value = value * 58 + d;
    }
    const mult = POW58[chunk];
    chunk = 3;
    let carry = value;
    for (let j = 0; j < used; j++) {
      const x = limbs[j] * mult + carry;
      // × 2^-32 is exact in doubles, and V8 does not turn this division into it (2x slower)
      carry = Math.floor(x * INV_DEC_LIMB);
      limbs[j] = x - carry * DEC_LIMB;
    }
    if (carry > 0) limbs[used++] = carry; // carry < 2^32 * 58^3 / 2^32 < one limb
  }

  // Significant bytes: all limbs but the top one are full 4-byte words.
  let topBytes = 0;
  if (used > 0) {
    const top = limbs[used - 1];
    topBytes = top >= 16_777_216 ? 4 : top >= 65_536 ? 3 : top >= 256 ? 2 : 1;
  }
  const sig = used > 0 ? (used - 1) * 4 + topBytes : 0;
  const total = zeros + sig;
  const out = Buffer.allocUnsafe(total);
  out.fill(0, 0, zeros);
  // Limbs are integers below 2^32, so `>>> 0` is exact and bytes come out by shifts.
  let pos = total;
  for (let j = 0; j < used - 1; j++) {
    const v = limbs[j] >>> 0;
    out[pos - 1] = v & 255;
    out[pos - 2] = (v >>> 8) & 255;
    out[pos - 3] = (v >>> 16) & 255;
    out[pos - 4] = v >>> 24;
    pos -= 4;
  }
  if (used > 0) {
    let v = limbs[used - 1] >>> 0;
    for (let k = 0; k < topBytes; k++) {
      out[--pos] = v & 255;
      v >>>= 8;
    }
  }
  return out;
}
