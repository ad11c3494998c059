import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { createTestDatabase, testHubEnv, type TestDatabase } from '../support/db';
import { authHeader, people, publicPost } from '../support/envelopes';

const root = resolve(__dirname, '../..');
let db: TestDatabase;
let port: number;
let env: Record<string, string>;
let region: KeyPair;
const [alice] = people(1);

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
    s.on('error', fail);
  });
}

/** The real hub entry point (apps/hub/src/main.ts) in its own process. */
async function startHubProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', resolve(root, 'test/support/swc-register.js'), resolve(root, 'apps/hub/src/main.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`hub exited: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return child;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`hub did not become ready: ${stderr}`);
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  port = await freePort();
  region = generateKeyPair();
  env = testHubEnv(db, 'crash', { PORT: String(port), HOST: '127.0.0.1' });
}, 60_000);
afterAll(() => db?.drop());

describe('nothing acknowledged is lost', () => {
  it('every envelope answered "stored" survives a SIGKILL of the hub mid-stream', async () => {
    let hub = await startHubProcess();
    const cli = spawn(
      process.execPath,
      ['-r', resolve(root, 'test/support/swc-register.js'), resolve(root, 'apps/hub/src/cli.ts'), 'region', 'import', '--name', 'crash', '--public', region.public, '--private', region.private],
      { cwd: root, env: { ...process.env, ...env }, stdio: 'ignore' },
    );
    expect(await new Promise((r) => cli.on('exit', r))).toBe(0);

    const acknowledged: string[] = [];
    const batches: Envelope[][] = Array.from({ length: 40 }, (_, b) => Array.from({ length: 50 }, (_, i) => publicPost(alice, region, `b${b} i${i}`)));
    const url = `http://127.0.0.1:${port}/sync/${region.public}`;
    let sent = 0;
    const pushes = batches.map(async (envelopes) => {
      try {
        const res = await fetch(`${url}/push`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authHeader(alice, region) },
          body: JSON.stringify({ envelopes }),
        });
        const body = (await res.json()) as { results: Array<{ id: string; status: string }> };
        for (const r of body.results) if (r.status === 'stored') acknowledged.push(r.id);
      } catch {
        /* the connection died with the hub: nothing was promised */
      }
      if (++sent === 5) await killed(hub); // kill while the other 35 batches are in flight
    });
    await Promise.all(pushes);
    await killed(hub);
    expect(acknowledged.length).toBeGreaterThan(0);

    hub = await startHubProcess();
    try {
      const held = new Set<string>();
      for (let i = 0; i < acknowledged.length; i += 1000) {
        const res = await fetch(`${url}/fetch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authHeader(alice, region) },
          body: JSON.stringify({ ids: acknowledged.slice(i, i + 1000) }),
        });
        for (const e of ((await res.json()) as { envelopes: Envelope[] }).envelopes) held.add(e.id);
      }
      expect(acknowledged.filter((id) => !held.has(id))).toEqual([]);
    } finally {
      await killed(hub);
    }
  }, 120_000);
});
