/**
 * Quota enforcement (docs/quotas.md). Two measurements:
 *  - enforcement lag: while background senders push at full speed, people who go over their
 *    limit are measured from their offending batch's commit to their usage being back under it;
 *  - sweep: one region of 1M envelopes over 10k people, usage recomputed and drift repaired.
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/quota.bench.js [baseline] [lag] [lag-worker-process] [sweep]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createHubApp } from '../apps/hub/src/bootstrap';
import { loadConfig } from '../apps/hub/src/config/hub-config';
import { ReconcileService } from '../apps/hub/src/sync/reconcile.service';
import { QUOTA_QUEUE } from '../apps/hub/src/quota/quota.jobs';
import { QuotaQueue } from '../apps/hub/src/quota/quota.queue';
import { QuotaService } from '../apps/hub/src/quota/quota.service';
import { SweepService } from '../apps/hub/src/quota/sweep.service';
import { RegionService } from '../apps/hub/src/regions/region.service';
import { createSyncToken, type Envelope, generateKeyPair, type KeyPair, seal } from '../libs/crypto/src';
import { benchDatabase, benchHubEnv, percentile, printTable } from './support';
import { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { DataSource as DataSourceToken } from 'typeorm';

type Rows = Array<Record<string, string | number>>;

export interface QuotaBenchOptions {
  /** which parts to run (default all) */
  parts?: Array<'baseline' | 'lag' | 'lag-worker-process' | 'sweep'>;
  /** lag: background envelopes pushed at full speed (batches of 500, 2 pushers) */
  backgroundEnvelopes?: number;
  /** lag: people who keep going over their limit */
  offenders?: number;
  /** lag: make them unlimited instead (same ingest, no evictions) */
  offendersUnlimited?: boolean;
  /** sweep: envelopes and people of the swept region */
  sweepEnvelopes?: number;
  sweepPeople?: number;
}

/**
 * `lag` runs the workers inside the hub process (the zero-config `npm start`); `lag-worker-process`
 * runs them in their own process (`npm run worker`, compiled worker.js beside this file), the hub
 * with RUN_WORKERS=false.
 */
export async function runQuotaBench(opts: QuotaBenchOptions = {}): Promise<Rows> {
  const parts = opts.parts ?? ['baseline', 'lag', 'lag-worker-process', 'sweep'];
  const db = await benchDatabase();
  const env = benchHubEnv(db.url, {
    NODE_ENV: 'test',
    MAX_BATCH_ENVELOPES: '500',
    DB_POOL_SIZE: '16',
    // the periodic sweep stays out of the measurements
    QUOTA_SWEEP_EVERY_SECONDS: '86400',
  });
  const rows: Rows = [];
  try {
    for (const part of parts) {
      const separate = part === 'lag-worker-process';
      const app = await createHubApp(loadConfig({ ...env, RUN_WORKERS: separate ? 'false' : 'true' }), { logger: false });
      await app.listen(0, '127.0.0.1');
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      const worker = separate ? await workerProcess(env, app) : null;
      try {
        if (part === 'sweep') rows.push(...(await sweepBench(app, opts)));
        else if (part === 'baseline') rows.push(...(await lagBench(app, url, { ...opts, offendersUnlimited: true }, 'workers in the hub process')));
        else rows.push(...(await lagBench(app, url, opts, separate ? 'own worker process' : 'workers in the hub process')));
      } finally {
        if (worker) await new Promise((ok) => (worker.once('exit', ok), worker.kill('SIGTERM')));
        await app.close();
      }
    }
  } finally {
    await db.drop();
    // BullMQ keys never expire: leave nothing of this run in Redis
    const queue = new Queue(QUOTA_QUEUE, { connection: { url: loadConfig(env).REDIS_URL, maxRetriesPerRequest: null }, prefix: env.REDIS_PREFIX });
    await queue.obliterate({ force: true }).finally(() => queue.close());
  }
  return rows;
}

/** `npm run worker` from the compiled output beside this file; resolves once it is connected to the queue. */
async function workerProcess(env: Record<string, string>, app: App): Promise<ChildProcess> {
  const child = fork(join(__dirname, '../apps/hub/src/worker.js'), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`worker process exited with ${child.exitCode}`);
    const queue = app.get(QuotaQueue).bullQueue;
    if (queue && (await queue.getWorkersCount()) > 0) return child;
    if (Date.now() > until) throw new Error('the worker process did not connect within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

type App = Awaited<ReturnType<typeof createHubApp>>;

async function push(url: string, region: KeyPair, as: KeyPair, body: string): Promise<number> {
  const res = await fetch(`${url}/sync/${region.public}/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Kiki ${createSyncToken(as, region)}` },
    body,
  });
  const out = (await res.json()) as { stored?: number };
  if (res.status !== 200) throw new Error(`push answered ${res.status}: ${JSON.stringify(out)}`);
  return out.stored ?? 0;
}

async function lagBench(app: App, url: string, opts: QuotaBenchOptions, mode: string): Promise<Rows> {
  const background = opts.backgroundEnvelopes ?? 40_000;
  const offenderCount = opts.offenders ?? 20;
  const limit = 60_000;
  const ctx = await app.get(RegionService).create(`quota lag bench (${mode})`);
  const region = ctx.keys;
  await app.get(QuotaService).setRegionPolicy(ctx, { defaultBytes: limit });

  // Background: 2,000 senders, ~1 KB private letters, 20 each — never near their limit.
  const senders = Array.from({ length: 2000 }, () => generateKeyPair());
  const reader = generateKeyPair();
  const filler = 'k'.repeat(700) + randomBytes(100).toString('base64');
  const bodies: string[] = [];
  for (let b = 0; b < background / 500; b++) {
    const envelopes: Envelope[] = [];
    for (let i = 0; i < 500; i++) {
      envelopes.push(seal({ purpose: 'share-text', content: `${filler}${b}-${i}`, recipients: [reader.public] }, senders[(b * 500 + i) % senders.length], region.public));
    }
    bodies.push(JSON.stringify({ envelopes }));
  }
  // Offenders: batches of 25 letters of ~1.2 KB (~30 KB): the second batch already takes them over 60 KB.
  const offenders = Array.from({ length: offenderCount }, () => generateKeyPair());
  for (const p of opts.offendersUnlimited ? offenders : []) await app.get(QuotaService).setPersonTier(ctx, p.public, 'unlimited');
  const offenderBodies = offenders.map((p) =>
    Array.from({ length: 40 }, (_, b) =>
      JSON.stringify({
        envelopes: Array.from({ length: 25 }, (_, i) =>
          seal({ purpose: 'share-text', content: randomBytes(900).toString('base64') + `${b}-${i}`, recipients: [reader.public] }, p, region.public),
        ),
      }),
    ),
  );

  // Commit times of each offender's batches, taken at the first after-commit follower
  // (ingest/after-commit.ts: the reconciliation index, called synchronously right after each commit).
  const committedAt = new Map<string, number>();
  const watched = new Set(offenders.map((p) => p.public));
  const reconcile = app.get(ReconcileService);
  const addStored = reconcile.addStored.bind(reconcile);
  reconcile.addStored = (n) => {
    const t = performance.now();
    for (const e of n.envelopes) if (watched.has(e.sender)) committedAt.set(e.sender, t);
    addStored(n);
  };

  // One poller reads every offender's usage every 10 ms and wakes those back under the limit.
  const ds = app.get(DataSourceToken) as DataSource;
  const waiting = new Map<string, (t: number) => void>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      if (waiting.size) {
        const people = [...waiting.keys()];
        const got: Array<{ person: string; bytes: string }> = await ds.query(
          'SELECT person, bytes FROM person_usage WHERE region_id = $1 AND person = ANY($2::text[])',
          [ctx.regionId, people],
        );
        const t = performance.now();
        for (const g of got) if (Number(g.bytes) <= limit) waiting.get(g.person)?.(t);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  const lags: number[] = [];
  let backgroundDone = false;
  let stored = 0;
  let offenderStored = 0;
  let next = 0;
  const started = performance.now();
  const pushers = Array.from({ length: 2 }, async () => {
    while (next < bodies.length) {
      const got = await push(url, region, senders[0], bodies[next++]);
      stored += got;
    }
  });
  const offending = offenders.map(async (p, k) => {
    for (const body of offenderBodies[k]) {
      if (backgroundDone) break;
      const got = await push(url, region, p, body);
      offenderStored += got;
      const usage = await app.get(QuotaService).personQuota(ctx, p.public);
      if (!usage.overLimit) continue; // not (yet) an offending batch
      const commit = committedAt.get(p.public)!;
      const under = await new Promise<number>((resolve) => waiting.set(p.public, resolve));
      waiting.delete(p.public);
      lags.push(under - commit);
    }
  });
  await Promise.all(pushers);
  const seconds = (performance.now() - started) / 1000;
  backgroundDone = true;
  await Promise.all(offending);
  polling = false;
  await poller;
  if (stored !== background) throw new Error(`background stored ${stored} of ${background}`);
  lags.sort((a, b) => a - b);
  const [{ n: evicted }] = await ds.query('SELECT count(*)::int AS n FROM eviction WHERE region_id = $1', [ctx.regionId]);
  return [
    {
      case: opts.offendersUnlimited
        ? `baseline: the same pushes, the ${offenderCount} people unlimited (their ingest, no evictions)`
        : `lag, ${mode}: ${offenderCount} people over a ${limit / 1000} KB limit during full-speed ingest`,
      'background envelopes/s': Math.round(background / seconds),
      'their envelopes/s': Math.round(offenderStored / seconds),
      'offending commits': lags.length,
      'lag p50 ms': lags.length ? Math.round(percentile(lags, 50)) : '',
      'lag p99 ms': lags.length ? Math.round(percentile(lags, 99)) : '',
      'lag max ms': lags.length ? Math.round(lags[lags.length - 1]) : '',
      note: opts.offendersUnlimited ? 'no evictions' : `${evicted} evictions; from the batch's commit to usage ≤ limit (10 ms polling)`,
    },
  ];
}

async function sweepBench(app: App, opts: QuotaBenchOptions): Promise<Rows> {
  const n = opts.sweepEnvelopes ?? 1_000_000;
  const people = opts.sweepPeople ?? 10_000;
  const ctx = await app.get(RegionService).create('quota sweep bench');
  const ds = app.get(DataSourceToken) as DataSource;
  const t0 = performance.now();
  // Envelopes straight into the table (the sweep reads only region, sender, size, purpose, ts, removed_at):
  // 10 % actions, 30 % public letters, the rest private; sizes 200 B – 12 KB.
  await ds.query(
    `INSERT INTO envelope (region_id, id, seq, ts_ms, "timestamp", sender, signature, sealed_letter, size, purpose, first_id)
     SELECT $1, sha256(int8send(g)), g, 1700000000000 + g * 1000, 'bench', 'person-' || (g % $3),
            'sig', '\\x00'::bytea, 200 + (hashint4(g::int) & 4095) * 3,
            CASE WHEN g % 10 = 0 THEN 'action-follow' WHEN g % 10 < 4 THEN 'share-text' END,
            CASE WHEN g % 10 BETWEEN 1 AND 3 THEN encode(sha256(int8send(g)), 'hex') END
       FROM generate_series(1, $2::bigint) AS g`,
    [ctx.regionId, n, people],
  );
  await ds.query('UPDATE region_seq SET last_seq = $2 WHERE region_id = $1', [ctx.regionId, n]);
  await ds.query(
    `INSERT INTO person_usage (region_id, person, bytes, envelopes)
     SELECT $1, sender, coalesce(sum(size) FILTER (WHERE purpose IS NULL OR purpose NOT LIKE 'action-%'), 0), count(*)
       FROM envelope WHERE region_id = $1 GROUP BY sender`,
    [ctx.regionId],
  );
  // 1 % of the rows drifted; the limit puts the heaviest 2 % of people over it.
  await ds.query(
    `UPDATE person_usage SET bytes = bytes + 777 WHERE region_id = $1 AND person IN (SELECT person FROM person_usage WHERE region_id = $1 ORDER BY person LIMIT $2)`,
    [ctx.regionId, Math.ceil(people / 100)],
  );
  const [{ p98 }] = await ds.query('SELECT percentile_disc(0.98) WITHIN GROUP (ORDER BY bytes) AS p98 FROM person_usage WHERE region_id = $1', [ctx.regionId]);
  await ds.query('UPDATE region SET default_quota_bytes = $2 WHERE region_id = $1', [ctx.regionId, Number(p98)]);
  await ds.query('ANALYZE envelope');
  await ds.query('ANALYZE person_usage');
  const loadSeconds = (performance.now() - t0) / 1000;

  const sweeps = app.get(SweepService);
  const first = await sweeps.sweep(ctx.regionId);
  // the evaluations it queued run in the hub's workers; wait for them before the steady-state sweep
  const catchUp0 = performance.now();
  const queue = app.get(QuotaQueue).bullQueue!;
  for (;;) {
    const c = await queue.getJobCounts('waiting', 'active', 'prioritized');
    if (c.waiting + c.active + c.prioritized === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const catchUp = (performance.now() - catchUp0) / 1000;
  const second = await sweeps.sweep(ctx.regionId);
  const row = (label: string, r: typeof first, note: string) => ({
    case: label,
    envelopes: r.scanned,
    people,
    'sweep s': (r.ms / 1000).toFixed(2),
    repaired: r.repaired,
    'over limit': r.overLimit,
    note,
  });
  return [
    row(`sweep: ${n / 1e6}M envelopes, ${people / 1000}k people, 1 % drifted`, first, `loaded in ${loadSeconds.toFixed(0)} s; evictions of the ${first.overLimit} over-limit people then took ${catchUp.toFixed(1)} s in the workers`),
    row('sweep again (steady state)', second, 'nothing to repair or evict'),
  ];
}

if (require.main === module) {
  const known = ['baseline', 'lag', 'lag-worker-process', 'sweep'] as const;
  const parts = process.argv.slice(2).filter((a): a is (typeof known)[number] => (known as readonly string[]).includes(a));
  printTable(runQuotaBench({ parts: parts.length ? parts : undefined }));
}
