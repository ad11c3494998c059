import { assertItem, type Bound, compareIdBytes, compareItemToBound } from './bound';
import { ID_SIZE } from './constants';
import {
  addId,
  addIdRange,
  addSums,
  fingerprintFromSum,
  type IdSum,
  idWords,
  newIdSum,
  subtractId,
  subtractSums,
} from './fingerprint';
import { checkRange, type ReconStorage } from './storage';

/** A sorted run of items; the chunk's count and id sum are kept current on every change. */
interface Chunk {
  timestamps: Float64Array;
  ids: Uint8Array;
  /** Word view of `ids` for fast summing (null on big-endian hosts). */
  words: Uint32Array | null;
  count: number;
  sum: IdSum;
}

export interface ReconIndexOptions {
  /** Largest number of items per chunk (default 256): fingerprints scan at most half a chunk per end. */
  chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 256;
const MIN_CHUNK_SIZE = 8;
const MAX_CHUNK_SIZE = 1 << 16;
/** A new chunk starts small so that the many regions holding a handful of envelopes stay cheap. */
const INITIAL_CHUNK_CAPACITY = 16;
/** Below this many items, summing the range directly beats two running-sum lookups. */
const DIRECT_SUM_MAX = 64;

/**
 * The hub's in-memory set of (timestamp, id) items for one region, built for millions of items
 * arriving in any order: sorted chunks with cached sums, so any range's fingerprint costs
 * O(log chunks + chunkSize) instead of a scan of the range.
 */
export class ReconIndex implements ReconStorage {
  private readonly chunkSize: number;
  private chunks: Chunk[] = [];
  private total = 0;

  // Derived from the chunks and rebuilt lazily after a change: positions and running sums per chunk.
  private derivedValid = false;
  private starts = new Float64Array(1);
  private runningSums: IdSum = newIdSum();
  // Consecutive ranges share an end point, so the last running sum computed is usually asked again.
  private memoIndex = -1;
  private readonly memoSum: IdSum = newIdSum();

  constructor(options: ReconIndexOptions = {}) {
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw new RangeError(`chunkSize must be an integer in [${MIN_CHUNK_SIZE}, ${MAX_CHUNK_SIZE}]`);
    }
    this.chunkSize = chunkSize;
  }

  get size(): number {
    return this.total;
  }

  /** Number of chunks (exposed for tests and metrics). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Adds an item; returns false when that exact (timestamp, id) was already present. */
  insert(timestamp: number, id: Uint8Array): boolean {
    assertItem(timestamp, id);
    if (this.chunks.length === 0) {
      this.chunks.push(this.newChunk(INITIAL_CHUNK_CAPACITY));
    }
    const c = this.chunkFor(timestamp, id);
    let chunk = this.chunks[c];
    let pos = this.positionIn(chunk, timestamp, id);
    if (pos < chunk.count && this.equalAt(chunk, pos, timestamp, id)) return false;

    if (chunk.count === this.chunkSize) {
      if (c === this.chunks.length - 1 && pos === chunk.count) {
        // Appends in time order (the usual case) start a fresh chunk instead of leaving half-empty ones.
        chunk = this.newChunk(INITIAL_CHUNK_CAPACITY);
        this.chunks.push(chunk);
        pos = 0;
      } else if (c === 0 && pos === 0) {
        chunk = this.newChunk(INITIAL_CHUNK_CAPACITY);
        this.chunks.unshift(chunk);
      } else {
        const right = this.splitChunk(c);
        if (pos > chunk.count) {
          pos -= chunk.count;
          chunk = right;
        }
      }
    }

    this.reserve(chunk, chunk.count + 1);
    chunk.timestamps.copyWithin(pos + 1, pos, chunk.count);
    chunk.ids.copyWithin((pos + 1) * ID_SIZE, pos * ID_SIZE, chunk.count * ID_SIZE);
    chunk.timestamps[pos] = timestamp;
    chunk.ids.set(id, pos * ID_SIZE);
    addId(chunk.sum, chunk.ids, pos * ID_SIZE);
    chunk.count++;
    this.total++;
    this.invalidate();
    return true;
  }

  /** Removes an item; returns false when it was not present. */
  delete(timestamp: number, id: Uint8Array): boolean {
    assertItem(timestamp, id);
    if (this.chunks.length === 0) return false;
    const c = this.chunkFor(timestamp, id);
    const chunk = this.chunks[c];
    const pos = this.positionIn(chunk, timestamp, id);
    if (pos >= chunk.count || !this.equalAt(chunk, pos, timestamp, id)) return false;

    subtractId(chunk.sum, chunk.ids, pos * ID_SIZE);
    chunk.timestamps.copyWithin(pos, pos + 1, chunk.count);
    chunk.ids.copyWithin(pos * ID_SIZE, (pos + 1) * ID_SIZE, chunk.count * ID_SIZE);
    chunk.count--;
    // Empty chunks are dropped so that every chunk has a first and a last item to search on.
    if (chunk.count === 0) this.chunks.splice(c, 1);
    this.total--;
    this.invalidate();
    return true;
  }

  has(timestamp: number, id: Uint8Array): boolean {
    assertItem(timestamp, id);
    if (this.chunks.length === 0) return false;
    const chunk = this.chunks[this.chunkFor(timestamp, id)];
    const pos = this.positionIn(chunk, timestamp, id);
    return pos < chunk.count && this.equalAt(chunk, pos, timestamp, id);
  }

  timestampAt(index: number): number {
    checkRange(this.total, index, index + 1);
    const c = this.chunkAt(index);
    return this.chunks[c].timestamps[index - this.starts[c]];
  }

  idAt(index: number): Uint8Array {
    checkRange(this.total, index, index + 1);
    const c = this.chunkAt(index);
    const off = (index - this.starts[c]) * ID_SIZE;
    return this.chunks[c].ids.subarray(off, off + ID_SIZE);
  }

  lowerBound(bound: Bound, begin = 0, end = this.total): number {
    checkRange(this.total, begin, end);
    const chunks = this.chunks;
    // First chunk whose last item is >= bound; the answer lies in it.
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const ch = chunks[mid];
      const last = ch.count - 1;
      if (compareItemToBound(ch.timestamps[last], ch.ids, last * ID_SIZE, bound) < 0) lo = mid + 1;
      else hi = mid;
    }
    let index = this.total;
    if (lo < chunks.length) {
      this.ensureDerived();
      const ch = chunks[lo];
      let a = 0;
      let b = ch.count;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (compareItemToBound(ch.timestamps[mid], ch.ids, mid * ID_SIZE, bound) < 0) a = mid + 1;
        else b = mid;
      }
      index = this.starts[lo] + a;
    }
    return Math.min(Math.max(index, begin), end);
  }

  fingerprint(begin: number, end: number): Uint8Array {
    checkRange(this.total, begin, end);
    const sum = newIdSum();
    if (end - begin <= DIRECT_SUM_MAX) {
      this.forEachChunkPart(begin, end, (chunk, from, to) => addIdRange(sum, chunk.ids, from, to, chunk.words));
    } else {
      // begin first, so that the memo is left holding `end`: the next range starts there.
      const low = Uint32Array.from(this.runningSum(begin));
      sum.set(this.runningSum(end));
      subtractSums(sum, 0, low, 0);
    }
    return fingerprintFromSum(sum, end - begin);
  }

  forEach(begin: number, end: number, visit: (timestamp: number, id: Uint8Array, index: number) => boolean | void): void {
    checkRange(this.total, begin, end);
    let index = begin;
    let stopped = false;
    this.forEachChunkPart(begin, end, (chunk, from, to) => {
      for (let i = from; i < to && !stopped; i++, index++) {
        if (visit(chunk.timestamps[i], chunk.ids.subarray(i * ID_SIZE, (i + 1) * ID_SIZE), index) === false) stopped = true;
      }
      return !stopped;
    });
  }

  // --- internals -------------------------------------------------------------------------------

  private newChunk(capacity: number): Chunk {
    const ids = new Uint8Array(capacity * ID_SIZE);
    return { timestamps: new Float64Array(capacity), ids, words: idWords(ids), count: 0, sum: newIdSum() };
  }

  /** Grows a chunk's arrays (doubling, capped at chunkSize) to hold `needed` items. */
  private reserve(chunk: Chunk, needed: number): void {
    const capacity = chunk.timestamps.length;
    if (needed <= capacity) return;
    const next = Math.min(this.chunkSize, Math.max(needed, capacity * 2));
    const timestamps = new Float64Array(next);
    timestamps.set(chunk.timestamps.subarray(0, chunk.count));
    const ids = new Uint8Array(next * ID_SIZE);
    ids.set(chunk.ids.subarray(0, chunk.count * ID_SIZE));
    chunk.timestamps = timestamps;
    chunk.ids = ids;
    chunk.words = idWords(ids);
  }

  /** Moves the upper half of chunk c into a new chunk after it; returns the new chunk. */
  private splitChunk(c: number): Chunk {
    const left = this.chunks[c];
    const keep = left.count >>> 1;
    const moved = left.count - keep;
    const right = this.newChunk(this.chunkSize);
    right.timestamps.set(left.timestamps.subarray(keep, left.count));
    right.ids.set(left.ids.subarray(keep * ID_SIZE, left.count * ID_SIZE));
    right.count = moved;
    addIdRange(right.sum, right.ids, 0, moved, right.words);
    subtractSums(left.sum, 0, right.sum, 0);
    left.count = keep;
    this.chunks.splice(c + 1, 0, right);
    return right;
  }

  /** Last chunk whose first item is <= (timestamp, id), or chunk 0. */
  private chunkFor(timestamp: number, id: Uint8Array): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.compareAt(this.chunks[mid], 0, timestamp, id) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First position in the chunk whose item is >= (timestamp, id). */
  private positionIn(chunk: Chunk, timestamp: number, id: Uint8Array): number {
    let lo = 0;
    let hi = chunk.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(chunk, mid, timestamp, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compareAt(chunk: Chunk, pos: number, timestamp: number, id: Uint8Array): number {
    const t = chunk.timestamps[pos];
    if (t !== timestamp) return t < timestamp ? -1 : 1;
    return compareIdBytes(chunk.ids, pos * ID_SIZE, id, 0);
  }

  private equalAt(chunk: Chunk, pos: number, timestamp: number, id: Uint8Array): boolean {
    return this.compareAt(chunk, pos, timestamp, id) === 0;
  }

  private invalidate(): void {
    this.derivedValid = false;
    this.memoIndex = -1;
  }

  private ensureDerived(): void {
    if (this.derivedValid) return;
    const n = this.chunks.length;
    if (this.starts.length < n + 1) this.starts = new Float64Array(Math.max(n + 1, this.starts.length * 2));
    if (this.runningSums.length < 8 * (n + 1)) this.runningSums = new Uint32Array(8 * Math.max(n + 1, this.starts.length));
    const starts = this.starts;
    const sums = this.runningSums;
    starts[0] = 0;
    sums.fill(0, 0, 8);
    for (let c = 0; c < n; c++) {
      starts[c + 1] = starts[c] + this.chunks[c].count;
      sums.copyWithin(8 * (c + 1), 8 * c, 8 * c + 8);
      addSums(sums, 8 * (c + 1), this.chunks[c].sum, 0);
    }
    this.derivedValid = true;
  }

  /** Chunk holding position `index` (< size). */
  private chunkAt(index: number): number {
    this.ensureDerived();
    const starts = this.starts;
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Sum of the ids of items [0, index), from the running chunk sums plus at most half a chunk. */
  private runningSum(index: number): IdSum {
    if (index === this.memoIndex) return this.memoSum;
    this.ensureDerived();
    const out = this.memoSum;
    const n = this.chunks.length;
    if (index === this.total) {
      out.set(this.runningSums.subarray(8 * n, 8 * n + 8));
    } else {
      const c = this.chunkAt(index);
      const chunk = this.chunks[c];
      const off = index - this.starts[c];
      if (off <= chunk.count - off) {
        out.set(this.runningSums.subarray(8 * c, 8 * c + 8));
        addIdRange(out, chunk.ids, 0, off, chunk.words);
      } else {
        out.set(this.runningSums.subarray(8 * (c + 1), 8 * c + 16));
        const tail = newIdSum();
        addIdRange(tail, chunk.ids, off, chunk.count, chunk.words);
        subtractSums(out, 0, tail, 0);
      }
    }
    this.memoIndex = index;
    return out;
  }

  /** Calls `part` with each chunk's slice of positions [begin, end); stops when it returns false. */
  private forEachChunkPart(begin: number, end: number, part: (chunk: Chunk, from: number, to: number) => boolean | void): void {
    if (begin >= end) return;
    let c = this.chunkAt(begin);
    let from = begin - this.starts[c];
    let remaining = end - begin;
    while (remaining > 0) {
      const chunk = this.chunks[c];
      const to = Math.min(chunk.count, from + remaining);
      if (part(chunk, from, to) === false) return;
      remaining -= to - from;
      from = 0;
      c++;
    }
  }
}
