/** A ReconStorage (@kiki/sync) over packed, sorted items: what the client reconciles without an object per item. */
import { type Bound, fingerprintOfIds, type ReconStorage } from '@kiki/sync';
import type { PackedItems } from '../core/recon-items';

export class PackedReconStorage implements ReconStorage {
  readonly size: number;

  constructor(private readonly items: PackedItems) {
    this.size = items.size;
  }

  private check(begin: number, end: number): void {
    if (!(Number.isInteger(begin) && Number.isInteger(end) && 0 <= begin && begin <= end && end <= this.size)) {
      throw new RangeError(`range [${begin}, ${end}) is outside [0, ${this.size})`);
    }
  }

  timestampAt(index: number): number {
    this.check(index, index + 1);
    return this.items.timestamps[index];
  }

  idAt(index: number): Uint8Array {
    this.check(index, index + 1);
    return this.items.ids.subarray(index * 32, index * 32 + 32);
  }

  /** Orders item i against a bound whose id prefix is padded with zeros. */
  private compare(i: number, bound: Bound): number {
    const ts = this.items.timestamps[i];
    if (ts !== bound.timestamp) return ts < bound.timestamp ? -1 : 1;
    const ids = this.items.ids;
    const prefix = bound.idPrefix;
    for (let k = 0; k < prefix.length; k++) {
      const d = ids[i * 32 + k] - prefix[k];
      if (d !== 0) return d;
    }
    for (let k = prefix.length; k < 32; k++) if (ids[i * 32 + k] !== 0) return 1;
    return 0;
  }

  lowerBound(bound: Bound, begin = 0, end = this.size): number {
    this.check(begin, end);
    let lo = begin;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(mid, bound) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  fingerprint(begin: number, end: number): Uint8Array {
    this.check(begin, end);
    const views: Uint8Array[] = new Array(end - begin);
    for (let i = begin; i < end; i++) views[i - begin] = this.items.ids.subarray(i * 32, i * 32 + 32);
    return fingerprintOfIds(views);
  }

  forEach(begin: number, end: number, visit: (timestamp: number, id: Uint8Array, index: number) => boolean | void): void {
    this.check(begin, end);
    for (let i = begin; i < end; i++) {
      if (visit(this.items.timestamps[i], this.items.ids.subarray(i * 32, i * 32 + 32), i) === false) return;
    }
  }
}
