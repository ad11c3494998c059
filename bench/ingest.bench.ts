import { randomBytes } from 'node:crypto';
import { createHubApp } from '../apps/hub/src/bootstrap';
import { loadConfig } from '../apps/hub/src/config/hub-config';
import { RegionService } from '../apps/hub/src/regions/region.service';
import { createSyncToken, type Envelope, generateKeyPair, type KeyPair, seal } from '../libs/crypto/src';
import { benchDatabase, percentile } from './support';

interface IngestCase {
  label: string;
  public: boolean;
  senders: number;
}

/**
 * Ingest through POST /sync/:region/push: batches of 500 × ~1 KB envelopes, each validated
 * (region signature; public ones also opened and their id checked) and durably committed.
 * The hub runs in this process; request bodies are serialised before the clock starts.
 */
export async function runIngestBench(opts: { envelopes?: number; batch?: number; concurrency?: number } = {}) {
  const total = opts.envelopes ?? 20_000;
  const batch = opts.batch ?? 500;
  const concurrency = opts.concurrency ?? 2;
  const db = await benchDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_PREFIX: `kiki-bench-${randomBytes(3).toString('hex')}`,
    HUB_MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    CREATE_DATABASE: 'false',
    MIGRATE_ON_START: 'false',
    IMPORT_DEFAULT_REGION: 'false',
    MAX_BATCH_ENVELOPES: String(batch),
  });
  const app = await createHubApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const rows: Array<Record<string, string | number>> = [];
  try {
    const cases: IngestCase[] = [
      { label: 'private 1 KB letters, 100 senders', public: false, senders: 100 },
      { label: 'public 1 KB letters, 100 senders', public: true, senders: 100 },
    ];
    for (const c of cases) {
      const region = (await app.get(RegionService).create(c.label)).keys;
      const senders = Array.from({ length: c.senders }, () => generateKeyPair());
      const reader = generateKeyPair();
      const content = 'k'.repeat(700) + randomBytes(100).toString('base64');
      const bodies: string[] = [];
      for (let b = 0; b < total / batch; b++) {
        const envelopes: Envelope[] = [];
        for (let i = 0; i < batch; i++) {
          const sender = senders[(b * batch + i) % senders.length];
          envelopes.push(
            seal({ purpose: 'share-text', content: `${content}${b}-${i}`, recipients: [c.public ? region.public : reader.public] }, sender, region.public),
          );
        }
        bodies.push(JSON.stringify({ envelopes }));
      }
      const avgBytes = Math.round(bodies.reduce((s, b) => s + b.length, 0) / total);
      const latencies: number[] = [];
      let next = 0;
      let stored = 0;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++];
            const t0 = performance.now();
            const res = await fetch(`${url}/sync/${region.public}/push`, {
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
      latencies.sort((a, b) => a - b);
      if (stored !== total) throw new Error(`bench stored ${stored} of ${total}`);
      rows.push({
        case: c.label,
        envelopes: total,
        'bytes/envelope (wire)': avgBytes,
        batch,
        concurrency,
        'envelopes/s': Math.round(total / seconds),
        'batch p50 ms': Math.round(percentile(latencies, 50)),
        'batch p99 ms': Math.round(percentile(latencies, 99)),
      });
    }
  } finally {
    await app.close();
    await db.drop();
  }
  return rows;
}

if (require.main === module) {
  runIngestBench().then((rows) => console.table(rows), (err) => {
    console.error(err);
    process.exit(1);
  });
}
