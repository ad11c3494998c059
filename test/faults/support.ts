import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../support/processes';

const root = resolve(__dirname, '../..');

/** The real hub entry point (apps/hub/src/main.ts) in its own process, on a port it is given. */
export class HubProcess {
  child: ChildProcess | null = null;
  stderr = '';
  /** the hub's log lines at level error or above (its 500s say why here) */
  readonly errors: string[] = [];
  /** one key for every start: the regions' secrets are stored encrypted with it */
  private readonly masterKey = randomBytes(32).toString('hex');
  constructor(
    readonly port: number,
    readonly env: Record<string, string>,
  ) {}

  static async create(env: Record<string, string>): Promise<HubProcess> {
    return new HubProcess(await freePort(), env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['-r', resolve(root, 'test/support/swc-register.js'), resolve(root, 'apps/hub/src/main.ts')], {
      cwd: root,
      env: { ...process.env, HUB_MASTER_KEY: this.masterKey, LOG_LEVEL: 'error', ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let partial = '';
    child.stdout!.on('data', (d) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (/"level":"(error|fatal)"/.test(line) && this.errors.length < 100) this.errors.push(line.slice(0, 2000));
    });
    child.stderr!.on('data', (d) => (this.stderr = (this.stderr + d).slice(-20_000)));
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`hub exited: ${this.stderr}`);
      try {
        if ((await fetch(`${this.url}/health/ready`)).ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.kill();
    throw new Error(`hub did not become ready: ${this.stderr}`);
  }

  /** Resident memory of the hub process, in MiB (Linux). */
  rssMiB(): number {
    if (!this.child?.pid) return 0;
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((ok) => {
      c.once('exit', () => ok());
      c.kill(signal);
    });
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Prints one JSON line of figures (collected into docs/reliability.md by hand). */
export function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`FAULTS ${JSON.stringify({ name, ...figures })}\n`);
}
