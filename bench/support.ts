import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { ensureDatabase, runMigrations } from '../libs/storage/src';

/** A throwaway migrated database for one benchmark run. */
export async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const u = new URL(admin);
  const name = `kiki_bench_${randomBytes(4).toString('hex')}`;
  u.pathname = `/${name}`;
  const url = u.toString();
  await ensureDatabase(url);
  await runMigrations(url);
  return {
    url,
    async drop() {
      const c = new Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The hub as its own process (`node dist/apps/hub/src/main.js`), as deployed: the load generator does not share its event loop. */
export async function startHubProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = fork(resolve(__dirname, '../apps/hub/src/main.js'), [], {
    // the flags `npm run start:prod` and the Dockerfile give the hub (--max-semi-space-size:
    // ingest allocates ~1 MB per batch that dies young; 64 MiB semi-spaces cut its GC work)
    // BENCH_HUB_NODE_OPTIONS adds flags for experiments (e.g. another --max-semi-space-size: the last one given wins)
    execArgv: [
      '--max-semi-space-size=64',
      ...(process.env.BENCH_HUB_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
      ...(process.env.BENCH_HUB_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_HUB_PROF] : []),
    ],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the hub exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/live`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the hub did not start');
}

/** CPU seconds a process has used (Linux /proc; clock ticks of 1/100 s), or NaN elsewhere. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds used so far by every running Postgres process (server and backends), Linux only. */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** The machine's CPU counters (/proc/stat); with a `since`, the share that was idle in between. */
export function machineCpu(since?: { busy: number; idle: number }): { busy: number; idle: number; idlePercent: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const busy = f.reduce((a, b) => a + b, 0) - idle;
  const d = since ? { busy: busy - since.busy, idle: idle - since.idle } : { busy, idle };
  return { busy, idle, idlePercent: (100 * d.idle) / Math.max(1, d.busy + d.idle) };
}

export async function stopHubProcess(hub: { child: ChildProcess }): Promise<void> {
  hub.child.kill('SIGTERM');
  if (hub.child.exitCode === null && hub.child.signalCode === null) await new Promise((r) => hub.child.once('exit', r));
}

/** For `node dist/bench/<name>.bench.js`: print the rows as a table, exit non-zero on failure. */
export function printTable(rows: Promise<Array<Record<string, string | number>>>): void {
  rows.then(
    (r) => {
      console.table(r);
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** A hub's environment for a benchmark: its own database and Redis prefix, nothing done on start. */
export function benchHubEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: `kiki-bench-${randomBytes(3).toString('hex')}`,
    HUB_MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    CREATE_DATABASE: 'false',
    MIGRATE_ON_START: 'false',
    IMPORT_DEFAULT_REGION: 'false',
    // throughput, not abuse: every client of a benchmark comes from one address
    RATE_LIMITS: 'false',
    ...extra,
  };
}
