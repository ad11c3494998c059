import { ReconcileProtocolError } from './errors';

/** Number of bytes of the varint of `n` (base 128, most significant digit first). */
export function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Writes the varint of `n` into `out` at `offset`; returns the offset after it. */
export function putVarint(out: Uint8Array, offset: number, n: number): number {
  const len = varintLength(n);
  for (let i = len - 1; i >= 0; i--) {
    // Division, not shifts: JS bit operators truncate to 32 bits and timestamps need 41+.
    out[offset + i] = (n % 128) | (i === len - 1 ? 0 : 0x80);
    n = Math.floor(n / 128);
  }
  return offset + len;
}

/** Encodes a non-negative safe integer as a negentropy varint. */
export function encodeVarint(n: number): Uint8Array {
  assertVarintValue(n);
  const out = new Uint8Array(varintLength(n));
  putVarint(out, 0, n);
  return out;
}

export function assertVarintValue(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint value must be a non-negative safe integer, got ${n}`);
}

/**
 * Decodes one varint at `offset`. Rejects truncation, non-minimal encodings (a leading 0x80) and
 * values above Number.MAX_SAFE_INTEGER; reads at most 9 bytes whatever the input.
 */
export function decodeVarint(bytes: Uint8Array, offset: number): { value: number; offset: number } {
  let value = 0;
  let pos = offset;
  for (;;) {
    if (pos >= bytes.length) throw new ReconcileProtocolError('truncated', `varint truncated at byte ${offset}`);
    const b = bytes[pos++];
    if (b === 0x80 && pos - 1 === offset) throw new ReconcileProtocolError('varint_not_minimal', `varint at byte ${offset} has a leading zero digit`);
    const digit = b & 0x7f;
    if (value > (Number.MAX_SAFE_INTEGER - digit) / 128) {
      throw new ReconcileProtocolError('varint_overflow', `varint at byte ${offset} exceeds 2^53 - 1`);
    }
    value = value * 128 + digit;
    if ((b & 0x80) === 0) return { value, offset: pos };
  }
}
