import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeVarint,
  encodeVarint,
  fingerprintOfIds,
  NegentropyClient,
  NegentropyServer,
  ReconcileProtocolError,
  SortedVectorStorage,
} from '../src';
import { addIdRange, idWords, newIdSum } from '../src/fingerprint';
import { fromHex, hex, rng } from './helpers';

const sha16 = (...parts: number[][]): string =>
  createHash('sha256').update(Uint8Array.from(parts.flat())).digest().subarray(0, 16).toString('hex');
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

describe('varint (known answers)', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8100'],
    [300, '822c'], // 300 = 2*128 + 44
    [16383, 'ff7f'],
    [16384, '818000'],
    [2 ** 32, '9080808000'], // 2^32 = 16 * 128^4
    [Number.MAX_SAFE_INTEGER, '8fffffffffffff7f'], // 53 one-bits: 4 + 7*7
  ])('%d encodes as %s and decodes back', (n, expected) => {
    expect(hex(encodeVarint(n))).toBe(expected);
    expect(decodeVarint(fromHex(expected), 0)).toEqual({ value: n, offset: expected.length / 2 });
  });

  it('refuses values it cannot carry exactly', () => {
    expect(() => encodeVarint(-1)).toThrow(RangeError);
    expect(() => encodeVarint(2 ** 53)).toThrow(RangeError);
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
  });

  it.each([
    ['81', 'truncated'],
    ['', 'truncated'],
    ['8001', 'varint_not_minimal'],
    ['9080808080808000', 'varint_overflow'], // 2^53
    ['ffffffffffffffffffffffff7f', 'varint_overflow'],
  ])('decoding %s fails with %s', (bytes, code) => {
    let err: unknown;
    try {
      decodeVarint(fromHex(bytes), 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReconcileProtocolError);
    expect((err as ReconcileProtocolError).code).toBe(code);
  });
});

describe('fingerprint (known answers)', () => {
  it('of the empty set is SHA-256 of 32 zero bytes and count 0', () => {
    expect(hex(fingerprintOfIds([]))).toBe(sha16(zeros(32), [0]));
  });

  it('adds ids as little-endian integers, carrying between bytes and words', () => {
    // 0xff + 0x01 = 0x100: byte 0 becomes 0, byte 1 becomes 1.
    const a = Uint8Array.from([0xff, ...zeros(31)]);
    const b = Uint8Array.from([0x01, ...zeros(31)]);
    expect(hex(fingerprintOfIds([a, b]))).toBe(sha16([0x00, 0x01, ...zeros(30)], [2]));
    // 0xffffffff + 1 carries out of the first 32-bit word into byte 4.
    const c = Uint8Array.from([0xff, 0xff, 0xff, 0xff, ...zeros(28)]);
    expect(hex(fingerprintOfIds([c, b]))).toBe(sha16([0, 0, 0, 0, 1, ...zeros(27)], [2]));
  });

  it('wraps modulo 2^256 and encodes the count as a varint', () => {
    // (2^256 - 1) + 1 = 0 mod 2^256.
    const max = new Uint8Array(32).fill(0xff);
    const one = Uint8Array.from([1, ...zeros(31)]);
    expect(hex(fingerprintOfIds([max, one]))).toBe(sha16(zeros(32), [2]));
    // 200 copies of the zero id: sum 0, count 200 = varint 81 48.
    const many = Array.from({ length: 200 }, () => new Uint8Array(32));
    expect(hex(fingerprintOfIds(many))).toBe(sha16(zeros(32), [0x81, 0x48]));
  });

  it('sums the same through the word lanes, the byte-wise path (big-endian hosts) and misaligned views', () => {
    const r = rng(11);
    const bytes = Uint8Array.from({ length: 1 + 300 * 32 }, () => Math.floor(r() * 256));
    const aligned = bytes.slice(1);
    const misaligned = bytes.subarray(1);
    expect(idWords(misaligned)).toBeNull();
    const viaLanes = newIdSum();
    addIdRange(viaLanes, aligned, 3, 290);
    const viaBytes = newIdSum();
    addIdRange(viaBytes, aligned, 3, 290, null);
    const viaMisaligned = newIdSum();
    addIdRange(viaMisaligned, misaligned, 3, 290);
    expect(Array.from(viaBytes)).toEqual(Array.from(viaLanes));
    expect(Array.from(viaMisaligned)).toEqual(Array.from(viaLanes));
    const ids = Array.from({ length: 287 }, (_, i) => aligned.slice((i + 3) * 32, (i + 4) * 32));
    let big = 0n;
    for (const id of ids) big += BigInt(`0x${Buffer.from(id).reverse().toString('hex')}`);
    big &= (1n << 256n) - 1n;
    const limbs = Array.from({ length: 8 }, (_, k) => Number((big >> BigInt(32 * k)) & 0xffffffffn));
    expect(Array.from(viaLanes)).toEqual(limbs);
  });

  // Vectors from the reference project's conformance tests (hoytech/negentropy, Kotlin FingerprintTest).
  const refA = 'eb6b05c2e3b008592ac666594d78ed83e7b9ab30f825b9b08878128f7500008c';
  const refB = '39b916432333e069a4386917609215cc688eb99f06fed01aadc29b1b4b92d6f0';
  const refC = 'abc81d58ebe3b9a87100d47f58bf15e9b1cbf62d38623f11d0f0d17179f5f3ba';

  it('matches the reference implementation', () => {
    expect(hex(fingerprintOfIds([fromHex(refA)]))).toBe('6d74e1212fcafc8a81d090f0ffbde8b0');
    expect(hex(fingerprintOfIds([fromHex(refA), fromHex(refB)]))).toBe('96b26d110825d4b1805fc56988a3e65d');
    expect(hex(fingerprintOfIds([fromHex(refA), fromHex(refB), fromHex(refC)]))).toBe('c15ce60f185fd24ae341076caa93daa5');
  });

  it('storage fingerprints agree with the list function, over any range', () => {
    const items = [refA, refB, refC].map((h, i) => ({ timestamp: 1678011277 + i, id: fromHex(h) }));
    const storage = new SortedVectorStorage(items);
    expect(hex(storage.fingerprint(0, 3))).toBe('c15ce60f185fd24ae341076caa93daa5');
    expect(hex(storage.fingerprint(0, 2))).toBe('96b26d110825d4b1805fc56988a3e65d');
  });

  it('initial message equals the reference one for the same three items', () => {
    const items = [refA, refB, refC].map((h, i) => ({ timestamp: 1678011277 + i, id: fromHex(h) }));
    // Version 61, bound (infinity 00, prefix length 00), mode IdList 02, count 03, ids in order.
    expect(hex(new NegentropyClient(new SortedVectorStorage(items)).initiate())).toBe(`6100000203${refA}${refB}${refC}`);
  });

  it('a responder answers an unknown version with the version it speaks', () => {
    const server = new NegentropyServer(new SortedVectorStorage([]));
    expect(hex(server.reconcile(fromHex('62aabbccddeeff')))).toBe('61');
  });
});

describe('the worked example of libs/sync/README.md', () => {
  // Client {A, B, C}, server {A, C, D}; B and C share a timestamp. buckets 2 / idListThreshold 2
  // so that a three-item example shows every mode.
  const item = (byte: number, timestamp: number) => ({ timestamp, id: new Uint8Array(32).fill(byte) });
  const A = item(0xaa, 1_700_000_000_000);
  const B = item(0xbb, 1_700_000_001_000);
  const C = item(0xcc, 1_700_000_001_000);
  const D = item(0xdd, 1_700_000_002_000);
  const options = { buckets: 2, idListThreshold: 2 };

  it('produces the bytes shown there', () => {
    const client = new NegentropyClient(new SortedVectorStorage([A, B, C]), options);
    const server = new NegentropyServer(new SortedVectorStorage([A, C, D]), options);

    const c1 = client.initiate();
    expect(hex(c1)).toBe('61' + 'b1bcff95d769' + '01cc' + '01' + '2e77f59864f98c80d0cef0915e063b05' + '0000' + '01' + '24389a9159dc9772c4be23f1219ae590');
    const s1 = server.reconcile(c1);
    expect(hex(s1)).toBe(
      '61' + 'b1bcff95d769' + '01cc' + '02' + '01' + 'aa'.repeat(32) + '8769' + '00' + '01' + '24389a9159dc9772c4be23f1219ae590' + '0000' + '01' + 'c3c56f6dc4a28408111ebcde038df2bf',
    );
    const r1 = client.reconcile(s1);
    expect(r1.have.map(hex)).toEqual(['bb'.repeat(32)]);
    expect(r1.need).toEqual([]);
    expect(hex(r1.output!)).toBe('61' + 'b1bcff95df51' + '00' + '00' + '0000' + '02' + '00');
    const s2 = server.reconcile(r1.output!);
    expect(hex(s2)).toBe('61' + 'b1bcff95df51' + '00' + '00' + '0000' + '02' + '01' + 'dd'.repeat(32));
    const r2 = client.reconcile(s2);
    expect(r2.have).toEqual([]);
    expect(r2.need.map(hex)).toEqual(['dd'.repeat(32)]);
    expect(r2.output).toBeNull();
  });

  it('fingerprints quoted there', () => {
    expect(hex(fingerprintOfIds([A.id, B.id]))).toBe('2e77f59864f98c80d0cef0915e063b05');
    expect(hex(fingerprintOfIds([A.id]))).toBe('42b5d6e9a824e972398bfe0b80a84fb2');
    expect(hex(fingerprintOfIds([C.id]))).toBe('24389a9159dc9772c4be23f1219ae590');
    expect(hex(fingerprintOfIds([C.id, D.id]))).toBe('0acc4628f358d4e8f3641116d16704cf');
    expect(hex(fingerprintOfIds([D.id]))).toBe('c3c56f6dc4a28408111ebcde038df2bf');
  });

  it('with default parameters the same sets take one id-list exchange', () => {
    const client = new NegentropyClient(new SortedVectorStorage([A, B, C]));
    const server = new NegentropyServer(new SortedVectorStorage([A, C, D]));
    const c1 = client.initiate();
    expect(hex(c1)).toBe('61' + '0000' + '02' + '03' + 'aa'.repeat(32) + 'bb'.repeat(32) + 'cc'.repeat(32));
    const s1 = server.reconcile(c1);
    expect(hex(s1)).toBe('61' + '0000' + '02' + '03' + 'aa'.repeat(32) + 'cc'.repeat(32) + 'dd'.repeat(32));
    const r = client.reconcile(s1);
    expect(r.output).toBeNull();
    expect(r.have.map(hex)).toEqual(['bb'.repeat(32)]);
    expect(r.need.map(hex)).toEqual(['dd'.repeat(32)]);
  });
});
