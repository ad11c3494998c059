import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Decode, type Envelope, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { fingerprintOfIds } from '@kiki/sync';
import { DataSource } from 'typeorm';
import { createHubApp } from '../../apps/hub/src/bootstrap';
import { QuotaQueue } from '../../apps/hub/src/quota/quota.queue';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { authHeader } from '../support/envelopes';
import { startTestHub, type TestHub } from '../support/hub';
import { freePort, hasBinary, RedisServerProcess, redisServerBinary, requirement } from '../support/services';
import { collect, memberAuth, wsClient } from '../graphql/client';
import { at, letter, noise, quotaIdle, unrecordedRemovals, usageDrift, waitFor } from '../quota/support/quota';

// A real 3-master Redis Cluster started here (redis-server --cluster-enabled yes on three free
// ports + redis-cli --cluster create), and on it: two hub apps (RUN_WORKERS=false) and one
// quota worker in its own process (npm run worker's entry point), all on one Postgres database.
// A client alternates its pushes between the two hubs while the worker evicts; subscriptions
// cross from one hub to the other through the cluster's pub/sub.

const root = resolve(__dirname, '../..');
const need = requirement('redis-server and redis-cli (the test starts a Redis Cluster)', hasBinary(redisServerBinary) && hasBinary('redis-cli'));
const nodes: RedisServerProcess[] = [];
let hubA: TestHub;
let appB: NestExpressApplication;
let urlB: string;
let worker: ChildProcess | null = null;
let workerOut = '';
let ctx: RegionContext;
const TOKEN = 'k'.repeat(40);
const LIMIT = 12_000;

async function startCluster(): Promise<string> {
  for (let i = 0; i < 3; i++) {
    const n = new RedisServerProcess(await freePort(), ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000']);
    await n.start();
    nodes.push(n);
  }
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
  const probe = new Cluster(nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
  try {
    await waitFor(async () => String(await probe.cluster('INFO')), (info) => info.includes('cluster_state:ok'), 'the cluster to be ok');
    const masters = ((await probe.cluster('NODES')) as string).split('\n').filter((l) => l.includes('master')).length;
    if (masters !== 3) throw new Error(`expected 3 masters, got ${masters}`);
  } finally {
    probe.disconnect();
  }
  return nodes.map((n) => n.url).join(',');
}

beforeAll(async () => {
  if (!need.ok) return;
  const redisUrl = await startCluster();
  const prefix = `{kiki-c${randomBytes(3).toString('hex')}}`;
  hubA = await startTestHub({ REDIS_URL: redisUrl, REDIS_CLUSTER: 'true', REDIS_PREFIX: prefix, RUN_WORKERS: 'false', ADMIN_TOKEN: TOKEN, QUOTA_SWEEP_EVERY_SECONDS: '0', GRAPHQL_EVICTION_POLL_SECONDS: '3600' });
  appB = await createHubApp(hubA.config, { logger: false });
  await appB.listen(0, '127.0.0.1');
  urlB = `http://127.0.0.1:${(appB.getHttpServer().address() as { port: number }).port}`;
  ctx = await hubA.createRegion('cluster');
  await hubA.app.get(QuotaService).setRegionPolicy(ctx, { defaultBytes: LIMIT });

  worker = spawn(process.execPath, ['-r', resolve(root, 'test/support/swc-register.js'), resolve(root, 'apps/hub/src/worker.ts')], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: hubA.config.DATABASE_URL, REDIS_URL: redisUrl, REDIS_CLUSTER: 'true', REDIS_PREFIX: prefix, HUB_MASTER_KEY: hubA.config.HUB_MASTER_KEY, QUOTA_SWEEP_EVERY_SECONDS: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout!.on('data', (d) => (workerOut += d));
  worker.stderr!.on('data', (d) => (workerOut += d));
  await waitFor(async () => workerOut.includes('quota worker started') || worker!.exitCode !== null, (ok) => ok, 'the worker process', 60_000);
  if (worker.exitCode !== null) throw new Error(`worker exited: ${workerOut}`);
}, 120_000);
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker!.on('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await appB?.close();
  await hubA?.close();
  for (const n of nodes) await n.stop();
});

describe.skipIf(!need.ok)('on a 3-master Redis Cluster', () => {
  it('a client alternating between two hubs while the worker evicts ends converged and exact', async () => {
    const alice: KeyPair = generateKeyPair();
    const hubs = [hubA.url, urlB];
    const sent: Envelope[] = [];
    for (let round = 0; round < 8; round++) {
      const batch = Array.from({ length: 4 }, (_, i) => letter(alice, ctx.keys, { content: noise(1200), when: at(round * 10 + i) }));
      sent.push(...batch);
      const res = await fetch(`${hubs[round % 2]}/sync/${ctx.publicKey}/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(alice, ctx.keys) },
        body: JSON.stringify({ envelopes: batch }),
      });
      expect(res.status).toBe(200);
    }
    await appB.get(QuotaQueue).idle();
    await quotaIdle(hubA);
    const ds = hubA.app.get(DataSource);
    // exact: within the limit, as few evictions as needed, every removal recorded, usage true
    const q = await hubA.app.get(QuotaService).personQuota(ctx, alice.public);
    expect(q.usage.bytes).toBeLessThanOrEqual(LIMIT);
    expect(q.usage.bytes).toBeGreaterThan(LIMIT - 2 * 1700);
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
    // converged: both hubs give the client the same set (fingerprint over every id, tombstones included)
    const pulled = await Promise.all(
      hubs.map(async (h) => {
        const ids: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const res = await fetch(`${h}/sync/${ctx.publicKey}/pull${cursor ? `?after=${encodeURIComponent(cursor)}` : ''}`, { headers: authHeader(alice, ctx.keys) });
          expect(res.status).toBe(200);
          const body = (await res.json()) as { envelopes: Envelope[]; cursor: string; more: boolean };
          for (const e of body.envelopes) ids.push(e.id);
          if (!body.more) break;
          cursor = body.cursor;
        }
        return ids.sort();
      }),
    );
    expect(pulled[0]).toEqual(pulled[1]);
    const live: Array<{ id: Buffer }> = await ds.query('SELECT id FROM envelope WHERE region_id = $1 AND removed_at IS NULL ORDER BY id', [ctx.regionId]);
    expect(pulled[0].length).toBe(live.length);
    expect(Buffer.from(fingerprintOfIds(pulled[0].map((id) => base58Decode(id)))).toString('hex')).toBe(
      Buffer.from(fingerprintOfIds(live.map((r) => new Uint8Array(r.id)))).toString('hex'),
    );
    expect(live.length).toBeLessThan(sent.length);
  }, 60_000);

  it('subscriptions cross hub processes through the cluster: additions from hub A and evictions by the worker reach hub B', async () => {
    const bob = generateKeyPair();
    const client = wsClient(urlB, memberAuth(bob, ctx.keys), ctx.publicKey);
    const added = collect(client, `subscription($r: String!) { envelopeAdded(region: $r) { id } }`, { r: ctx.publicKey });
    const evicted = collect(client, `subscription($r: String!) { evictionHappened(region: $r) { envelopeId } }`, { r: ctx.publicKey });
    // both subscriptions are live once hub B listens on the cluster's channels
    await new Promise((r) => setTimeout(r, 500));
    const carol = generateKeyPair();
    const posts = Array.from({ length: 3 }, (_, i) => letter(carol, ctx.keys, { content: noise(5000), when: at(1000 + i) }));
    const res = await fetch(`${hubA.url}/sync/${ctx.publicKey}/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(carol, ctx.keys) },
      body: JSON.stringify({ envelopes: posts }),
    });
    expect(res.status).toBe(200);
    await added.until(() => added.events.length >= 3, 15_000);
    expect(added.events.map((e) => e.data.envelopeAdded.id)).toEqual(posts.map((p) => p.id));
    // 15,000 bytes against a 12,000 limit: the worker (its own process) evicts the oldest
    await evicted.until(() => evicted.events.length >= 1, 15_000);
    expect(evicted.events[0].data.evictionHappened.envelopeId).toBe(posts[0].id);
    added.dispose();
    evicted.dispose();
    await client.dispose();
  }, 60_000);

  it('keeps the quota queue in one slot of the cluster (hash-tagged keys)', async () => {
    const queue = hubA.app.get(QuotaQueue);
    await waitFor(async () => queue.redisReady, (r) => r, 'the queue on the cluster');
    const keys = new Set<string>();
    for (const n of nodes) {
      const out = spawnSync('redis-cli', ['-p', String(n.port), '--scan', '--pattern', `${hubA.config.REDIS_PREFIX}*`], { encoding: 'utf8' }).stdout.trim();
      if (out) keys.add(String(n.port));
    }
    expect(keys.size).toBe(1); // the queue's keys exist (jobs ran) and all on one node
  });
});
