/**
 * The (timestamp, id) set a device reconciles, packed: 8 + 32 bytes an item in two typed arrays,
 * sorted by (timestamp, id) and without duplicates. A million items take 40 MB, where a million
 * {timestamp, id: Uint8Array} objects took several times that.
 */
import { decodeId32 } from './base58';

export interface PackedItems {
  readonly size: number;
  readonly timestamps: Float64Array;
  readonly ids: Uint8Array;
}

export class PackedItemsBuilder {
  private size = 0;
  private timestamps: Float64Array;
  private ids: Uint8Array;
  private sorted = true;

  /** `expected`: items about to be added, so that a million are not grown by copies (each copy holds old and new at once). */
  constructor(expected = 0) {
    const cap = Math.max(1024, Math.ceil(expected));
    this.timestamps = new Float64Array(cap);
    this.ids = new Uint8Array(cap * 32);
  }

  /** Adds an item; false when the id is not 32 bytes of base58. */
  add(timestamp: number, id: string): boolean {
    if (this.size === this.timestamps.length) {
      const ts = new Float64Array(this.size * 2);
      ts.set(this.timestamps);
      const ids = new Uint8Array(this.size * 2 * 32);
      ids.set(this.ids);
      this.timestamps = ts;
      this.ids = ids;
    }
    if (!decodeId32(id, this.ids, this.size * 32)) return false;
    this.timestamps[this.size] = timestamp;
    if (this.sorted && this.size > 0 && compareAt(this.timestamps, this.ids, this.size - 1, this.size) > 0) this.sorted = false;
    this.size++;
    return true;
  }

  /** Sorted, duplicates removed. */
  finish(): PackedItems {
    let { timestamps, ids } = this;
    const n = this.size;
    if (!this.sorted) {
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((a, b) => compareAt(timestamps, ids, a, b));
      const ts2 = new Float64Array(n);
      const ids2 = new Uint8Array(n * 32);
      for (let i = 0; i < n; i++) {
        ts2[i] = timestamps[order[i]];
        ids2.set(ids.subarray(order[i] * 32, order[i] * 32 + 32), i * 32);
      }
      timestamps = ts2;
      ids = ids2;
    }
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (m > 0 && compareAt(timestamps, ids, m - 1, i) === 0) continue;
      if (m !== i) {
        timestamps[m] = timestamps[i];
        ids.copyWithin(m * 32, i * 32, i * 32 + 32);
      }
      m++;
    }
    this.timestamps = new Float64Array(0);
    this.ids = new Uint8Array(0);
    // Nearly full (sized from `expected`): views, not a second 40 MB copy beside the first.
    if (m >= 0.9 * timestamps.length) return { size: m, timestamps: timestamps.subarray(0, m), ids: ids.subarray(0, m * 32) };
    return { size: m, timestamps: timestamps.slice(0, m), ids: ids.slice(0, m * 32) };
  }
}

function compareAt(ts: Float64Array, ids: Uint8Array, a: number, b: number): number {
  if (ts[a] !== ts[b]) return ts[a] < ts[b] ? -1 : 1;
  for (let k = 0; k < 32; k++) {
    const d = ids[a * 32 + k] - ids[b * 32 + k];
    if (d !== 0) return d;
  }
  return 0;
}
