import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { benchDatabase } from './support';

const root = resolve(__dirname, '../..');
const main = resolve(__dirname, '../apps/hub/src/main.js');
const cli = resolve(__dirname, '../apps/hub/src/cli.js');

/** Milliseconds from spawning `node dist/apps/hub/src/main.js` to its "kiki hub listening" line, then SIGTERM. */
async function coldStart(cmd: string, args: string[], env: Record<string, string>): Promise<{ readyMs: number; stopMs: number; mode: string }> {
  const started = performance.now();
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let mode = 'services';
  const readyMs = await new Promise<number>((ok, fail) => {
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('development mode')) mode = out.includes('"postgres":"embedded"') ? 'embedded Postgres, no Redis' : 'no Redis';
      if (out.includes('kiki hub listening')) ok(performance.now() - started);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => fail(new Error(`hub exited (${code}) before it was ready: ${out.slice(-2000)}`)));
  });
  const t = performance.now();
  const exited = new Promise((r) => child.on('exit', r));
  // (under unshare, `exec` keeps one process: the pid is the hub's)
  child.kill('SIGTERM');
  await exited;
  return { readyMs, stopMs: performance.now() - t, mode };
}

/**
 * Cold start to ready: a bare machine (a network namespace where nothing answers on 5432/6379:
 * embedded Postgres, no Redis; first run creates the cluster, second reuses it), and with running
 * services (Postgres and Redis already up, database migrated).
 */
export async function runColdStartBench(): Promise<Array<Record<string, string | number>>> {
  const rows: Array<Record<string, string | number>> = [];
  const home = mkdtempSync(join(tmpdir(), 'kiki-bench-home-'));
  try {
    const bare = spawnSync('unshare', ['-n', 'true']).status === 0;
    if (bare) {
      for (const run of ['first run (creates the cluster)', 'second run']) {
        const r = await coldStart('unshare', ['-n', 'bash', '-c', `ip link set lo up; exec node ${main}`], { HOME: home, PORT: '18301', LOG_LEVEL: 'info' });
        rows.push({ case: `bare machine, ${run}`, mode: r.mode, 'ready (ms)': Math.round(r.readyMs), 'SIGTERM to exit (ms)': Math.round(r.stopMs) });
      }
    } else {
      rows.push({ case: 'bare machine', mode: 'not measured: `unshare -n` is not permitted here' });
    }
    const db = await benchDatabase();
    try {
      const r = await coldStart(process.execPath, [main], { HOME: home, PORT: '18302', DATABASE_URL: db.url, REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `bench-${randomBytes(3).toString('hex')}` });
      rows.push({ case: 'with Postgres and Redis running (migrated database)', mode: r.mode, 'ready (ms)': Math.round(r.readyMs), 'SIGTERM to exit (ms)': Math.round(r.stopMs) });
    } finally {
      await db.drop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return rows;
}

/** Peak RSS of a child, in MiB, through /usr/bin/time (-f %M: KiB). */
async function timed(args: string[], env: Record<string, string>, stdoutFile?: string): Promise<{ ms: number; peakMiB: number; stderr: string }> {
  const t = performance.now();
  const child = spawn('/usr/bin/time', ['-f', 'PEAK_KB=%M', process.execPath, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', stdoutFile ? 'pipe' : 'ignore', 'pipe'] });
  const written = stdoutFile ? new Promise((r) => child.stdout!.pipe(createWriteStream(stdoutFile)).on('finish', () => r(undefined))) : Promise.resolve();
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await new Promise((r) => child.on('close', r));
  await written;
  if (code !== 0) throw new Error(`${args.join(' ')} failed: ${stderr.slice(-2000)}`);
  const kb = Number(/PEAK_KB=(\d+)/.exec(stderr)?.[1] ?? NaN);
  return { ms: performance.now() - t, peakMiB: kb / 1024, stderr };
}

/**
 * `region export` and `region import-file` of one region of N envelopes (BENCH_TRANSFER_ENVELOPES,
 * default 1,000,000), made directly in SQL: 300-byte letters, one in ten a tombstone.
 */
export async function runTransferBench(): Promise<Array<Record<string, string | number>>> {
  const n = Number(process.env.BENCH_TRANSFER_ENVELOPES ?? 1_000_000);
  const [src, dst] = [await benchDatabase(), await benchDatabase()];
  const dir = mkdtempSync(join(tmpdir(), 'kiki-bench-transfer-'));
  const key = `bench${randomBytes(8).toString('hex')}`;
  try {
    for (const db of [src, dst]) {
      const c = new Client({ connectionString: db.url });
      await c.connect();
      const { rows } = await c.query(
        `INSERT INTO region (public_key, name, private_key_enc, hub_public_key, hub_private_key_enc) VALUES ($1, 'bench', '\\x00', 'hub', '\\x00') RETURNING region_id`,
        [key],
      );
      await c.query('INSERT INTO region_seq (region_id) VALUES ($1)', [rows[0].region_id]);
      if (db === src) {
        const made = performance.now();
        await c.query(
          `INSERT INTO envelope (region_id, id, seq, ts_ms, "timestamp", sender, signature, sealed_recipients, sealed_letter, size, removed_at, removed_reason)
           SELECT $1, decode(md5(i::text) || md5('x' || i), 'hex'), i, 1764000000000 + i, '2025-11-24T16:00:00Z', 'sender' || (i % 1000), 'sig' || i,
                  ARRAY['boxA', 'boxB'], CASE WHEN i % 10 = 0 THEN NULL ELSE decode(repeat(md5(i::text), 10), 'hex') END, 400,
                  CASE WHEN i % 10 = 0 THEN now() END, CASE WHEN i % 10 = 0 THEN 'quota' END
             FROM generate_series(1, $2::int) i`,
          [rows[0].region_id, n],
        );
        await c.query(`UPDATE region_seq SET last_seq = $2 WHERE region_id = $1`, [rows[0].region_id, n]);
        await c.query(
          `INSERT INTO person_usage (region_id, person, bytes, envelopes) SELECT $1, 'sender' || p, 1, 1 FROM generate_series(0, 999) p`,
          [rows[0].region_id],
        );
        await c.query('ANALYZE envelope');
        console.error(`made ${n} envelopes in ${((performance.now() - made) / 1000).toFixed(1)} s`);
      }
      await c.end();
    }
    const file = join(dir, 'region.jsonl');
    const env = { CREATE_DATABASE: 'false', REDIS_URL: 'none', NODE_ENV: 'test', HOME: dir };
    const exp = await timed([cli, 'region', 'export', key], { ...env, DATABASE_URL: src.url }, file);
    const imp = await timed([cli, 'region', 'import-file', key, file], { ...env, DATABASE_URL: dst.url });
    const c = new Client({ connectionString: dst.url });
    await c.connect();
    const [{ count }] = (await c.query('SELECT count(*)::int AS count FROM envelope')).rows;
    await c.end();
    if (count !== n) throw new Error(`imported ${count} envelopes of ${n}`);
    const mb = statSync(file).size / 1024 / 1024;
    return [
      { step: 'region export', envelopes: n, 'seconds': +(exp.ms / 1000).toFixed(1), 'envelopes/s': Math.round(n / (exp.ms / 1000)), 'peak RSS (MiB)': Math.round(exp.peakMiB), 'file (MiB)': Math.round(mb) },
      { step: 'region import-file', envelopes: n, 'seconds': +(imp.ms / 1000).toFixed(1), 'envelopes/s': Math.round(n / (imp.ms / 1000)), 'peak RSS (MiB)': Math.round(imp.peakMiB), 'file (MiB)': Math.round(mb) },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await src.drop();
    await dst.drop();
  }
}
