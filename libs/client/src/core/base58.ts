/** Base58 (Bitcoin alphabet) for 32-byte ids, in plain JS for the core (no Buffer, no native code). */
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const MAP = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) MAP[ALPHABET.charCodeAt(i)] = i;

/** Decodes base58 text into `out[off..off+32]`; false when it is not exactly 32 bytes of base58. */
export function decodeId32(text: string, out: Uint8Array, off: number): boolean {
  if (typeof text !== 'string' || text.length === 0 || text.length > 45) return false;
  const buf = new Uint8Array(33);
  let zeros = 0;
  while (zeros < text.length && text.charCodeAt(zeros) === 49) zeros++;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? MAP[c] : -1;
    if (v < 0) return false;
    let carry = v;
    for (let j = 32; j >= 0; j--) {
      carry += buf[j] * 58;
      buf[j] = carry & 0xff;
      carry >>= 8;
    }
    if (carry !== 0) return false;
  }
  if (buf[0] !== 0) return false;
  // Leading '1's are leading zero bytes: the value must then fit in the remaining bytes exactly.
  let lead = 1;
  while (lead < 33 && buf[lead] === 0) lead++;
  if (lead - 1 !== zeros) return false;
  out.set(buf.subarray(1), off);
  return true;
}

/** Base58 text of the 32 bytes at ids[off..off+32]. */
export function encodeId32(ids: Uint8Array, off: number): string {
  const digits: number[] = [];
  let zeros = 0;
  while (zeros < 32 && ids[off + zeros] === 0) zeros++;
  for (let i = off + zeros; i < off + 32; i++) {
    let carry = ids[i];
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j] << 8;
      digits[j] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  let s = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) s += ALPHABET[digits[i]];
  return s;
}
