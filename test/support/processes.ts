import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Services a test owns and stops, kills or restarts (never the shared ones), on ports it picks. */

/** A port nothing listens on right now; a private redis-server (one class for every test: services.ts). */
export { freePort, RedisServerProcess as RedisProcess } from './services';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

/** Postgres refuses to run as root: there, its tools run as the `postgres` user (PG_USER), which owns the temp dir. */
const PG_USER = process.env.PG_USER ?? 'postgres';
function pgTool(tool: string, args: string[]) {
  if (process.getuid?.() !== 0) return run(`${PG_BIN}/${tool}`, args);
  return run('runuser', ['-u', PG_USER, '--', `${PG_BIN}/${tool}`, ...args]);
}

/** A private Postgres cluster in a temp dir (initdb + pg_ctl), stopped and started by the test. */
export class PostgresProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'kiki-pg-'));
  constructor(readonly port: number) {
    if (process.getuid?.() === 0) {
      const { uid, gid } = userIds(PG_USER);
      chownSync(this.dir, uid, gid);
      chmodSync(this.dir, 0o700);
    }
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async init(): Promise<void> {
    await pgTool('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  }

  async start(): Promise<void> {
    await pgTool('pg_ctl', [
      '-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-w', '-t', '60',
      '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=on -c max_connections=50`,
      'start',
    ]);
  }

  /** mode "immediate" is a crash as far as clients see it (no clean shutdown of sessions). */
  async stop(mode: 'fast' | 'immediate' = 'immediate'): Promise<void> {
    await pgTool('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']).catch(() => undefined);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no user ${name} to run Postgres as (set PG_USER)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
