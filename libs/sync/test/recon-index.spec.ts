import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Bound, ReconIndex, type ReconItem, type ReconStorage, SortedVectorStorage } from '../src';
import { hex, idFrom, rng } from './helpers';

/** Brute-force fingerprint with BigInt: an implementation independent of the library's limb code. */
function bruteFingerprint(ids: Uint8Array[]): string {
  let sum = 0n;
  for (const id of ids) sum += BigInt(`0x${Buffer.from(id).reverse().toString('hex') || '0'}`);
  sum &= (1n << 256n) - 1n;
  const le = Buffer.from(sum.toString(16).padStart(64, '0'), 'hex').reverse();
  const count: number[] = [];
  let n = ids.length;
  do {
    count.unshift(n % 128);
    n = Math.floor(n / 128);
  } while (n > 0);
  for (let i = 0; i < count.length - 1; i++) count[i] |= 0x80;
  return createHash('sha256').update(Buffer.concat([le, Buffer.from(count)])).digest().subarray(0, 16).toString('hex');
}

function sortedUnique(items: ReconItem[]): ReconItem[] {
  const seen = new Map<string, ReconItem>();
  for (const it of items) seen.set(`${it.timestamp}:${hex(it.id)}`, it);
  return [...seen.values()].sort((a, b) => a.timestamp - b.timestamp || Buffer.compare(a.id, b.id));
}

function contents(storage: ReconStorage): string[] {
  const out: string[] = [];
  storage.forEach(0, storage.size, (ts, id) => {
    out.push(`${ts}:${hex(id)}`);
  });
  return out;
}

/** Everything the reconciler reads, checked against the naive sorted list. */
function expectMatchesNaive(storage: ReconStorage, expected: ReconItem[], probe: () => number): void {
  expect(storage.size).toBe(expected.length);
  expect(contents(storage)).toEqual(expected.map((i) => `${i.timestamp}:${hex(i.id)}`));
  const n = expected.length;
  for (let k = 0; k < 40; k++) {
    const a = Math.floor(probe() * (n + 1));
    const b = a + Math.floor(probe() * (n - a + 1));
    expect(hex(storage.fingerprint(a, b))).toBe(bruteFingerprint(expected.slice(a, b).map((i) => i.id)));
  }
  expect(hex(storage.fingerprint(0, n))).toBe(bruteFingerprint(expected.map((i) => i.id)));
  for (let k = 0; k < 20 && n > 0; k++) {
    const i = Math.floor(probe() * n);
    expect(storage.timestampAt(i)).toBe(expected[i].timestamp);
    expect(hex(storage.idAt(i))).toBe(hex(expected[i].id));
    // A bound made from an item's own prefix lands at or before it, never after.
    const prefixLength = Math.floor(probe() * 33);
    const bound: Bound = { timestamp: expected[i].timestamp, idPrefix: expected[i].id.slice(0, prefixLength) };
    const naive = expected.findIndex((e) => e.timestamp > bound.timestamp || (e.timestamp === bound.timestamp && Buffer.compare(Buffer.from(e.id), Buffer.concat([bound.idPrefix, Buffer.alloc(32 - prefixLength)])) >= 0));
    expect(storage.lowerBound(bound)).toBe(naive === -1 ? n : naive);
    const begin = Math.floor(probe() * (n + 1));
    const end = begin + Math.floor(probe() * (n - begin + 1));
    expect(storage.lowerBound(bound, begin, end)).toBe(Math.min(Math.max(naive === -1 ? n : naive, begin), end));
  }
  expect(storage.lowerBound({ timestamp: Infinity, idPrefix: new Uint8Array(0) })).toBe(n);
  expect(storage.lowerBound({ timestamp: 0, idPrefix: new Uint8Array(0) })).toBe(0);
}

const itemArb = fc.record({
  timestamp: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 })),
  // A small label pool produces repeated ids (duplicates) and shared prefixes come from ids like 00 00 .. xx.
  id: fc.oneof(
    fc.integer({ min: 0, max: 50 }).map((n) => idFrom(n)),
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.integer({ min: 0, max: 255 }).map((b) => Uint8Array.from([0, 0, b, ...new Array<number>(29).fill(0)])),
  ),
});

describe('ReconIndex', () => {
  it('matches a brute-force recomputation after random inserts and deletes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(itemArb, { maxLength: 400 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.constantFrom(8, 16, 64),
        fc.integer(),
        (items, deletions, chunkSize, seed) => {
          const index = new ReconIndex({ chunkSize });
          const seen = new Set<string>();
          for (const it of items) {
            const key = `${it.timestamp}:${hex(it.id)}`;
            expect(index.insert(it.timestamp, it.id)).toBe(!seen.has(key));
            seen.add(key);
          }
          let expected = sortedUnique(items);
          expectMatchesNaive(index, expected, rng(seed));
          for (const d of deletions) {
            if (expected.length === 0) break;
            const victim = expected[d % expected.length];
            expect(index.delete(victim.timestamp, victim.id)).toBe(true);
            expect(index.delete(victim.timestamp, victim.id)).toBe(false);
            expect(index.has(victim.timestamp, victim.id)).toBe(false);
            expected = expected.filter((e) => e !== victim);
          }
          expectMatchesNaive(index, expected, rng(seed + 1));
          for (const e of expected) expect(index.has(e.timestamp, e.id)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('splits chunks and keeps running sums right across many of them', () => {
    const r = rng(7);
    const index = new ReconIndex({ chunkSize: 32 });
    const items: ReconItem[] = [];
    for (let i = 0; i < 20_000; i++) {
      const item = { timestamp: Math.floor(r() * 5000), id: idFrom(`s${i}`) };
      items.push(item);
      index.insert(item.timestamp, item.id);
    }
    expect(index.chunkCount).toBeGreaterThan(20_000 / 32);
    expectMatchesNaive(index, sortedUnique(items), rng(8));
  });

  it('fills chunks completely when items arrive in time order', () => {
    const index = new ReconIndex({ chunkSize: 64 });
    for (let i = 0; i < 64 * 10; i++) index.insert(1_000 + i, idFrom(i));
    expect(index.chunkCount).toBe(10);
    // And in reverse time order.
    const reverse = new ReconIndex({ chunkSize: 64 });
    for (let i = 64 * 10 - 1; i >= 0; i--) reverse.insert(1_000 + i, idFrom(i));
    expect(reverse.chunkCount).toBe(10);
    expect(contents(reverse)).toEqual(contents(index));
  });

  it('treats a repeated insert as a no-op, also for equal timestamps with different ids', () => {
    const index = new ReconIndex();
    expect(index.insert(5, idFrom('a'))).toBe(true);
    expect(index.insert(5, idFrom('a'))).toBe(false);
    expect(index.insert(5, idFrom('b'))).toBe(true);
    expect(index.size).toBe(2);
    expect(index.has(5, idFrom('b'))).toBe(true);
    expect(index.has(6, idFrom('b'))).toBe(false);
  });

  it('refuses items that are not items', () => {
    const index = new ReconIndex();
    expect(() => index.insert(-1, idFrom(1))).toThrow(RangeError);
    expect(() => index.insert(1.5, idFrom(1))).toThrow(RangeError);
    expect(() => index.insert(Number.MAX_SAFE_INTEGER, idFrom(1))).toThrow(RangeError);
    expect(() => index.insert(1, new Uint8Array(31))).toThrow(RangeError);
    expect(() => index.fingerprint(0, 1)).toThrow(RangeError);
    expect(() => new ReconIndex({ chunkSize: 2 })).toThrow(RangeError);
  });

  it('serves an empty set', () => {
    const index = new ReconIndex();
    expectMatchesNaive(index, [], rng(1));
    expect(index.delete(1, idFrom(1))).toBe(false);
  });
});

describe('SortedVectorStorage', () => {
  it('matches a brute-force recomputation, duplicates removed (property)', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 400 }), fc.integer(), (items, seed) => {
        expectMatchesNaive(new SortedVectorStorage(items), sortedUnique(items), rng(seed));
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same answers as ReconIndex for the same set', () => {
    const r = rng(3);
    const items: ReconItem[] = [];
    for (let i = 0; i < 3000; i++) items.push({ timestamp: Math.floor(r() * 100), id: idFrom(i) });
    const index = new ReconIndex({ chunkSize: 16 });
    for (const it of items) index.insert(it.timestamp, it.id);
    const vector = new SortedVectorStorage(items);
    expect(contents(index)).toEqual(contents(vector));
    for (let k = 0; k < 200; k++) {
      const a = Math.floor(r() * 3001);
      const b = a + Math.floor(r() * (3001 - a));
      expect(hex(index.fingerprint(a, b))).toBe(hex(vector.fingerprint(a, b)));
    }
  });
});
