import { Client } from 'pg';
import { redisClient } from '../redis/redis-roles';

/**
 * A configured outside service (Postgres, Redis) that does not answer at start-up. Its message is
 * the one human line main.ts prints: which service, where (password hidden), and what to do.
 */
export class ServiceUnreachableError extends Error {
  constructor(
    readonly service: 'Postgres' | 'Redis',
    readonly url: string,
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`${service} is unreachable at ${redactUrl(url)} (${reason}): ${fix}`);
  }
}

/** The URL with its password replaced by "***" (for log lines and errors). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Short, human reason of a connection failure ("connection refused", "timed out", the server's own words). */
function reason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return 'host not found';
  if (e?.code === 'ETIMEDOUT' || /timeout|timed out/i.test(e?.message ?? '')) return 'no answer within 3 s';
  return e?.message?.split('\n')[0] ?? String(err);
}

/** Whether the failure means "nothing answers there" (as opposed to "something answered and refused us"). */
export function isNothingThere(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT' || /timeout/i.test(String((err as Error)?.message));
}

/**
 * Connects to the server of `url` (its `postgres` database when the named one does not exist yet:
 * the hub may create it). Resolves when Postgres answers; rejects with the driver's error.
 */
export async function probePostgres(url: string, timeoutMs = 3000): Promise<void> {
  const tryUrl = async (u: string) => {
    const c = new Client({ connectionString: u, connectionTimeoutMillis: timeoutMs });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  try {
    await tryUrl(url);
  } catch (err) {
    // 3D000: the database does not exist (yet); the server answered, which is what we ask
    if ((err as { code?: string }).code !== '3D000') throw err;
    const u = new URL(url);
    u.pathname = '/postgres';
    await tryUrl(u.toString());
  }
}

/** PINGs the Redis of `url` once, without retrying; of a cluster's seed list (a,b,c), the first that answers. */
export async function probeRedis(url: string, timeoutMs = 3000): Promise<void> {
  const seeds = url.split(',').map((u) => u.trim());
  if (seeds.length > 1) {
    let last: unknown;
    for (const seed of seeds) {
      try {
        return await probeRedis(seed, timeoutMs);
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }
  // one seed at a time, as a single node: the probe asks "does anything answer there"
  const r = redisClient(url, 'probe', { connectTimeout: timeoutMs });
  // ioredis rejects connect() with "Connection is closed."; the socket's own error says why
  let first: unknown;
  r.on('error', (err) => (first ??= err));
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw first ?? err;
  } finally {
    r.disconnect();
  }
}

export function postgresUnreachable(url: string, err: unknown): ServiceUnreachableError {
  return new ServiceUnreachableError(
    'Postgres',
    url,
    reason(err),
    'start Postgres there or set DATABASE_URL to one that answers (in development, leave DATABASE_URL unset and stop whatever holds 127.0.0.1:5432 to get an embedded Postgres)',
  );
}

export function redisUnreachable(url: string, err: unknown): ServiceUnreachableError {
  return new ServiceUnreachableError(
    'Redis',
    url,
    reason(err),
    'start Redis there or set REDIS_URL to one that answers (in development, REDIS_URL=none runs without Redis)',
  );
}
