import { assertItem, type Bound, compareIdBytes, compareItemToBound, type ReconItem } from './bound';
import { ID_SIZE } from './constants';
import { addIdRange, fingerprintFromSum, newIdSum } from './fingerprint';

/**
 * What the reconciler needs from a set of items kept in (timestamp, id) order, addressed by
 * position. Views returned by `idAt` and passed to `forEach` are valid until the storage changes.
 */
export interface ReconStorage {
  readonly size: number;
  timestampAt(index: number): number;
  idAt(index: number): Uint8Array;
  /** First index in [begin, end) whose item is >= bound, or `end`. */
  lowerBound(bound: Bound, begin?: number, end?: number): number;
  /** Protocol fingerprint of the items [begin, end). */
  fingerprint(begin: number, end: number): Uint8Array;
  /** Visits items [begin, end) in order; stops early when `visit` returns false. */
  forEach(begin: number, end: number, visit: (timestamp: number, id: Uint8Array, index: number) => boolean | void): void;
}

export function checkRange(size: number, begin: number, end: number): void {
  if (!(Number.isInteger(begin) && Number.isInteger(end) && 0 <= begin && begin <= end && end <= size)) {
    throw new RangeError(`range [${begin}, ${end}) is outside [0, ${size})`);
  }
}

/**
 * A client's set: sorted once from a list, then read-only. Fingerprints scan their range, which is
 * fine for one device's data; the hub uses ReconIndex.
 */
export class SortedVectorStorage implements ReconStorage {
  private readonly timestamps: Float64Array;
  private readonly ids: Uint8Array;
  readonly size: number;

  constructor(items: Iterable<ReconItem>) {
    const list = Array.isArray(items) ? (items as readonly ReconItem[]) : Array.from(items);
    for (const item of list) assertItem(item.timestamp, item.id);
    const keys = Float64Array.from(list, (item) => item.timestamp);
    const compare = (a: number, b: number): number => keys[a] - keys[b] || compareIdBytes(list[a].id, 0, list[b].id, 0);
    const order = list.map((_, i) => i);
    // Devices usually load their set already ordered from their own store: then no sort is needed.
    let sorted = true;
    for (let i = 1; i < list.length && sorted; i++) sorted = compare(i - 1, i) <= 0;
    if (!sorted) order.sort(compare);

    const timestamps = new Float64Array(list.length);
    const ids = new Uint8Array(list.length * ID_SIZE);
    let n = 0;
    for (const i of order) {
      const { timestamp, id } = list[i];
      // Equal (timestamp, id) pairs are one item: a set, as the protocol requires.
      if (n > 0 && timestamps[n - 1] === timestamp && compareIdBytes(ids, (n - 1) * ID_SIZE, id, 0) === 0) continue;
      timestamps[n] = timestamp;
      ids.set(id, n * ID_SIZE);
      n++;
    }
    this.size = n;
    this.timestamps = timestamps.subarray(0, n);
    this.ids = ids.subarray(0, n * ID_SIZE);
  }

  timestampAt(index: number): number {
    checkRange(this.size, index, index + 1);
    return this.timestamps[index];
  }

  idAt(index: number): Uint8Array {
    checkRange(this.size, index, index + 1);
    return this.ids.subarray(index * ID_SIZE, (index + 1) * ID_SIZE);
  }

  lowerBound(bound: Bound, begin = 0, end = this.size): number {
    checkRange(this.size, begin, end);
    let lo = begin;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareItemToBound(this.timestamps[mid], this.ids, mid * ID_SIZE, bound) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  fingerprint(begin: number, end: number): Uint8Array {
    checkRange(this.size, begin, end);
    const sum = newIdSum();
    addIdRange(sum, this.ids, begin, end);
    return fingerprintFromSum(sum, end - begin);
  }

  forEach(begin: number, end: number, visit: (timestamp: number, id: Uint8Array, index: number) => boolean | void): void {
    checkRange(this.size, begin, end);
    for (let i = begin; i < end; i++) {
      if (visit(this.timestamps[i], this.ids.subarray(i * ID_SIZE, (i + 1) * ID_SIZE), i) === false) return;
    }
  }
}
