import { hash } from 'node:crypto';
import { FINGERPRINT_SIZE, ID_SIZE } from './constants';
import { putVarint, varintLength } from './varint';

/**
 * A 256-bit sum of ids, mod 2^256: eight 32-bit limbs, least significant first, because the
 * protocol reads each id as a little-endian integer.
 */
export type IdSum = Uint32Array;

const TWO_32 = 4294967296;
const WORDS = 8;
/** Lanes hold up to 2^53 exactly; 2^20 additions of 32-bit words stay well below that. */
const LANE_FLUSH_ITEMS = 1 << 20;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function newIdSum(): IdSum {
  return new Uint32Array(WORDS);
}

function wordAt(ids: Uint8Array, off: number): number {
  return (ids[off] | (ids[off + 1] << 8) | (ids[off + 2] << 16) | (ids[off + 3] << 24)) >>> 0;
}

/** sum += the id at ids[off..off+32]. */
export function addId(sum: IdSum, ids: Uint8Array, off: number): void {
  let carry = 0;
  for (let k = 0; k < WORDS; k++) {
    const s = sum[k] + wordAt(ids, off + 4 * k) + carry;
    sum[k] = s >>> 0;
    carry = s >= TWO_32 ? 1 : 0;
  }
}

/** sum -= the id at ids[off..off+32]. */
export function subtractId(sum: IdSum, ids: Uint8Array, off: number): void {
  let borrow = 0;
  for (let k = 0; k < WORDS; k++) {
    const s = sum[k] - wordAt(ids, off + 4 * k) - borrow;
    sum[k] = s >>> 0;
    borrow = s < 0 ? 1 : 0;
  }
}

/** a += b (mod 2^256). */
export function addSums(a: IdSum, aOff: number, b: IdSum, bOff: number): void {
  let carry = 0;
  for (let k = 0; k < WORDS; k++) {
    const s = a[aOff + k] + b[bOff + k] + carry;
    a[aOff + k] = s >>> 0;
    carry = s >= TWO_32 ? 1 : 0;
  }
}

/** a -= b (mod 2^256). */
export function subtractSums(a: IdSum, aOff: number, b: IdSum, bOff: number): void {
  let borrow = 0;
  for (let k = 0; k < WORDS; k++) {
    const s = a[aOff + k] - b[bOff + k] - borrow;
    a[aOff + k] = s >>> 0;
    borrow = s < 0 ? 1 : 0;
  }
}

/**
 * A little-endian word view of a packed id array, for addWordRange; null where the host is
 * big-endian or the array is not 4-byte aligned, and ids must be read byte by byte.
 */
export function idWords(ids: Uint8Array): Uint32Array | null {
  if (!LITTLE_ENDIAN_HOST || ids.byteOffset % 4 !== 0) return null;
  return new Uint32Array(ids.buffer, ids.byteOffset, ids.length >>> 2);
}

/** sum += ids of items [from, to) of a packed id array (32 bytes per item). */
export function addIdRange(sum: IdSum, ids: Uint8Array, from: number, to: number, words: Uint32Array | null = idWords(ids)): void {
  if (to <= from) return;
  if (words === null) {
    for (let i = from; i < to; i++) addId(sum, ids, i * ID_SIZE);
    return;
  }
  // Words go into eight independent float lanes, carried once per flush: 8 additions per id.
  for (let start = from; start < to; start += LANE_FLUSH_ITEMS) {
    const end = Math.min(to, start + LANE_FLUSH_ITEMS);
    let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
    for (let i = start, w = start * WORDS; i < end; i++, w += WORDS) {
      l0 += words[w];
      l1 += words[w + 1];
      l2 += words[w + 2];
      l3 += words[w + 3];
      l4 += words[w + 4];
      l5 += words[w + 5];
      l6 += words[w + 6];
      l7 += words[w + 7];
    }
    let carry = carryLane(sum, 0, l0, 0);
    carry = carryLane(sum, 1, l1, carry);
    carry = carryLane(sum, 2, l2, carry);
    carry = carryLane(sum, 3, l3, carry);
    carry = carryLane(sum, 4, l4, carry);
    carry = carryLane(sum, 5, l5, carry);
    carry = carryLane(sum, 6, l6, carry);
    carryLane(sum, 7, l7, carry);
  }
}

/** Adds a lane total and the incoming carry to limb k; returns the carry out (the top one is dropped: mod 2^256). */
function carryLane(sum: IdSum, k: number, lane: number, carry: number): number {
  const v = sum[k] + lane + carry;
  const low = v % TWO_32;
  sum[k] = low;
  return (v - low) / TWO_32;
}

/** The protocol fingerprint: first 16 bytes of SHA-256(sum as 32 little-endian bytes || varint(count)). */
export function fingerprintFromSum(sum: IdSum, count: number): Uint8Array {
  const buf = Buffer.allocUnsafe(ID_SIZE + varintLength(count));
  for (let k = 0; k < WORDS; k++) buf.writeUInt32LE(sum[k], 4 * k);
  putVarint(buf, ID_SIZE, count);
  return Uint8Array.from(hash('sha256', buf, 'buffer').subarray(0, FINGERPRINT_SIZE));
}

/** Fingerprint of a list of 32-byte ids (order does not matter). */
export function fingerprintOfIds(ids: readonly Uint8Array[]): Uint8Array {
  const sum = newIdSum();
  for (const id of ids) {
    if (id.length !== ID_SIZE) throw new RangeError(`id must be ${ID_SIZE} bytes`);
    addId(sum, id, 0);
  }
  return fingerprintFromSum(sum, ids.length);
}
