import { ID_SIZE, MAX_TIMESTAMP } from './constants';

/** An item of a reconciled set: an envelope's timestamp (ms since epoch) and its 32-byte id. */
export interface ReconItem {
  readonly timestamp: number;
  readonly id: Uint8Array;
}

/**
 * A position in the (timestamp, id) order: everything strictly below `timestamp`, then ids below
 * `idPrefix` padded with zero bytes. `timestamp === Infinity` is the end of the space.
 */
export interface Bound {
  readonly timestamp: number;
  readonly idPrefix: Uint8Array;
}

const EMPTY = new Uint8Array(0);
export const ZERO_BOUND: Bound = Object.freeze({ timestamp: 0, idPrefix: EMPTY });
export const INFINITY_BOUND: Bound = Object.freeze({ timestamp: Infinity, idPrefix: EMPTY });

/** Throws a RangeError for anything that cannot be an item (programming error, not peer input). */
export function assertItem(timestamp: number, id: Uint8Array): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP) {
    throw new RangeError(`timestamp must be an integer in [0, 2^53 - 2], got ${timestamp}`);
  }
  if (!(id instanceof Uint8Array) || id.length !== ID_SIZE) {
    throw new RangeError(`id must be a ${ID_SIZE}-byte Uint8Array`);
  }
}

/** Compares the 32-byte ids at a[aOff] and b[bOff] lexicographically. */
export function compareIdBytes(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): number {
  for (let i = 0; i < ID_SIZE; i++) {
    const d = a[aOff + i] - b[bOff + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** Orders an item (timestamp, ids[off..off+32]) against a bound; 0 means the item sits exactly on it. */
export function compareItemToBound(timestamp: number, ids: Uint8Array, off: number, bound: Bound): number {
  if (timestamp !== bound.timestamp) return timestamp < bound.timestamp ? -1 : 1;
  const prefix = bound.idPrefix;
  for (let i = 0; i < prefix.length; i++) {
    const d = ids[off + i] - prefix[i];
    if (d !== 0) return d;
  }
  // The prefix is implicitly padded with zeros, so any non-zero remaining byte puts the item above it.
  for (let i = prefix.length; i < ID_SIZE; i++) if (ids[off + i] !== 0) return 1;
  return 0;
}

/** Orders two bounds, each prefix padded with zeros. */
export function compareBounds(a: Bound, b: Bound): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  const pa = a.idPrefix;
  const pb = b.idPrefix;
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const d = (i < pa.length ? pa[i] : 0) - (i < pb.length ? pb[i] : 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The shortest bound that is above `prev` and at or below `curr` (prev < curr): no prefix when the
 * timestamps differ, otherwise the common id prefix plus one byte of `curr`.
 */
export function minimalBound(prevTs: number, prevId: Uint8Array, currTs: number, currId: Uint8Array): Bound {
  if (prevTs !== currTs) return { timestamp: currTs, idPrefix: EMPTY };
  let shared = 0;
  while (shared < ID_SIZE && prevId[shared] === currId[shared]) shared++;
  return { timestamp: currTs, idPrefix: currId.slice(0, Math.min(shared + 1, ID_SIZE)) };
}
