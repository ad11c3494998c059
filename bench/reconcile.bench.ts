/**
 * Reconciliation cost of the native /sync protocol (negentropy over ReconIndex) beside the original
 * kiki protocol's /list, on the same sets. Run: npx tsc -p tsconfig.build.json && node dist/bench/reconcile.bench.js [sizes...]
 */
import bs58 from 'bs58';
import { NegentropyClient, NegentropyServer, ReconIndex, type ReconItem, SortedVectorStorage } from '../libs/sync/src';

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const DIFFERENCES = [0, 10, 1000];
const THREE_YEARS_MS = 3 * 365 * 24 * 3600 * 1000;
const EPOCH = 1_700_000_000_000;

/** Deterministic PRNG (mulberry32): the same sets on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n envelopes-like items: random 32-byte ids, timestamps spread over three years (in arrival order, unsorted). */
function makeItems(n: number, seed: number): ReconItem[] {
  const r = prng(seed);
  const bytes = new Uint8Array(n * 32);
  for (let i = 0; i < bytes.length; i += 4) {
    const w = Math.floor(r() * 4294967296);
    bytes[i] = w & 0xff;
    bytes[i + 1] = (w >>> 8) & 0xff;
    bytes[i + 2] = (w >>> 16) & 0xff;
    bytes[i + 3] = w >>> 24;
  }
  const items: ReconItem[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = { timestamp: EPOCH + Math.floor(r() * THREE_YEARS_MS), id: bytes.subarray(i * 32, (i + 1) * 32) };
  return items;
}

/** Bytes of the original `/list` answer: {"status":"ok","ids":["<b58>",...]}. */
function kikiListBytes(items: readonly ReconItem[]): number {
  let bytes = '{"status":"ok","ids":[]}'.length;
  for (const it of items) bytes += bs58.encode(it.id).length + 2;
  return bytes + Math.max(0, items.length - 1);
}

const hex = (id: Uint8Array): string => Buffer.from(id).toString('hex');

function compareItems(a: ReconItem, b: ReconItem): number {
  return a.timestamp - b.timestamp || Buffer.compare(a.id, b.id);
}

/** Merges two sorted item lists (the client's set is built in order, as a device would load it). */
function mergeSorted(a: readonly ReconItem[], b: readonly ReconItem[]): ReconItem[] {
  const out: ReconItem[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && compareItems(a[i], b[j]) <= 0)) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

const cpuMs = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

export async function runReconcileBench(opts?: { sizes?: number[] }): Promise<Array<Record<string, string | number>>> {
  const rows: Array<Record<string, string | number>> = [];
  for (const n of opts?.sizes ?? DEFAULT_SIZES) {
    const serverItems = makeItems(n, n);
    const buildStart = process.cpuUsage();
    const index = new ReconIndex();
    // Inserted in arrival order, i.e. random timestamp order: the index's worst case.
    for (const it of serverItems) index.insert(it.timestamp, it.id);
    const buildMs = cpuMs(buildStart);
    const listBytes = kikiListBytes(serverItems);
    const server = new NegentropyServer(index);
    const sortedServerItems = serverItems.slice().sort(compareItems);

    for (const d of DIFFERENCES) {
      // d differences split between the sides: the client lacks d/2 of the hub's items and holds d/2 new ones.
      const r = prng(n + d);
      const missing = new Set<number>();
      while (missing.size < Math.floor(d / 2)) missing.add(Math.floor(r() * n));
      const clientOnly = makeItems(d - Math.floor(d / 2), n + d + 1).sort(compareItems);
      const clientStorage = new SortedVectorStorage(mergeSorted(sortedServerItems.filter((_, i) => !missing.has(i)), clientOnly));
      // A first, unmeasured pass warms the JIT and pays the GC debt of building the sets.
      syncOnce(new NegentropyClient(clientStorage), server);
      const m = syncOnce(new NegentropyClient(clientStorage), server);

      const total = m.up + m.down;
      const share = (100 * total) / listBytes;
      const expectedHave = clientOnly.map((it) => hex(it.id)).sort();
      const expectedNeed = [...missing].map((i) => hex(sortedServerItems[i].id)).sort();
      const correct = sameList(m.have.sort(), expectedHave) && sameList(m.need.sort(), expectedNeed);
      let target = '';
      if (d === 0) target = m.rounds === 1 && total < 1024 ? 'in step: 1 RT < 1 KB met' : 'in step: MISSED';
      if (n === 100_000 && d === 10) target = share <= 1 && m.rounds <= 4 ? '≤1% bytes, ≤4 RT met' : '≤1% bytes, ≤4 RT MISSED';
      rows.push({
        n,
        d,
        'round trips': m.rounds,
        'bytes c→s': m.up,
        'bytes s→c': m.down,
        'server CPU ms': Number(m.serverMs.toFixed(1)),
        'client CPU ms': Number(m.clientMs.toFixed(1)),
        'kiki /list bytes (1 RT)': listBytes,
        'sync/list %': Number(share.toPrecision(2)),
        'have/need': `${m.have.length}/${m.need.length}${correct ? '' : ' WRONG'}`,
        'index build ms': Math.round(buildMs),
        target,
      });
    }
  }
  return rows;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One whole reconciliation in memory, with the traffic and the CPU time of each side. */
function syncOnce(client: NegentropyClient, server: NegentropyServer) {
  const m = { rounds: 0, up: 0, down: 0, serverMs: 0, clientMs: 0, have: [] as string[], need: [] as string[] };
  let t = process.cpuUsage();
  let msg: Uint8Array | null = client.initiate();
  m.clientMs += cpuMs(t);
  while (msg !== null) {
    m.rounds++;
    m.up += msg.length;
    t = process.cpuUsage();
    const reply = server.reconcile(msg);
    m.serverMs += cpuMs(t);
    m.down += reply.length;
    t = process.cpuUsage();
    const res = client.reconcile(reply);
    m.clientMs += cpuMs(t);
    for (const id of res.have) m.have.push(hex(id));
    for (const id of res.need) m.need.push(hex(id));
    msg = res.output;
  }
  return m;
}

if (require.main === module) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  runReconcileBench(sizes.length > 0 ? { sizes } : undefined).then(
    (rows) => console.table(rows),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
