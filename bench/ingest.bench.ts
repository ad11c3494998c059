import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createSyncToken, type Envelope, generateKeyPair, type KeyPair, seal } from '../libs/crypto/src';
import { benchDatabase, benchHubEnv, cpuSeconds, machineCpu, percentile, postgresCpuSeconds, printTable, startHubProcess, stopHubProcess } from './support';

interface IngestCase {
  label: string;
  public: boolean;
  senders: number;
}

/**
 * Ingest through POST /sync/:region/push: batches of 500 × ~1 KB envelopes, each validated
 * (region signature; public ones also opened and their id checked) and durably committed
 * (synchronous_commit on). The hub runs as its own process, as deployed; request bodies are
 * sealed and serialised before the clock starts, so the load generator costs little.
 */
export async function runIngestBench(opts: { envelopes?: number; batch?: number; concurrency?: number } = {}) {
  const total = opts.envelopes ?? 40_000;
  const batch = opts.batch ?? 500;
  const concurrency = opts.concurrency ?? 3;
  const db = await benchDatabase();
  const env = benchHubEnv(db.url, { MAX_BATCH_ENVELOPES: String(batch) });
  const rows: Array<Record<string, string | number>> = [];
  const cases: IngestCase[] = [
    { label: 'private 1 KB letters, 100 senders', public: false, senders: 100 },
    { label: 'public 1 KB letters, 100 senders', public: true, senders: 100 },
  ];
  const regions = cases.map(() => generateKeyPair());
  for (const [i, region] of regions.entries()) {
    await promisify(execFile)(process.execPath, [resolve(__dirname, '../apps/hub/src/cli.js'), 'region', 'import', '--name', `bench ${i}`, '--public', region.public, '--private', region.private], {
      env: { ...process.env, ...env },
    });
  }
  // Every request body is sealed first: sealing takes seconds, and the hub must not sit idle
  // between cases (its keep-alive connections would be closed under the load generator).
  const prepared = cases.map((c, ci) => {
    const region = regions[ci];
    const senders = Array.from({ length: c.senders }, () => generateKeyPair());
    const reader = generateKeyPair();
    // text that deflates like prose, to about 1 KB sealed
    const content = 'k'.repeat(700) + randomBytes(100).toString('base64');
    const bodies: string[] = [];
    for (let b = 0; b < total / batch; b++) {
      const envelopes: Envelope[] = [];
      for (let i = 0; i < batch; i++) {
        const sender = senders[(b * batch + i) % senders.length];
        envelopes.push(seal({ purpose: 'share-text', content: `${content}${b}-${i}`, recipients: [c.public ? region.public : reader.public] }, sender, region.public));
      }
      bodies.push(JSON.stringify({ envelopes }));
    }
    return { senders, bodies };
  });
  const hub = await startHubProcess(env);
  try {
    for (const [ci, c] of cases.entries()) {
      const region = regions[ci];
      const { senders, bodies } = prepared[ci];
      const avgBytes = Math.round(bodies.reduce((s, b) => s + b.length, 0) / total);
      const latencies: number[] = [];
      let next = 0;
      let stored = 0;
      const cpuBefore = cpuSeconds(hub.child.pid);
      const pgBefore = postgresCpuSeconds();
      const machineBefore = machineCpu();
      const loadBefore = process.cpuUsage();
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++];
            const t0 = performance.now();
            const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Kiki ${createSyncToken(senders[0] as KeyPair, region)}` },
              body,
            });
            const out = (await res.json()) as { stored: number };
            latencies.push(performance.now() - t0);
            stored += out.stored;
          }
        }),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const hubCpu = cpuSeconds(hub.child.pid) - cpuBefore;
      const pgCpu = postgresCpuSeconds() - pgBefore;
      const machine = machineCpu(machineBefore);
      const load = process.cpuUsage(loadBefore);
      latencies.sort((a, b) => a - b);
      if (stored !== total) throw new Error(`bench stored ${stored} of ${total}`);
      rows.push({
        case: c.label,
        envelopes: total,
        'bytes/envelope (wire)': avgBytes,
        batch,
        concurrency,
        'envelopes/s': Math.round(total / seconds),
        'hub CPU µs/envelope': Math.round((hubCpu / total) * 1e6),
        'Postgres CPU µs/envelope': Math.round((pgCpu / total) * 1e6),
        // the sending side shares the machine: its CPU is part of what the 2 cores do per envelope
        'load generator CPU µs/envelope': Math.round((load.user + load.system) / total),
        'machine idle %': Math.round(machine.idlePercent),
        'batch p50 ms': Math.round(percentile(latencies, 50)),
        'batch p99 ms': Math.round(percentile(latencies, 99)),
      });
    }
  } finally {
    await stopHubProcess(hub);
    await db.drop();
  }
  return rows;
}

if (require.main === module) printTable(runIngestBench());
