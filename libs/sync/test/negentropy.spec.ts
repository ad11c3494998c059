import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  Mode,
  NegentropyClient,
  type NegentropyOptions,
  NegentropyServer,
  ReconIndex,
  type ReconItem,
  type ReconStorage,
  SortedVectorStorage,
} from '../src';
import { hex, idFrom, naiveDifference, rng, runSync } from './helpers';

type TimestampShape = 'spread' | 'few' | 'one' | 'extremes';
type IdShape = 'random' | 'prefixed' | 'sparse';

interface Scenario {
  seed: number;
  shared: number;
  clientOnly: number;
  serverOnly: number;
  timestamps: TimestampShape;
  ids: IdShape;
}

/** Unique ids of a chosen shape, each with one timestamp (an envelope's timestamp never changes). */
function makeItems(s: Scenario): { client: ReconItem[]; server: ReconItem[] } {
  const r = rng(s.seed);
  const total = s.shared + s.clientOnly + s.serverOnly;
  const seen = new Set<string>();
  const items: ReconItem[] = [];
  while (items.length < total) {
    const id = new Uint8Array(32);
    if (s.ids === 'random') {
      for (let i = 0; i < 32; i++) id[i] = Math.floor(r() * 256);
    } else if (s.ids === 'prefixed') {
      // Long common prefixes force multi-byte minimal bounds between equal timestamps.
      for (let i = 0; i < 32; i++) id[i] = i < 6 ? (r() < 0.5 ? 0 : 1) : Math.floor(r() * 256);
    } else {
      // Mostly-zero ids sit exactly on zero-padded bounds.
      id[Math.floor(r() * 4)] = Math.floor(r() * 256);
      if (r() < 0.5) id[Math.floor(r() * 32)] = Math.floor(r() * 256);
    }
    const key = hex(id);
    if (seen.has(key)) {
      if (seen.size > 200_000) throw new Error('id space exhausted');
      continue;
    }
    seen.add(key);
    let timestamp: number;
    if (s.timestamps === 'one') timestamp = 1_700_000_000_000;
    else if (s.timestamps === 'few') timestamp = 1_700_000_000_000 + Math.floor(r() * 4);
    else if (s.timestamps === 'extremes') timestamp = [0, 1, Number.MAX_SAFE_INTEGER - 2, Number.MAX_SAFE_INTEGER - 1][Math.floor(r() * 4)];
    else timestamp = 1_600_000_000_000 + Math.floor(r() * 100_000_000_000);
    items.push({ timestamp, id });
  }
  const shared = items.slice(0, s.shared);
  return {
    client: [...shared, ...items.slice(s.shared, s.shared + s.clientOnly)],
    server: [...shared, ...items.slice(s.shared + s.clientOnly)],
  };
}

function indexOf(items: ReconItem[], chunkSize = 16): ReconIndex {
  const index = new ReconIndex({ chunkSize });
  for (const it of items) index.insert(it.timestamp, it.id);
  return index;
}

/** Spec conformance: each fingerprint and id list a side sends describes exactly its own items in that range. */
function expectConforms(msg: Uint8Array, storage: ReconStorage): void {
  const { ranges } = decodeMessage(msg, { maxMessageBytes: 1 << 30, maxRanges: 1 << 24, maxIdListLength: 1 << 24 });
  let lower = 0;
  for (const range of ranges) {
    const upper = storage.lowerBound(range.bound, lower, storage.size);
    if (range.mode === Mode.Fingerprint) expect(hex(range.fingerprint)).toBe(hex(storage.fingerprint(lower, upper)));
    if (range.mode === Mode.IdList) {
      const ours: string[] = [];
      storage.forEach(lower, upper, (_ts, id) => {
        ours.push(hex(id));
      });
      expect(hex(range.ids)).toBe(ours.join(''));
    }
    lower = upper;
  }
}

function expectReconciles(client: ReconItem[], server: ReconItem[], clientOptions: NegentropyOptions, serverOptions: NegentropyOptions, chunkSize = 16) {
  const oracle = naiveDifference(client, server);
  const servers: ReconStorage[] = [indexOf(server, chunkSize), new SortedVectorStorage(server)];
  const clientStorage = new SortedVectorStorage(client);
  const runs = servers.map((storage) => runSync(new NegentropyClient(clientStorage, clientOptions), new NegentropyServer(storage, serverOptions)));
  for (const [i, run] of runs.entries()) {
    for (const m of run.messages.fromClient) expectConforms(m, clientStorage);
    for (const m of run.messages.fromServer) expectConforms(m, servers[i]);
    expect(run.have).toEqual(oracle.have);
    expect(run.need).toEqual(oracle.need);
    const clientLimit = clientOptions.frameSizeLimit ?? 256 * 1024;
    const serverLimit = serverOptions.frameSizeLimit ?? 256 * 1024;
    for (const m of run.messages.fromClient) if (clientLimit) expect(m.length).toBeLessThanOrEqual(clientLimit);
    for (const m of run.messages.fromServer) if (serverLimit) expect(m.length).toBeLessThanOrEqual(serverLimit);
  }
  // The protocol must not depend on how the server stores its set: byte-identical exchanges.
  expect(runs[0].messages.fromServer.map(hex)).toEqual(runs[1].messages.fromServer.map(hex));
  return runs[0];
}

const scenarioArb = fc.record({
  seed: fc.integer(),
  shared: fc.oneof(fc.constant(0), fc.nat(40), fc.nat(2000)),
  clientOnly: fc.oneof(fc.constant(0), fc.nat(5), fc.nat(300)),
  serverOnly: fc.oneof(fc.constant(0), fc.nat(5), fc.nat(300)),
  timestamps: fc.constantFrom<TimestampShape>('spread', 'few', 'one', 'extremes'),
  ids: fc.constantFrom<IdShape>('random', 'prefixed', 'sparse'),
});

const optionsArb: fc.Arbitrary<NegentropyOptions> = fc.oneof(
  fc.constant({}),
  fc.constant({ frameSizeLimit: 0 }),
  fc.record({ frameSizeLimit: fc.constantFrom(4096, 5000, 8192) }),
  fc.record({ frameSizeLimit: fc.constantFrom(0, 4096, 16384), buckets: fc.constantFrom(2, 3, 16), idListThreshold: fc.constantFrom(16, 20) }),
);

describe('Negentropy reconciliation against the naive oracle', () => {
  it('finds exactly the set differences, with either storage as server (property)', () => {
    fc.assert(
      fc.property(scenarioArb, optionsArb, optionsArb, fc.constantFrom(8, 64, 512), (scenario, clientOptions, serverOptions, chunkSize) => {
        const { client, server } = makeItems(scenario);
        expectReconciles(client, server, clientOptions, serverOptions, chunkSize);
      }),
      { numRuns: Number(process.env.SYNC_PROPERTY_RUNS ?? 120) },
    );
  });

  it('is one round trip with a one-byte answer when both sides are in step', () => {
    for (const n of [0, 1, 31, 32, 33, 5000]) {
      const { client, server } = makeItems({ seed: n, shared: n, clientOnly: 0, serverOnly: 0, timestamps: 'spread', ids: 'random' });
      const run = expectReconciles(client, server, {}, {});
      expect(run.rounds).toBe(1);
      if (n >= 32) {
        expect(hex(run.messages.fromServer[0])).toBe('61');
        expect(run.messages.fromClient[0].length).toBeLessThan(1024);
      }
    }
  });

  it('handles empty sides both ways', () => {
    const { client, server } = makeItems({ seed: 1, shared: 0, clientOnly: 3000, serverOnly: 0, timestamps: 'few', ids: 'random' });
    expect(expectReconciles(client, server, {}, {}).have.length).toBe(3000);
    expect(expectReconciles(server, client, {}, {}).need.length).toBe(3000);
    expect(expectReconciles([], [], {}, {}).rounds).toBe(1);
  });

  it('restores an empty client under a small frame limit, each frame full and within the limit', () => {
    const { client, server } = makeItems({ seed: 2, shared: 0, clientOnly: 0, serverOnly: 20_000, timestamps: 'spread', ids: 'random' });
    const run = expectReconciles(client, server, { frameSizeLimit: 4096 }, { frameSizeLimit: 4096 });
    expect(run.need.length).toBe(20_000);
    // ~120 ids per 4 KiB frame: progress in every round, no stall.
    expect(run.rounds).toBeLessThan(20_000 / 100);
  });

  it('converges under small frames with differences scattered on both sides', () => {
    const { client, server } = makeItems({ seed: 3, shared: 30_000, clientOnly: 700, serverOnly: 700, timestamps: 'spread', ids: 'random' });
    const run = expectReconciles(client, server, { frameSizeLimit: 4096 }, { frameSizeLimit: 4096 }, 128);
    expect(run.have.length).toBe(700);
    expect(run.need.length).toBe(700);
  });

  it('needs few rounds and little traffic for a small difference in a large set', () => {
    const { client, server } = makeItems({ seed: 4, shared: 100_000, clientOnly: 5, serverOnly: 5, timestamps: 'spread', ids: 'random' });
    const run = expectReconciles(client, server, {}, {}, 512);
    expect(run.rounds).toBeLessThanOrEqual(4);
    const bytes = [...run.messages.fromClient, ...run.messages.fromServer].reduce((n, m) => n + m.length, 0);
    expect(bytes).toBeLessThan(100_000 * 47 * 0.01);
  });

  it('reports every id once even when rounds are cut by frames on both sides', () => {
    const { client, server } = makeItems({ seed: 5, shared: 2000, clientOnly: 2000, serverOnly: 2000, timestamps: 'one', ids: 'prefixed' });
    const run = expectReconciles(client, server, { frameSizeLimit: 4096, buckets: 3, idListThreshold: 16 }, { frameSizeLimit: 4096 });
    expect(new Set(run.have).size).toBe(run.have.length);
    expect(new Set(run.need).size).toBe(run.need.length);
    // Found by the property test: a cut reply reopens a region the client settled in an earlier round.
    const reopened = makeItems({ seed: -15, shared: 1998, clientOnly: 287, serverOnly: 183, timestamps: 'extremes', ids: 'random' });
    expectReconciles(reopened.client, reopened.server, {}, { frameSizeLimit: 5000 }, 8);
  });

  it('serves a set that changes between rounds (stateless server)', () => {
    const { client, server } = makeItems({ seed: 6, shared: 5000, clientOnly: 50, serverOnly: 50, timestamps: 'spread', ids: 'random' });
    const index = indexOf(server);
    const clientSide = new NegentropyClient(new SortedVectorStorage(client), { frameSizeLimit: 4096 });
    const serverSide = new NegentropyServer(index, { frameSizeLimit: 4096 });
    let msg: Uint8Array | null = clientSide.initiate();
    const need = new Set<string>();
    let rounds = 0;
    while (msg && rounds++ < 1000) {
      const reply = serverSide.reconcile(msg);
      index.insert(2_000_000_000_000 + rounds, idFrom(`late${rounds}`));
      const r = clientSide.reconcile(reply);
      for (const id of r.need) need.add(hex(id));
      msg = r.output;
    }
    expect(msg).toBeNull();
    // Everything the server held at the start is found; late arrivals may or may not be.
    for (const id of naiveDifference(client, server).need) expect(need.has(id)).toBe(true);
  });

  it('writes minimal bounds: no id prefix between different timestamps, shared prefix + 1 otherwise', () => {
    const items: ReconItem[] = [];
    for (let i = 0; i < 64; i++) {
      const id = new Uint8Array(32);
      id[0] = 7;
      id[1] = i; // ids share exactly one leading byte
      items.push({ timestamp: i < 32 ? 100 : 100 + i, id });
    }
    const msg = new NegentropyClient(new SortedVectorStorage(items)).initiate();
    const { ranges } = decodeMessage(msg);
    expect(ranges).toHaveLength(16);
    expect(ranges.every((r) => r.mode === Mode.Fingerprint)).toBe(true);
    // Buckets of 4: the first 7 bounds fall inside timestamp 100 (prefix 07 xx), the rest between timestamps.
    expect(ranges[0].bound.timestamp).toBe(100);
    expect(hex(ranges[0].bound.idPrefix)).toBe('0704');
    expect(ranges[8].bound).toEqual({ timestamp: 136, idPrefix: new Uint8Array(0) });
    expect(ranges[15].bound.timestamp).toBe(Infinity);
  });

  it('refuses settings under which a frame could not hold one range', () => {
    const s = new SortedVectorStorage([]);
    expect(() => new NegentropyClient(s, { frameSizeLimit: 4095 })).toThrow(RangeError);
    expect(() => new NegentropyClient(s, { frameSizeLimit: 4096, idListThreshold: 200 })).toThrow(RangeError);
    expect(() => new NegentropyServer(s, { buckets: 1 })).toThrow(RangeError);
    expect(() => new NegentropyServer(s, { buckets: 16, idListThreshold: 8 })).toThrow(RangeError);
  });
});
