import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createSyncToken, type Envelope, generateKeyPair, type KeyPair, seal } from '../libs/crypto/src';
import { benchDatabase, benchHubEnv, cpuSeconds, machineCpu, percentile, postgresCpuSeconds, printTable, startHubProcess, stopHubProcess } from './support';

interface IngestCase {
  label: string;
  public: boolean;
  senders: number;
  /** `sync`: POST /sync/:region/push of `batch` envelopes; `kiki`: the original route, one envelope per POST */
  route: 'sync' | 'kiki';
  batch: number;
  concurrency: number;
  envelopes: number;
}

/**
 * Ingest through POST /sync/:region/push: batches of 500 × ~1 KB envelopes, each validated
 * (region signature; public ones also opened and their id checked) and durably committed
 * (synchronous_commit on). A third case pushes through the original kiki route as an
 * unmodified kiki instance does: one envelope per POST /r/:region/envelope, 20 such clients. The hub runs as its own process, as deployed; request bodies are
 * sealed and encoded before the clock starts, so the load generator costs little (it still
 * shares the two cores, and its CPU is reported). Each case runs after 2,000 unmeasured
 * envelopes of the same kind to a warm-up region.
 */
export async function runIngestBench(opts: { envelopes?: number; batch?: number; concurrency?: number } = {}) {
  const total = opts.envelopes ?? 40_000;
  const batch = opts.batch ?? 500;
  const concurrency = opts.concurrency ?? 3;
  const db = await benchDatabase();
  const env = benchHubEnv(db.url, { MAX_BATCH_ENVELOPES: String(batch) });
  const rows: Array<Record<string, string | number>> = [];
  const cases: IngestCase[] = [
    { label: 'private 1 KB letters, 100 senders', public: false, senders: 100, route: 'sync', batch, concurrency, envelopes: total },
    { label: 'public 1 KB letters, 100 senders', public: true, senders: 100, route: 'sync', batch, concurrency, envelopes: total },
    { label: 'original route: public 1 KB letters, one per POST', public: true, senders: 100, route: 'kiki', batch: 1, concurrency: 20, envelopes: 6_000 },
  ];
  // Each case has its region, and a warm-up region whose batches run just before it, unmeasured:
  // the hub is measured warm (JIT-compiled for that path), as it runs in production.
  const regions = cases.map(() => ({ measured: generateKeyPair(), warmUp: generateKeyPair() }));
  for (const [i, r] of regions.entries()) {
    for (const [name, key] of [[`bench ${i}`, r.measured], [`warm-up ${i}`, r.warmUp]] as const) {
      await promisify(execFile)(process.execPath, [resolve(__dirname, '../apps/hub/src/cli.js'), 'region', 'import', '--name', name, '--public', key.public, '--private', key.private], {
        env: { ...process.env, ...env },
      });
    }
  }
  // Every request body is sealed and encoded first: sealing takes seconds, and the hub must not
  // sit idle between cases (its keep-alive connections would be closed under the load generator).
  const sealBodies = (c: IngestCase, region: KeyPair, senders: KeyPair[], count: number): Buffer[] => {
    const reader = generateKeyPair();
    // text that deflates like prose, to about 1 KB sealed
    const content = 'k'.repeat(700) + randomBytes(100).toString('base64');
    const bodies: Buffer[] = [];
    for (let b = 0; b < count / c.batch; b++) {
      const envelopes: Envelope[] = [];
      for (let i = 0; i < c.batch; i++) {
        const sender = senders[(b * c.batch + i) % senders.length];
        envelopes.push(seal({ purpose: 'share-text', content: `${content}${b}-${i}`, recipients: [c.public ? region.public : reader.public] }, sender, region.public));
      }
      bodies.push(Buffer.from(JSON.stringify(c.route === 'kiki' ? envelopes[0] : { envelopes })));
    }
    return bodies;
  };
  const prepared = cases.map((c, ci) => {
    const senders = Array.from({ length: c.senders }, () => generateKeyPair());
    return {
      senders,
      bodies: sealBodies(c, regions[ci].measured, senders, c.envelopes),
      warmUp: sealBodies(c, regions[ci].warmUp, senders, c.route === 'kiki' ? 400 : 4 * batch),
    };
  });
  const hub = await startHubProcess(env);
  // node:http with bodies encoded up front: it costs the shared machine ~5 µs less per envelope than fetch
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(...cases.map((c) => c.concurrency)) });
  /** Pushes one body; how many envelopes the hub stored from it. */
  const push = async (c: IngestCase, region: KeyPair, sender: KeyPair, body: Buffer): Promise<number> => {
    if (c.route === 'kiki') {
      // the original's answer: {"status":"ok"}, with a message when it was not stored (held already)
      const out = (await postJson(agent, `${hub.url}/r/${region.public}/envelope`, { 'content-type': 'application/json' }, body)) as { message?: string };
      return out.message ? 0 : 1;
    }
    const headers = { 'content-type': 'application/json', authorization: `Kiki ${createSyncToken(sender, region)}` };
    return ((await postJson(agent, `${hub.url}/sync/${region.public}/push`, headers, body)) as { stored: number }).stored;
  };
  try {
    for (const [ci, c] of cases.entries()) {
      const region = regions[ci].measured;
      const { senders, bodies, warmUp } = prepared[ci];
      for (const body of warmUp) await push(c, regions[ci].warmUp, senders[0], body);
      const avgBytes = Math.round(bodies.reduce((s, b) => s + b.length, 0) / c.envelopes);
      const latencies: number[] = [];
      let next = 0;
      let stored = 0;
      const cpuBefore = cpuSeconds(hub.child.pid);
      const pgBefore = postgresCpuSeconds();
      const machineBefore = machineCpu();
      const loadBefore = process.cpuUsage();
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: c.concurrency }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++];
            const t0 = performance.now();
            const n = await push(c, region, senders[0], body); // not `stored += await …`: that reads `stored` before awaiting
            latencies.push(performance.now() - t0);
            stored += n;
          }
        }),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const hubCpu = cpuSeconds(hub.child.pid) - cpuBefore;
      const pgCpu = postgresCpuSeconds() - pgBefore;
      const machine = machineCpu(machineBefore);
      const load = process.cpuUsage(loadBefore);
      latencies.sort((a, b) => a - b);
      if (stored !== c.envelopes) throw new Error(`bench stored ${stored} of ${c.envelopes}`);
      rows.push({
        case: c.label,
        envelopes: c.envelopes,
        'bytes/envelope (wire)': avgBytes,
        batch: c.batch,
        concurrency: c.concurrency,
        'envelopes/s': Math.round(c.envelopes / seconds),
        'hub CPU µs/envelope': Math.round((hubCpu / c.envelopes) * 1e6),
        'Postgres CPU µs/envelope': Math.round((pgCpu / c.envelopes) * 1e6),
        // the sending side shares the machine: its CPU is part of what the 2 cores do per envelope
        'load generator CPU µs/envelope': Math.round((load.user + load.system) / c.envelopes),
        'machine idle %': Math.round(machine.idlePercent),
        'request p50 ms': Math.round(percentile(latencies, 50)),
        'request p99 ms': Math.round(percentile(latencies, 99)),
      });
    }
  } finally {
    agent.destroy();
    await stopHubProcess(hub);
    await db.drop();
  }
  return rows;
}

/** POST a pre-encoded JSON body and read the JSON answer; anything but 200 is an error. */
function postJson(agent: Agent, url: string, headers: Record<string, string>, body: Buffer): Promise<unknown> {
  return new Promise((resolveBody, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`push answered ${res.statusCode}: ${text.slice(0, 300)}`));
        try {
          resolveBody(JSON.parse(text));
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

if (require.main === module) printTable(runIngestBench());
