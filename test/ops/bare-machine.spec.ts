import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requirement } from '../support/services';

// `npm start` (apps/hub/src/main.ts) as its own process: on a bare machine (a network namespace
// with only loopback, where nothing answers on 5432 or 6379), and with configuration mistakes.

const root = resolve(__dirname, '../..');
const node = [process.execPath, '-r', resolve(root, 'test/support/swc-register.js'), resolve(root, 'apps/hub/src/main.ts')];
const homes: string[] = [];
const cleanEnv = () => {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info' };
  for (const k of ['NODE_OPTIONS', 'TMPDIR']) if (process.env[k]) env[k] = process.env[k]!;
  return env;
};

/** Runs main.ts; resolves with its exit code and output once it exits (or `until` matches, then SIGTERM). */
function runHub(cmd: string[], env: Record<string, string>, until?: RegExp, timeoutMs = 120_000) {
  return new Promise<{ code: number | null; out: string; untilMatched: boolean }>((ok) => {
    const child = spawn(cmd[0], cmd.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let matched = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      if (until && !matched && until.test(out)) {
        matched = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      ok({ code, out, untilMatched: matched });
    });
  });
}

afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe('configuration mistakes stop the start with one line each', () => {
  it('bad booleans and values: one line per variable, exit 78', async () => {
    const r = await runHub(node, { ...cleanEnv(), RUN_WORKERS: 'ture', MIGRATE_ON_START: 'yes please', PORT: 'eighty' });
    expect(r.code).toBe(78);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const problems = JSON.parse(lines[0]).problems as string[];
    expect(problems.sort()).toEqual(['MIGRATE_ON_START must be true or false (got "yes please")', 'PORT must be an integer number', 'RUN_WORKERS must be true or false (got "ture")'].sort());
  }, 60_000);

  it('a configured Postgres or Redis that does not answer: one line with the service, the URL without its password, and the fix; no stack', async () => {
    const pg = await runHub(node, { ...cleanEnv(), DATABASE_URL: 'postgres://kiki:s3cret@127.0.0.1:1/kiki_hub' });
    expect(pg.code).toBe(69);
    expect(pg.out.trim().split('\n')).toHaveLength(1);
    const line = JSON.parse(pg.out) as { msg: string };
    expect(line.msg).toMatch(/^Postgres is unreachable at postgres:\/\/kiki:\*\*\*@127\.0\.0\.1:1\/kiki_hub \(connection refused\): start Postgres there or set DATABASE_URL/);
    expect(pg.out).not.toContain('s3cret');
    expect(pg.out).not.toMatch(/\n\s+at /);

    const redis = await runHub(node, { ...cleanEnv(), REDIS_URL: 'redis://:pw@127.0.0.1:1' });
    expect(redis.code).toBe(69);
    expect(JSON.parse(redis.out).msg).toMatch(/^Redis is unreachable at redis:\/\/:\*\*\*@127\.0\.0\.1:1 \(connection refused\)/);
  }, 60_000);

  it('production refuses embedded mode', async () => {
    const r = await runHub(node, { ...cleanEnv(), NODE_ENV: 'production', HUB_MASTER_KEY: 'ab'.repeat(32), REDIS_URL: 'none' });
    expect(r.code).toBe(78);
    expect(r.out).toMatch(/REDIS_URL=none \(no Redis\) is for development only/);
  }, 60_000);
});

const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
const bare = requirement('`unshare -n` (a network namespace where nothing answers on 5432/6379)', canUnshare);

describe.skipIf(!bare.ok)('a bare machine (no Postgres, no Redis)', () => {
  it('serves a development hub on embedded Postgres without Redis, says so in one line, and stops cleanly; the second start reuses the data', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kiki-bare-'));
    homes.push(home);
    const cmd = ['unshare', '-n', 'bash', '-c', `ip link set lo up; exec ${node.map((a) => `'${a}'`).join(' ')}`];
    const env = { ...cleanEnv(), HOME: home, PORT: '18310' };
    for (const run of ['first', 'second']) {
      const r = await runHub(cmd, env, /kiki hub listening/);
      expect(r.untilMatched, r.out).toBe(true);
      const mode = r.out.split('\n').filter((l) => l.includes('development mode'));
      expect(mode, run).toHaveLength(1);
      expect(mode[0]).toContain('embedded Postgres');
      expect(mode[0]).toContain('no Redis');
      expect(mode[0]).toContain(run === 'first' ? 'created now' : 'data in');
      if (run === 'second') expect(mode[0]).not.toContain('created now');
      expect(r.out).toContain('quota worker started');
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('"msg":"stopped"');
      // the embedded Postgres stopped with the hub
      expect(existsSync(join(home, '.kiki-hub', 'postgres', 'postmaster.pid'))).toBe(false);
    }
    expect(readFileSync(join(home, '.kiki-hub', 'master.key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  }, 180_000);
});
