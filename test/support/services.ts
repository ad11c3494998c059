import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

/** The redis-server binary tests start (TEST_REDIS_SERVER names another, or a missing one to try the skip path). */
export const redisServerBinary = process.env.TEST_REDIS_SERVER ?? 'redis-server';

export function hasBinary(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).error === undefined;
}

export { freePort } from '../../apps/hub/src/services/embedded-postgres';

/**
 * Whether a test that needs `what` can run. When it cannot: under CI=true the file fails (CI runs
 * everything), elsewhere it is skipped and the reason printed once.
 */
export function requirement(what: string, met: boolean): { ok: boolean; reason: string } {
  const reason = met ? '' : `skipped: needs ${what}`;
  if (!met) {
    if (process.env.CI === 'true') throw new Error(`${reason}; CI=true runs every test, so this is a failure`);
    process.stderr.write(`[kiki test] ${reason}\n`);
  }
  return { ok: met, reason };
}

/** A private redis-server on a free port (never the shared one): tests stop, freeze and restart it. */
export class RedisServerProcess {
  private child: ChildProcess | null = null;
  private dir: string | null = null;
  constructor(
    readonly port: number,
    private readonly extraArgs: string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.dir ??= mkdtempSync(join(tmpdir(), 'kiki-redis-'));
    this.child = spawn(redisServerBinary, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.extraArgs], { stdio: 'ignore' });
    const probe = new Redis({ port: this.port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
    probe.on('error', () => undefined); // refused until the server is up
    await probe.connect().catch(() => undefined);
    await probe.ping();
    probe.disconnect();
  }

  async kill(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (c && c.exitCode === null) {
      await new Promise<void>((ok) => {
        c.once('exit', () => ok());
        c.kill('SIGKILL');
      });
    }
  }

  signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
    this.child?.kill(sig);
  }

  async stop(): Promise<void> {
    await this.kill();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
