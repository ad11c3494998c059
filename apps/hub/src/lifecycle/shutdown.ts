import type { INestApplicationContext, Logger } from '@nestjs/common';
import { Lifecycle } from './lifecycle';

export interface ShutdownOptions {
  log: Logger;
  /** the whole shutdown must end within this; past it the process exits with code 1 */
  timeoutMs: number;
  /** how long readiness answers 503 before the listener closes, so load balancers stop sending */
  drainMs: number;
  /** runs after the app closed (stops an embedded Postgres) */
  after?: () => Promise<void>;
}

/**
 * SIGTERM / SIGINT: readiness goes 503 at once, then (after drainMs) Nest closes the HTTP server,
 * which waits for the requests in flight (an ingest batch finishes and answers), then the workers
 * and pools (each module's shutdown hook). Exit 0 when all of that ended in time, 1 when not.
 * Replaces Nest's enableShutdownHooks, which ends the process by re-sending the signal (code 143).
 */
export function closeOnSignals(app: INestApplicationContext, opts: ShutdownOptions): void {
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    const started = Date.now();
    opts.log.log({ msg: 'shutting down: readiness now answers 503', signal, timeoutMs: opts.timeoutMs });
    const lifecycle = getOptional(app, Lifecycle);
    if (lifecycle) lifecycle.draining = true;
    setTimeout(() => {
      opts.log.error({ msg: 'shutdown did not end in time; exiting anyway', timeoutMs: opts.timeoutMs });
      process.exit(1);
    }, opts.timeoutMs).unref();
    try {
      if (opts.drainMs) await new Promise((ok) => setTimeout(ok, opts.drainMs));
      await app.close();
      await opts.after?.();
      opts.log.log({ msg: 'stopped', ms: Date.now() - started });
      process.exit(0);
    } catch (err) {
      opts.log.error({ msg: 'shutdown failed', err: String(err) });
      process.exit(1);
    }
  };
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => void shutdown(s));
}

function getOptional<T>(app: INestApplicationContext, token: new (...args: never[]) => T): T | null {
  try {
    return app.get(token, { strict: false });
  } catch {
    return null;
  }
}
