import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Decode, type Envelope, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { createTestDatabase, testHubEnv, type TestDatabase } from '../support/db';
import { authHeader, people, publicPost } from '../support/envelopes';
import { dropQuotaQueue } from '../support/hub';
import { freePort } from '../support/services';

const root = resolve(__dirname, '../..');
let db: TestDatabase;
let env: Record<string, string>;
let port: number;
const region: KeyPair = generateKeyPair();
const [alice] = people(1);

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, ['-r', resolve(root, 'test/support/swc-register.js'), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(async () => {
  db = await createTestDatabase();
  port = await freePort();
  env = testHubEnv(db, 'shutdown', { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_DRAIN_SECONDS: '1', SHUTDOWN_TIMEOUT_SECONDS: '30' });
  const cli = run([resolve(root, 'apps/hub/src/cli.ts'), 'region', 'import', '--name', 'shutdown', '--public', region.public, '--private', region.private]);
  expect(await new Promise((r) => cli.on('exit', r))).toBe(0);
}, 60_000);
afterAll(async () => {
  await db?.drop();
  if (env) await dropQuotaQueue(env.REDIS_URL, env.REDIS_PREFIX);
});

describe('SIGTERM', () => {
  it('goes unready first, lets the batches in flight finish, then exits 0; every "stored" answer is in Postgres', async () => {
    const hub = run([resolve(root, 'apps/hub/src/main.ts')]);
    let out = '';
    hub.stdout!.on('data', (d) => (out += d));
    hub.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => hub.on('exit', (code) => r(code)));
    for (let i = 0; ; i++) {
      if (hub.exitCode !== null || i > 300) throw new Error(`hub did not start: ${out}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    // a stream of pushes from 4 clients; SIGTERM after the 10th answer
    const acknowledged: string[] = [];
    let answered = 0;
    let signalled = false;
    const client = async () => {
      for (let b = 0; b < 40; b++) {
        const envelopes: Envelope[] = Array.from({ length: 50 }, (_, i) => publicPost(alice, region, `b${b} i${i} ${Math.random()}`));
        try {
          const res = await fetch(`http://127.0.0.1:${port}/sync/${region.public}/push`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...authHeader(alice, region) },
            body: JSON.stringify({ envelopes }),
          });
          const body = (await res.json()) as { results?: Array<{ id: string; status: string }> };
          for (const r of body.results ?? []) if (r.status === 'stored') acknowledged.push(r.id);
        } catch {
          // connection refused or closed: nothing was promised
          return;
        }
        if (++answered === 10 && !signalled) {
          signalled = true;
          hub.kill('SIGTERM');
        }
      }
    };
    const clients = Promise.all(Array.from({ length: 4 }, client));

    // readiness says 503 while the listener still serves (SHUTDOWN_DRAIN_SECONDS)
    while (!signalled) await new Promise((r) => setTimeout(r, 5));
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status, () => 0);
    expect(ready).toBe(503);

    await clients;
    const started = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(out).toContain('shutting down');
    expect(out).toContain('"msg":"stopped"');
    expect(acknowledged.length).toBeGreaterThanOrEqual(10 * 50);

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const ids = acknowledged.map((id) => Buffer.from(base58Decode(id)));
      const { rows } = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM envelope WHERE id = ANY($1::bytea[])`, [ids]);
      expect(rows[0].n).toBe(acknowledged.length);
    } finally {
      await pg.end();
    }
  }, 120_000);
});
