/**
 * One measured client run in its own process, so that its peak RSS is its own:
 *   node dist/bench/client-worker.js feed <store dir> <identity json>
 *   node dist/bench/client-worker.js restore <store dir> <identity json> <hub url>
 * Prints one JSON line: what was done, how long it took, the process's peak RSS.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { HubClient, type Identity, Kiki, LevelEnvelopeStore, nodeCrypto, tuneHeapForClient } from '../libs/client/src';

// As the kiki CLI starts (apps/cli/src/main.ts run()); BENCH_CLIENT_DEFAULT_HEAP=1 measures V8's defaults instead.
if (!process.env.BENCH_CLIENT_DEFAULT_HEAP) tuneHeapForClient();

/** Peak resident memory, anonymous (heap, malloc) and file-backed (LevelDB's mapped tables) apart: /proc, Linux only. */
const peak = { rss: 0, anon: 0, file: 0 };
function sample(): void {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    const rss = kb('VmRSS');
    if (rss > peak.rss) Object.assign(peak, { rss, anon: kb('RssAnon'), file: kb('RssFile') });
  } catch {
    // not Linux: maxRSS alone
  }
}
setInterval(sample, 25).unref();

/** BENCH_CLIENT_TIMELINE=<file>: every 2 s the phase and where the memory is (to find a peak). */
let phase = 'open';
const timeline = process.env.BENCH_CLIENT_TIMELINE;
if (timeline) {
  const t0 = performance.now();
  const mb = (n: number) => Math.round(n / 1048576);
  setInterval(() => {
    const m = process.memoryUsage();
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string) => Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
    appendFileSync(timeline, `${((performance.now() - t0) / 1000).toFixed(0)} s ${phase}: rss ${mb(m.rss)} anon ${kb('RssAnon')} file ${kb('RssFile')} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} arrayBuffers ${mb(m.arrayBuffers)}\n`);
  }, 2000).unref();
}

async function main(): Promise<void> {
  const [mode, dir, identityJson, hubUrl] = process.argv.slice(2);
  const identity = JSON.parse(identityJson) as Identity;
  const region = identity.regions[0];
  const store = await LevelEnvelopeStore.open(dir, { region: region.public });
  const started = performance.now();
  let result: Record<string, number | string>;
  if (mode === 'feed') {
    // As `kiki feed` does it: every letter opened into the Feed's columns, then the 50 newest posts
    // (with their replies) opened again for their contents.
    const kiki = new Kiki({ crypto: nodeCrypto, identity, keeper: { save: async () => undefined }, region, store });
    phase = 'feed';
    const feed = await kiki.loadFeed();
    const built = performance.now();
    phase = 'render';
    const posts = await kiki.feed({ limit: 50 });
    result = { letters: feed.size, shown: posts.length, buildMs: Math.round(built - started), renderMs: Math.round(performance.now() - built) };
  } else if (mode === 'restore') {
    // As `kiki sync` does it on a new device (default page size): the restore (cursor pull, then
    // reconciliation), then the friendships kept in order, which builds the feed of everything pulled.
    const client = new HubClient(hubUrl, region, identity.person, { timeoutMs: 120_000 });
    const kiki = new Kiki({ crypto: nodeCrypto, identity, keeper: { save: async () => undefined }, region, store, transport: client });
    let restoredAt = started;
    const { sync: report } = await kiki.sync({
      onProgress: (p) => {
        phase = p.phase;
        restoredAt = performance.now();
      },
    });
    const bytes = client.stats.pull.bytesReceived + client.stats.fetch.bytesReceived + client.stats.reconcile.bytesReceived;
    const restoreMs = Math.round(restoredAt - started);
    result = { mode: report.mode, envelopes: report.pulled + report.fetched, pages: report.pullPages, rounds: report.rounds, bytes, restoreMs, ms: Math.round(performance.now() - started) };
  } else throw new Error(`unknown mode ${mode}`);
  await store.close();
  // maxRSS is in KiB on Linux.
  sample();
  console.log(JSON.stringify({ ...result, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), atPeakAnonMb: Math.round(peak.anon / 1024), atPeakFileMb: Math.round(peak.file / 1024) }));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
