/** The packed reconciliation set answers exactly as @kiki/sync's SortedVectorStorage. */
import { randomBytes } from 'node:crypto';
import { base58Encode } from '@kiki/crypto';
import { SortedVectorStorage } from '@kiki/sync';
import { describe, expect, it } from 'vitest';
import { PackedItemsBuilder } from '../src/core/recon-items';
import { PackedReconStorage } from '../src/node/recon-storage';

describe('PackedReconStorage', () => {
  it('sorts, dedupes and fingerprints like SortedVectorStorage', () => {
    const items = Array.from({ length: 3000 }, (_, i) => ({ timestamp: 1_700_000_000_000 + (i % 500) * 7, id: randomBytes(32) }));
    items.push({ ...items[5] }, { ...items[17] }); // duplicates count once
    items[9].id[0] = 0; // a leading zero byte
    const builder = new PackedItemsBuilder();
    for (const it of items) expect(builder.add(it.timestamp, base58Encode(it.id))).toBe(true);
    expect(builder.add(1, 'not-base58-0OIl')).toBe(false);
    const packed = new PackedReconStorage(builder.finish());
    const reference = new SortedVectorStorage(items);
    expect(packed.size).toBe(reference.size);
    expect(packed.size).toBe(3000);
    for (const [b, e] of [[0, 3000], [0, 1], [17, 1234], [2999, 3000], [100, 100]]) {
      expect(Buffer.from(packed.fingerprint(b, e))).toEqual(Buffer.from(reference.fingerprint(b, e)));
    }
    for (let i = 0; i < 3000; i += 97) {
      expect(packed.timestampAt(i)).toBe(reference.timestampAt(i));
      expect(Buffer.from(packed.idAt(i))).toEqual(Buffer.from(reference.idAt(i)));
      const bound = { timestamp: reference.timestampAt(i), idPrefix: reference.idAt(i).subarray(0, 3) };
      expect(packed.lowerBound(bound)).toBe(reference.lowerBound(bound));
    }
    expect(() => packed.idAt(3000)).toThrow(RangeError);
  });
});
