import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NegentropyClient,
  type NegentropyOptions,
  NegentropyServer,
  ReconcileProtocolError,
  type ReconcileErrorCode,
  ReconIndex,
  type ReconItem,
  SortedVectorStorage,
} from '../src';
import { fromHex, idFrom, rng } from './helpers';

function items(n: number, seed: number, shift = 0): ReconItem[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({ timestamp: 1_700_000_000_000 + Math.floor(r() * 1e6), id: idFrom(`${seed}:${i + shift}`) }));
}

const serverIndex = new ReconIndex({ chunkSize: 16 });
for (const it of items(3000, 1)) serverIndex.insert(it.timestamp, it.id);
const clientStorage = new SortedVectorStorage([...items(2900, 1), ...items(60, 2)]);
const limits: NegentropyOptions = { frameSizeLimit: 4096, maxMessageBytes: 64 * 1024, maxRanges: 2000, maxIdListLength: 500 };

/** Valid messages of a real exchange in both directions, as seeds for mutation. */
function realMessages(): Uint8Array[] {
  const client = new NegentropyClient(clientStorage, limits);
  const server = new NegentropyServer(serverIndex, limits);
  const out: Uint8Array[] = [];
  let msg: Uint8Array | null = client.initiate();
  while (msg && out.length < 40) {
    out.push(msg);
    const reply = server.reconcile(msg);
    out.push(reply);
    msg = client.reconcile(reply).output;
  }
  return out;
}
const seeds = realMessages();

/** Feeds bytes to both roles; anything but success or a ReconcileProtocolError fails the property. */
function feed(bytes: Uint8Array): void {
  const roles = [
    () => new NegentropyServer(serverIndex, limits).reconcile(bytes),
    () => new NegentropyClient(clientStorage, limits).reconcile(bytes),
  ];
  for (const role of roles) {
    try {
      const out = role();
      const length = out instanceof Uint8Array ? out.length : (out.output?.length ?? 0);
      expect(length).toBeLessThanOrEqual(4096);
    } catch (e) {
      if (!(e instanceof ReconcileProtocolError)) throw e;
    }
  }
}

function expectCode(bytes: Uint8Array | string, code: ReconcileErrorCode, options: NegentropyOptions = limits): void {
  const msg = typeof bytes === 'string' ? fromHex(bytes) : bytes;
  let err: unknown;
  try {
    new NegentropyServer(serverIndex, options).reconcile(msg);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ReconcileProtocolError);
  expect((err as ReconcileProtocolError).code).toBe(code);
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

describe('malformed and hostile messages', () => {
  it('random bytes raise only ReconcileProtocolError (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, versioned) => {
        if (versioned && bytes.length > 0) bytes[0] = 0x61;
        feed(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated valid messages raise only ReconcileProtocolError (property)', () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        let bytes = Array.from(seeds[which]);
        for (const m of mutations) {
          const at = bytes.length === 0 ? 0 : m.at % bytes.length;
          if (m.kind === 'flip') bytes[at] = m.value;
          else if (m.kind === 'cut') bytes = bytes.slice(0, at);
          else if (m.kind === 'insert') bytes.splice(at, 0, m.value);
          else bytes.splice(at, 1);
        }
        feed(Uint8Array.from(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it.each<[string, string, ReconcileErrorCode]>([
    ['empty message', '', 'truncated'],
    ['not a negentropy version byte', '00', 'bad_version'],
    ['version byte above the range', '7061', 'bad_version'],
    ['truncated bound varint', '6181', 'truncated'],
    ['non-minimal varint', '618001', 'varint_not_minimal'],
    ['varint above 2^53', '619080808080808000', 'varint_overflow'],
    ['endless varint', `61${'ff'.repeat(40)}`, 'varint_overflow'],
    ['timestamp past 2^53 - 2', '618fffffffffffff7f0000020000', 'timestamp_out_of_range'],
    ['id prefix longer than 32', '61012100', 'bound_prefix_too_long'],
    ['id prefix cut short', '610104aabb', 'truncated'],
    ['missing mode', '610100', 'truncated'],
    ['unknown mode', '61010003', 'unknown_mode'],
    ['huge mode', '6101008fffffffffffff7f', 'unknown_mode'],
    ['fingerprint cut short', '61010001aabbcc', 'truncated'],
    ['id list count beyond the message', '6101000205aabb', 'truncated'],
    ['id list longer than allowed', '610100028f7f', 'id_list_too_long'],
    ['id list count near 2^53', '610100028fffffffffffff7f', 'id_list_too_long'],
    // Timestamps travel as non-negative deltas, so only the id prefix can go backwards.
    ['bounds out of order', '6101010500010001040000', 'bound_out_of_order'],
  ])('%s → %s', (_name, bytes, code) => expectCode(bytes, code));

  it('refuses a message over the size limit before reading it', () => {
    expectCode(new Uint8Array(64 * 1024 + 1).fill(0x61), 'message_too_large');
  });

  it('bounds the number of ranges per message', () => {
    // 2001 skip ranges, each "bound ts+0, no prefix, mode 0".
    const ranges = '010000'.repeat(2001);
    expectCode(`61${ranges}`, 'too_many_ranges');
    expect(() => new NegentropyServer(serverIndex, limits).reconcile(fromHex(`61${'010000'.repeat(2000)}`))).not.toThrow();
  });

  it('accepts equal consecutive bounds (an empty range) and ranges past infinity', () => {
    const server = new NegentropyServer(serverIndex, limits);
    expect(() => server.reconcile(fromHex('61010000010000000000000000'))).not.toThrow();
  });

  it('a client refuses a reply in another protocol version', () => {
    const client = new NegentropyClient(clientStorage, limits);
    expect(() => client.reconcile(fromHex('62'))).toThrow(ReconcileProtocolError);
  });

  it('answers a flood of matching fingerprints in bounded time', () => {
    // The hostile shape that costs the server most per byte: every range a fingerprint to check.
    const big = new ReconIndex();
    const r = rng(9);
    for (let i = 0; i < 200_000; i++) big.insert(1_700_000_000_000 + Math.floor(r() * 1e9), idFrom(`big${i}`));
    const parts: number[] = [0x61];
    for (let i = 0; i < 2000; i++) parts.push(0x81, 0x80, 0x00, 0x00, 0x01, ...new Array<number>(16).fill(i % 256));
    const start = performance.now();
    const out = new NegentropyServer(big, limits).reconcile(Uint8Array.from(parts));
    expect(out.length).toBeLessThanOrEqual(4096);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});
